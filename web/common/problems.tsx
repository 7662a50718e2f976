/**
 * How a failed call is shown: the API's own text when it gave one
 * (`messages.it/en`), else the server's error catalogue for its code, else a
 * generic line with the code. No answer at all is the blue notice with Riprova;
 * a 401 ends the window's session (the shell shows how to reopen it).
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, ApiUnreachableError } from './api';
import { ERROR_CATALOGUE } from '../../shared/api/error-catalogue';
import { type Lang, translate, useT } from './i18n';

export interface Problem {
  /** `unreachable`: no answer (blue notice); `conflict`: a 409, the state was redrawn; `session`: 401. */
  readonly kind: 'unreachable' | 'conflict' | 'session' | 'error';
  readonly code: string;
  readonly text: string;
  /** The API's error body (attemptsLeft, session, allowedActions…). */
  readonly body?: Readonly<Record<string, unknown>>;
}

/** Turns anything a call threw into what the page shows. */
export function problemOf(error: unknown, lang: Lang): Problem {
  if (error instanceof ApiUnreachableError) {
    return {
      kind: 'unreachable',
      code: error.code,
      text: translate(lang, error.code === 'TIMEOUT' ? 'error.TIMEOUT' : 'error.UNREACHABLE'),
    };
  }
  if (error instanceof ApiError) {
    const known = (ERROR_CATALOGUE as Readonly<Record<string, { it: string; en: string }>>)[error.code];
    const text = error.messages?.[lang] ?? known?.[lang] ?? translate(lang, 'error.generic', { code: error.code });
    const kind = error.status === 401 ? 'session' : error.status === 409 ? 'conflict' : 'error';
    return { kind, code: error.code, text, body: error.body };
  }
  return { kind: 'error', code: 'UNEXPECTED', text: translate(lang, 'error.generic', { code: 'UNEXPECTED' }) };
}

/** The shell's handler for a 401: the session of the window is over. */
export const SessionEndedContext = createContext<() => void>(() => undefined);

/**
 * `problemOf` plus the one global consequence: a 401 anywhere ends the window's
 * session. Returns the problem for the caller to show.
 */
export function useProblems(): (error: unknown) => Problem {
  const { lang } = useT();
  const sessionEnded = useContext(SessionEndedContext);
  return (error) => {
    const problem = problemOf(error, lang);
    if (problem.kind === 'session') sessionEnded();
    return problem;
  };
}

/**
 * A problem in the window: blue (the servers cannot be reached, with Riprova),
 * or an alert with the explanation; a 409 adds that the state was redrawn.
 */
export function ProblemBanner(props: { problem: Problem; onRetry?: () => void; children?: ComponentChildren }) {
  const { t } = useT();
  const { problem } = props;
  if (problem.kind === 'unreachable') {
    return (
      <div class="notice notice-blue banner" role="alert">
        <p class="notice-label">{t('notice.colour.blue')}</p>
        <p>{problem.text}</p>
        {props.onRetry && (
          <button type="button" onClick={props.onRetry}>
            {t('common.retry')}
          </button>
        )}
      </div>
    );
  }
  return (
    <div class={`banner banner-${problem.kind}`} role="alert">
      <p>
        <strong>{t('error.title')}: </strong>
        {problem.text}
        {problem.kind === 'conflict' ? ` ${t('error.conflictRedrawn')}` : ''}
      </p>
      {props.children}
    </div>
  );
}
