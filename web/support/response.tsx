/**
 * The phone workflow (issue 13 item 1): find the customer, the release
 * preselected from its open challenge, the 15 digits with the per-group typo
 * check as they are typed (the group is named before anything is sent), and the
 * response in three groups to read aloud. Every generation is audited by the API.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { CodeFields, type CodeValue, codeComplete, EMPTY_CODE } from '../common/code-fields';
import { formatTime } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { type CustomerMatch, type CustomerUpdate, type ReleaseList, type ResponseAnswer, useConsoleApi } from './api';
import { Forbidden, isForbidden, Loading, Show, useLoad } from './common';
import { go, href } from './route';
import { useCT } from './texts';

export function ConfirmationResponse(props: { customerId?: string }) {
  const { t } = useCT();
  return (
    <section class="panel" aria-labelledby="response-h">
      <h2 id="response-h">{t('response.title')}</h2>
      <p>{t('response.intro')}</p>
      {props.customerId ? <CustomerResponse customerId={props.customerId} /> : <CustomerSearch />}
    </section>
  );
}

function CustomerSearch() {
  const { t } = useCT();
  const api = useConsoleApi();
  const problems = useProblems();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);
  const [found, setFound] = useState<{ q: string; customers: CustomerMatch[] }>();
  const [problem, setProblem] = useState<Problem>();
  useEffect(() => input.current?.focus(), []);

  const search = async () => {
    const text = q.trim();
    if (!text) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const { customers } = await api.searchCustomers(text);
      // One match: straight to it (the fastest path on the phone).
      if (customers.length === 1) go({ page: 'response', customerId: customers[0]!.customerId });
      else setFound({ q: text, customers });
    } catch (error) {
      setProblem(problems(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label for={`${id}-q`}>{t('response.search')}</label>
        <input id={`${id}-q`} ref={input} type="search" autoComplete="off" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy || !q.trim()}>
          {t('response.searchButton')}
        </button>
      </form>
      {problem && <ProblemBanner problem={problem} />}
      {found &&
        (found.customers.length === 0 ? (
          <p role="status">{t('response.noResults', { q: found.q })}</p>
        ) : (
          <nav aria-label={t('response.results')}>
            <ul class="results">
              {found.customers.map((c) => (
                <li key={c.customerId}>
                  <a href={href({ page: 'response', customerId: c.customerId })}>
                    {c.name} <span class="muted">({c.customerId})</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ))}
    </>
  );
}

function CustomerResponse(props: { customerId: string }) {
  const api = useConsoleApi();
  const [state, reload] = useLoad(async () => {
    // The customer first: an agent not assigned to it gets the 403 page before anything else is read.
    const customer = await api.customerUpdate(props.customerId);
    // The catalog is for staff; an agent picks among the releases the customer has a challenge open for.
    const releases = await api.releases().catch((error: unknown) => {
      if (isForbidden(error)) return { catalogVersion: 0, latestVersion: null, releases: [] } satisfies ReleaseList;
      throw error;
    });
    return [customer, releases] as const;
  });
  return (
    <Show state={state} onRetry={reload}>
      {([customer, releases]) => <ResponseForm customer={customer} releases={releases} />}
    </Show>
  );
}

function ResponseForm(props: { customer: CustomerUpdate; releases: ReleaseList }) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const problems = useProblems();
  const id = useId();
  const { customer } = props;
  const open = customer.openChallenges[0];
  const coded = props.releases.releases.filter((r) => r.requiresConfirmationCode && r.rolloutPhase !== 'withdrawn').map((r) => r.version);
  const versions = open && !coded.includes(open.version) ? [open.version, ...coded] : coded;
  const [version, setVersion] = useState(open?.version ?? versions[versions.length - 1] ?? '');
  const [challenge, setChallenge] = useState<CodeValue>(EMPTY_CODE);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ResponseAnswer>();
  const [problem, setProblem] = useState<Problem>();
  const [forbidden, setForbidden] = useState(false);
  const result = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (answer) result.current?.focus();
    else document.querySelector<HTMLInputElement>('.code-fields input')?.focus();
  }, [answer]);

  if (forbidden) return <Forbidden />;

  const generate = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      setAnswer(await api.confirmationResponse(customer.customerId, version, challenge));
    } catch (error) {
      if (isForbidden(error)) setForbidden(true);
      else setProblem(problems(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="response">
      <dl class="facts">
        <dt>{t('response.customer')}</dt>
        <dd>
          {customer.name} <span class="muted">({customer.customerId})</span> ·{' '}
          <a href={href({ page: 'response' })}>{t('response.change')}</a>
        </dd>
        <dt>{t('response.desktopVersion')}</dt>
        <dd>{customer.desktopVersion ?? '—'}</dd>
      </dl>
      <p class={open ? 'note-ok' : 'note-warn'} role="status">
        {open
          ? t('response.openChallenge', { version: open.version, time: formatTime(lang, open.expiresAt), n: open.attemptsLeft })
          : t('response.noChallenge')}
      </p>
      {answer ? (
        <section class="readout" aria-labelledby={`${id}-a`}>
          <h3 id={`${id}-a`} tabIndex={-1} ref={result}>
            {t('response.answer')} · {answer.version}
          </h3>
          <p>{t('response.readAloud')}</p>
          <ol class="readout-groups">
            {answer.response.split('-').map((group, i) => (
              <li key={group + i} aria-label={`${t('response.group', { n: i + 1 })}: ${group.split('').join(' ')}`}>
                <span class="readout-label">{t('response.group', { n: i + 1 })}</span>
                <span class="readout-digits">{group}</span>
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => {
              setAnswer(undefined);
              setChallenge(EMPTY_CODE);
            }}
          >
            {t('response.another')}
          </button>
        </section>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (codeComplete(challenge) && version) void generate();
          }}
        >
          <label for={`${id}-v`}>{t('response.release')}</label>
          <select id={`${id}-v`} value={version} onChange={(e) => setVersion(e.currentTarget.value)}>
            {versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
          <CodeFields legend={t('response.challenge')} value={challenge} onChange={setChallenge} disabled={busy} />
          {problem && <ProblemBanner problem={problem} />}
          <button type="submit" class="primary" disabled={busy || !version || !codeComplete(challenge)}>
            {t('response.generate')}
          </button>
          {busy && <Loading />}
        </form>
      )}
    </div>
  );
}
