/**
 * A customer's update as support sees it: the session, the installer's
 * message, the desktop's log, the session's history (the audit trail's
 * `session.` entries) and *Risolvi*, which clears the failure so the customer
 * may retry. An agent not assigned to the customer gets the 403 page only.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { Dialog } from '../common/dialog';
import { formatDateTime } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { type AuditEntry, type CustomerUpdate, type SessionLog, useConsoleApi } from './api';
import { Forbidden, isForbidden, Loading, Show, useLoad } from './common';
import { CustomerCardView } from './customer-card';
import { href } from './route';
import { useCT } from './texts';

export function CustomerPage(props: { customerId: string; role?: 'staff' | 'agent' }) {
  const api = useConsoleApi();
  const [state, reload] = useLoad(async () => {
    // The customer first: an agent not assigned to it gets the 403 page before anything else is read.
    const update = await api.customerUpdate(props.customerId);
    const [audit, card] = await Promise.all([api.audit(props.customerId, 'session.'), api.customerCard(props.customerId)]);
    const history = update.session.sessionId
      ? audit.entries.filter((e) => e.details?.sessionId === undefined || e.details.sessionId === update.session.sessionId)
      : [];
    return { update, history, card };
  });
  return (
    <Show state={state} onRetry={reload}>
      {({ update, history, card }) => (
        <>
          <UpdateView update={update} history={history} onChanged={reload} />
          <div class="panel">
            <CustomerCardView
              customerId={update.customerId}
              card={card}
              desktopVersion={update.desktopVersion}
              staff={props.role === 'staff'}
            />
          </div>
          <div class="panel">
            <AuditTrail customerId={update.customerId} />
          </div>
        </>
      )}
    </Show>
  );
}

function UpdateView(props: { update: CustomerUpdate; history: AuditEntry[]; onChanged: () => void }) {
  const { lang, t } = useCT();
  const { update } = props;
  const s = update.session;
  const failed = s.state === 'failed' || s.state === 'reactivated';
  const [note, setNote] = useState<string>();
  return (
    <section class="panel" aria-labelledby="customer-h">
      <h2 id="customer-h">{t('customer.title', { name: update.name })}</h2>
      {note && (
        <p class="note-ok" role="status">
          {note}
        </p>
      )}
      <dl class="facts">
        <dt>{t('response.customer')}</dt>
        <dd>
          {update.name} <span class="muted">({update.customerId})</span>
        </dd>
        <dt>{t('response.desktopVersion')}</dt>
        <dd>{update.desktopVersion ?? '—'}</dd>
        <dt>{t('customer.state')}</dt>
        <dd class={failed ? 'state-failed' : undefined}>{t(`state.${s.state}`)}</dd>
        {s.fromVersion && (
          <>
            <dt>{t('customer.from')}</dt>
            <dd>{s.fromVersion}</dd>
          </>
        )}
        {s.targetVersion && (
          <>
            <dt>{t('customer.target')}</dt>
            <dd>{s.targetVersion}</dd>
          </>
        )}
        {s.startedBy && (
          <>
            <dt>{t('customer.startedBy')}</dt>
            <dd>
              {s.startedBy} · {formatDateTime(lang, s.startedAt)}
            </dd>
          </>
        )}
        <dt>{t('customer.updatedAt')}</dt>
        <dd>{formatDateTime(lang, s.updatedAt)}</dd>
        {s.failureMessage && (
          <>
            <dt>{t('customer.failure')}</dt>
            <dd>{s.failureMessage}</dd>
          </>
        )}
      </dl>
      <p>
        <a href={href({ page: 'response', customerId: update.customerId })}>{t('customer.response')}</a>
      </p>
      {failed && (
        <Resolve
          customerId={update.customerId}
          onResolved={() => {
            setNote(t('customer.resolved'));
            props.onChanged();
          }}
        />
      )}
      {s.hasLog && <Log customerId={update.customerId} />}
      <History entries={props.history} />
    </section>
  );
}

function Log(props: { customerId: string }) {
  const { t } = useCT();
  const api = useConsoleApi();
  const problems = useProblems();
  const [log, setLog] = useState<SessionLog | 'loading'>();
  const [problem, setProblem] = useState<Problem>();
  const [forbidden, setForbidden] = useState(false);
  if (forbidden) return <Forbidden />;
  const show = async () => {
    setLog('loading');
    setProblem(undefined);
    try {
      setLog(await api.sessionLog(props.customerId));
    } catch (error) {
      setLog(undefined);
      if (isForbidden(error)) setForbidden(true);
      else setProblem(problems(error));
    }
  };
  return (
    <section aria-labelledby="log-h">
      <h3 id="log-h">{t('customer.log')}</h3>
      {problem && <ProblemBanner problem={problem} />}
      {log === undefined ? (
        <button type="button" onClick={() => void show()}>
          {t('customer.showLog')}
        </button>
      ) : log === 'loading' ? (
        <Loading />
      ) : (
        <>
          {log.truncated && <p class="muted">{t('customer.logTruncated')}</p>}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls; keyboard users must reach it */}
          <pre class="log" tabIndex={0}>
            {log.text || t('customer.noLog')}
          </pre>
        </>
      )}
    </section>
  );
}

function History(props: { entries: AuditEntry[] }) {
  const { t } = useCT();
  return (
    <section aria-labelledby="history-h">
      <h3 id="history-h">{t('customer.history')}</h3>
      {props.entries.length === 0 ? (
        <p>{t('customer.noHistory')}</p>
      ) : (
        <AuditTable caption={t('customer.history')} entries={props.entries} />
      )}
    </section>
  );
}

function AuditTable(props: { caption: string; entries: AuditEntry[] }) {
  const { lang, t } = useCT();
  return (
    <table class="list">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('customer.when')}</th>
          <th scope="col">{t('customer.what')}</th>
          <th scope="col">{t('customer.who')}</th>
          <th scope="col">{t('customer.outcome')}</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr key={e.eventId}>
            <td>{formatDateTime(lang, e.at)}</td>
            <td>
              <code>{e.action}</code>
              {e.fromState && e.toState ? ` (${e.fromState} → ${e.toState})` : ''}
            </td>
            <td>{e.actor.id}</td>
            <td>{t(`outcome.${e.outcome}`)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the audit trail can be narrowed to: every entry, or one family of actions (a prefix the route filters on). */
const AUDIT_FAMILIES = ['', 'session.', 'code.', 'device.', 'user.', 'workstation.', 'licence.', 'customer.'] as const;
const AUDIT_PAGE = 50;

/** The customer's whole audit trail, newest first, 50 entries a page, narrowed to one family of actions if asked. */
function AuditTrail(props: { customerId: string }) {
  const { t } = useCT();
  const api = useConsoleApi();
  const problems = useProblems();
  const [family, setFamily] = useState<(typeof AUDIT_FAMILIES)[number]>('');
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const id = useId();

  const load = async (from: (typeof AUDIT_FAMILIES)[number], after?: string) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const page = await api.audit(props.customerId, from || undefined, after, AUDIT_PAGE);
      setEntries((shown) => (after ? [...(shown ?? []), ...page.entries] : page.entries));
      setCursor(page.cursor ?? null);
    } catch (error) {
      setProblem(problems(error));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load(family);
  }, [family, props.customerId]);

  return (
    <section aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('audit.title')}</h3>
      <div class="field">
        <label for={`${id}-f`}>{t('audit.family')}</label>
        <select id={`${id}-f`} value={family} onChange={(e) => setFamily(e.currentTarget.value as (typeof AUDIT_FAMILIES)[number])}>
          {AUDIT_FAMILIES.map((f) => (
            <option key={f} value={f}>
              {f ? f.slice(0, -1) : t('audit.all')}
            </option>
          ))}
        </select>
      </div>
      {problem && <ProblemBanner problem={problem} />}
      {entries && entries.length === 0 && <p>{t('audit.none')}</p>}
      {entries && entries.length > 0 && <AuditTable caption={t('audit.title')} entries={entries} />}
      {cursor && (
        <button type="button" disabled={busy} onClick={() => void load(family, cursor)}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}

function Resolve(props: { customerId: string; onResolved: () => void }) {
  const { t } = useCT();
  const api = useConsoleApi();
  const problems = useProblems();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [resolution, setResolution] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [forbidden, setForbidden] = useState(false);
  if (forbidden) return <Forbidden />;
  const resolve = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await api.resolve(props.customerId, resolution.trim());
      setOpen(false);
      props.onResolved();
    } catch (error) {
      if (isForbidden(error)) setForbidden(true);
      else setProblem(problems(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="primary" onClick={() => setOpen(true)}>
        {t('customer.resolve')}
      </button>
      {open && (
        <Dialog
          title={t('customer.resolveTitle')}
          busy={busy}
          busyText={t('dialog.busy')}
          onCancel={() => setOpen(false)}
          actions={[
            { label: t('dialog.cancel'), onClick: () => setOpen(false) },
            { label: t('customer.resolve'), primary: true, disabled: !resolution.trim(), onClick: () => void resolve() },
          ]}
        >
          <p>{t('customer.resolveText')}</p>
          <label for={`${id}-r`}>{t('customer.resolution')}</label>
          <textarea id={`${id}-r`} rows={3} maxLength={2000} value={resolution} onInput={(e) => setResolution(e.currentTarget.value)} />
          {problem && <ProblemBanner problem={problem} />}
        </Dialog>
      )}
    </>
  );
}
