/** Pieces every console page uses: loading, problems, the 403 page, session states. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { ApiError } from './api';
import { href } from './route';
import { useCT } from './texts';

/** True when a call was refused because the person may not act for that customer. */
export const isForbidden = (error: unknown) => error instanceof ApiError && error.status === 403;

/** The 403 page: what happened and the way back, nothing about the customer. */
export function Forbidden() {
  const { t } = useCT();
  return (
    <section class="panel" aria-labelledby="forbidden-h">
      <h2 id="forbidden-h">{t('forbidden.title')}</h2>
      <p role="alert">{t('forbidden.text')}</p>
      <a href={href({ page: 'response' })}>{t('forbidden.back')}</a>
    </section>
  );
}

export type Loaded<T> = { kind: 'loading' } | { kind: 'ready'; value: T } | { kind: 'forbidden' } | { kind: 'problem'; problem: Problem };

/**
 * Loads once per mount (and again on `reload()`): a 401 ends the sign-in (the
 * shell), a 403 becomes the 403 page, anything else a problem banner.
 */
export function useLoad<T>(load: () => Promise<T>): [Loaded<T>, () => void, (value: T) => void] {
  const problems = useProblems();
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setState({ kind: 'ready', value }),
      (error: unknown) => {
        if (!live) return;
        const problem = problems(error);
        setState(isForbidden(error) ? { kind: 'forbidden' } : { kind: 'problem', problem });
      },
    );
    return () => {
      live = false;
    };
  }, [round]);
  return [state, () => setRound((r) => r + 1), (value) => setState({ kind: 'ready', value })];
}

/** Renders a Loaded: the spinner text, the 403 page, the problem, or `children(value)`. */
export function Show<T>(props: { state: Loaded<T>; onRetry?: () => void; children: (value: T) => ComponentChildren }) {
  const { state } = props;
  if (state.kind === 'loading') return <Loading />;
  if (state.kind === 'forbidden') return <Forbidden />;
  if (state.kind === 'problem') return <ProblemBanner problem={state.problem} onRetry={props.onRetry} />;
  return <>{props.children(state.value)}</>;
}

export function Loading() {
  const { lang } = useCT();
  return (
    <p class="busy" role="status">
      {lang === 'it' ? 'Caricamento in corso…' : 'Loading…'}
    </p>
  );
}
