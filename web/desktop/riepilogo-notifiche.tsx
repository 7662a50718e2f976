/**
 * "Riepilogo notifiche": after START UPDATE, END UPDATE (Fine aggiornamento) and
 * ERROR UPDATE (Attiva tutte le device e invia push), the outcome for each
 * device — in words, not only colour — and what to do for the ones not reached.
 */
import type { DeviceSummary, PushAnswer } from '../common/api';
import { Dialog } from '../common/dialog';
import { useT } from '../common/i18n';
import { operatorName } from '../common/format';

export type PushCommandName = 'START_UPDATE' | 'END_UPDATE' | 'ERROR_UPDATE';

const reached = (d: DeviceSummary) => d.outcome === 'sent' || d.outcome === 'skipped-already-sent';

export function RiepilogoNotifiche(props: { command: PushCommandName; answer: PushAnswer; onClose: () => void }) {
  const { lang, t } = useT();
  const { summary } = props.answer;
  const failed = summary.devices.filter((d) => !reached(d));
  return (
    <Dialog
      title={t(`summary.title.${props.command}`)}
      wide
      onCancel={props.onClose}
      actions={[{ label: t('common.ok'), onClick: props.onClose, primary: true, autoFocus: true }]}
    >
      {summary.counts ? (
        <p>
          {t('summary.counts', {
            sent: summary.counts.sent,
            failed: summary.counts.failed,
            skipped: summary.counts.skippedAlreadySent,
            noToken: summary.counts.noToken,
          })}
        </p>
      ) : (
        <p>{t('summary.queued', { devices: (summary as { queued?: { devices?: number } }).queued?.devices ?? 0 })}</p>
      )}
      {!summary.complete && summary.counts && <p class="warning">{t('summary.incomplete')}</p>}
      <ul class="summary-list">
        {summary.devices.map((d) => (
          <li key={d.serial} class={reached(d) ? 'summary-ok' : 'summary-failed'}>
            <span class="summary-mark" aria-hidden="true">
              {reached(d) ? '✓' : '✗'}
            </span>{' '}
            <strong>{t('summary.device', { operator: operatorName(d.operator, lang), serial: d.serial })}</strong>:{' '}
            <span class="summary-outcome">
              {d.outcome === 'sent' ? t('summary.sent') : d.outcome === 'skipped-already-sent' ? t('summary.skipped') : t('summary.failed')}
            </span>
            {' — '}
            {d.message[lang]}
          </li>
        ))}
      </ul>
      {props.command === 'START_UPDATE' && summary.devices.some(reached) && <p>{t('summary.okHint.START_UPDATE')}</p>}
      {failed.length > 0 && (
        <p class="warning">{props.command === 'ERROR_UPDATE' ? t('summary.failHint.ERROR_UPDATE') : t('summary.failHint')}</p>
      )}
    </Dialog>
  );
}
