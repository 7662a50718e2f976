/**
 * Failed updates and open reports (issue 13 item 3): every customer whose
 * update ended abnormally and every report an admin sent, newest first; each
 * leads to the customer's update page (log, history, resolve).
 */
import { formatDateTime } from '../common/i18n';
import { useConsoleApi } from './api';
import { Show, useLoad } from './common';
import { href } from './route';
import { useCT } from './texts';

export function FailedUpdates() {
  const { lang, t } = useCT();
  const api = useConsoleApi();
  const [state, reload] = useLoad(() => Promise.all([api.failedUpdates(), api.cases()]));
  return (
    <section class="panel" aria-labelledby="failed-h">
      <div class="panel-head">
        <h2 id="failed-h">{t('failed.title')}</h2>
        <button type="button" onClick={reload}>
          {t('failed.refresh')}
        </button>
      </div>
      <p>{t('failed.intro')}</p>
      <Show state={state} onRetry={reload}>
        {([failed, cases]) => (
          <>
            {failed.failedUpdates.length === 0 ? (
              <p role="status">{t('failed.none')}</p>
            ) : (
              <table class="list">
                <caption class="visually-hidden">{t('failed.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('failed.customer')}</th>
                    <th scope="col">{t('failed.state')}</th>
                    <th scope="col">{t('failed.versions')}</th>
                    <th scope="col">{t('failed.since')}</th>
                    <th scope="col">{t('failed.case')}</th>
                  </tr>
                </thead>
                <tbody>
                  {failed.failedUpdates.map((f) => (
                    <tr key={f.customerId}>
                      <th scope="row">
                        <a href={href({ page: 'customer', customerId: f.customerId })}>{f.customerId}</a>
                      </th>
                      <td>{t(`state.${f.state}`)}</td>
                      <td>
                        {f.fromVersion ?? '—'} → {f.targetVersion ?? '—'}
                      </td>
                      <td>{formatDateTime(lang, f.since)}</td>
                      <td>{f.supportCaseId ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>{t('failed.cases')}</h3>
            {cases.cases.length === 0 ? (
              <p role="status">{t('failed.noCases')}</p>
            ) : (
              <table class="list">
                <caption class="visually-hidden">{t('failed.cases')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('failed.customer')}</th>
                    <th scope="col">{t('failed.since')}</th>
                    <th scope="col">{t('failed.versions')}</th>
                    <th scope="col">{t('failed.reportedBy')}</th>
                    <th scope="col">{t('failed.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {cases.cases.map((c) => (
                    <tr key={c.caseId}>
                      <th scope="row">
                        <a href={href({ page: 'customer', customerId: c.customerId })}>{c.customerId}</a>
                      </th>
                      <td>{formatDateTime(lang, c.createdAt)}</td>
                      <td>
                        {c.fromVersion ?? '—'} → {c.targetVersion ?? '—'}
                      </td>
                      <td>{c.reportedBy}</td>
                      <td>{c.message ?? c.failureMessage ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
