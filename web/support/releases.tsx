/**
 * Releases (issue 13 item 4): the catalog, and each release's rollout — plan,
 * phase, per-wave progress — with pause, resume and withdraw. Every action is
 * conditional on the revision shown: if someone changed the rollout meanwhile,
 * the page says so and shows it as it now is.
 */
import { useId, useState } from 'preact/hooks';
import { Dialog } from '../common/dialog';
import { formatDateTime } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { ApiError, type RolloutProgress, useConsoleApi } from './api';
import { Show, useLoad } from './common';
import { href } from './route';
import { useCT } from './texts';

export function Releases(props: { role?: 'staff' | 'agent' }) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const [state, reload] = useLoad(() => api.releases());
  return (
    <section class="panel" aria-labelledby="releases-h">
      <div class="panel-head">
        <h2 id="releases-h">{t('releases.title')}</h2>
        {/* Publishing is for staff: an agent's page (403 anyway) offers no way to it. */}
        {props.role === 'staff' && (
          <a class="button primary" href={href({ page: 'publish' })}>
            {t('publish.title')}
          </a>
        )}
      </div>
      <Show state={state} onRetry={reload}>
        {(list) =>
          list.releases.length === 0 ? (
            <p>{t('releases.none')}</p>
          ) : (
            <table class="list">
              <caption class="visually-hidden">{t('releases.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('releases.version')}</th>
                  <th scope="col">{t('releases.published')}</th>
                  <th scope="col">{t('releases.code')}</th>
                  <th scope="col">{t('releases.phase')}</th>
                </tr>
              </thead>
              <tbody>
                {[...list.releases].reverse().map((r) => (
                  <tr key={r.version}>
                    <th scope="row">
                      <a href={href({ page: 'rollout', version: r.version })}>{r.version}</a>
                      {r.version === list.latestVersion ? ` ${t('releases.latest')}` : ''}
                    </th>
                    <td>{formatDateTime(lang, r.publishedAt)}</td>
                    <td>{r.requiresConfirmationCode ? (lang === 'it' ? 'Sì' : 'Yes') : lang === 'it' ? 'No' : 'No'}</td>
                    <td>{t(`phase.${r.rolloutPhase}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

export function Rollout(props: { version: string }) {
  const { t } = useCT();
  const api = useConsoleApi();
  const [state, reload] = useLoad(() => api.rollout(props.version));
  return (
    <section class="panel" aria-labelledby="rollout-h">
      <h2 id="rollout-h">{t('rollout.title', { version: props.version })}</h2>
      <p>
        <a href={href({ page: 'releases' })}>{t('rollout.back')}</a>
      </p>
      <Show state={state} onRetry={reload}>
        {(rollout) => <RolloutDetail rollout={rollout} onChanged={reload} />}
      </Show>
    </section>
  );
}

function RolloutDetail(props: { rollout: RolloutProgress; onChanged: () => void }) {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const problems = useProblems();
  const id = useId();
  const r = props.rollout;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [note, setNote] = useState<string>();
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');

  const act = async (run: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(undefined);
    setNote(undefined);
    try {
      await run();
      setWithdrawing(false);
      setNote(t('rollout.done'));
      props.onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'ROLLOUT_CONFLICT') {
        setWithdrawing(false);
        setNote(t('rollout.changed'));
        props.onChanged();
      } else setProblem(problems(error));
    } finally {
      setBusy(false);
    }
  };
  const can = (a: string) => r.allowedActions.includes(a as (typeof r.allowedActions)[number]);

  return (
    <>
      {note && (
        <p class="note-ok" role="status">
          {note}
        </p>
      )}
      {problem && <ProblemBanner problem={problem} />}
      <dl class="facts">
        <dt>{t('rollout.phase')}</dt>
        <dd>{r.phaseText[lang]}</dd>
      </dl>
      {r.halt && (
        <p class="note-warn">{t('rollout.halted', { failed: r.halt.failed, started: r.halt.started, percent: r.halt.failedPercent })}</p>
      )}
      {r.withdrawnAt && <p class="note-warn">{t('rollout.withdrawn', { time: formatDateTime(lang, r.withdrawnAt) })}</p>}
      {!r.plan ? (
        <p>{t('rollout.noPlan')}</p>
      ) : (
        <table class="list numbers">
          <caption class="visually-hidden">{t('rollout.title', { version: r.version })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('rollout.wave')}</th>
              <th scope="col">{t('rollout.waveOpen')}</th>
              <th scope="col">{t('rollout.customers')}</th>
              <th scope="col">{t('rollout.offered')}</th>
              <th scope="col">{t('rollout.downloaded')}</th>
              <th scope="col">{t('rollout.started')}</th>
              <th scope="col">{t('rollout.concluded')}</th>
              <th scope="col">{t('rollout.failedCount')}</th>
            </tr>
          </thead>
          <tbody>
            {r.waves.map((w) => (
              <tr key={w.wave}>
                <th scope="row">
                  {w.wave} · {w.kind === 'pilot' ? t('rollout.pilot') : t('rollout.percent', { percent: w.percent ?? 0 })}
                </th>
                <td>{w.open ? (lang === 'it' ? 'Sì' : 'Yes') : 'No'}</td>
                <td>{w.customers}</td>
                <td>{w.offered}</td>
                <td>{w.downloaded}</td>
                <td>{w.started}</td>
                <td>{w.concluded}</td>
                <td>{w.failed}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t('rollout.totals')}</th>
              <td />
              <td />
              <td>{r.totals.offered}</td>
              <td>{r.totals.downloaded}</td>
              <td>{r.totals.started}</td>
              <td>{r.totals.concluded}</td>
              <td>{r.totals.failed}</td>
            </tr>
          </tbody>
        </table>
      )}
      <div class="actions">
        {can('pause') && (
          <button type="button" disabled={busy} onClick={() => void act(() => api.rolloutAction(r.version, 'pause', r.revision))}>
            {t('rollout.pause')}
          </button>
        )}
        {can('resume') && (
          <button type="button" disabled={busy} onClick={() => void act(() => api.rolloutAction(r.version, 'resume', r.revision))}>
            {t('rollout.resume')}
          </button>
        )}
        {can('withdraw') && (
          <button type="button" class="danger" disabled={busy} onClick={() => setWithdrawing(true)}>
            {t('rollout.withdraw')}
          </button>
        )}
      </div>
      {withdrawing && (
        <Dialog
          role="alertdialog"
          title={t('rollout.withdrawTitle', { version: r.version })}
          busy={busy}
          onCancel={() => setWithdrawing(false)}
          actions={[
            { label: t('dialog.cancel'), onClick: () => setWithdrawing(false), autoFocus: true },
            {
              label: t('rollout.withdraw'),
              primary: true,
              onClick: () => void act(() => api.withdraw(r.version, r.revision, reason.trim())),
            },
          ]}
        >
          <p>{t('rollout.withdrawText')}</p>
          <label for={`${id}-w`}>{t('rollout.withdrawReason')}</label>
          <input id={`${id}-w`} type="text" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Dialog>
      )}
    </>
  );
}
