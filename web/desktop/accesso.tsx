/**
 * What the page shows before (or instead of) the windows: opening, no ticket
 * (a saved or typed link), a ticket refused (expired, not valid, already used),
 * the window's session ended — each saying how to reopen it from the desktop —
 * and the blue notice with Riprova when the servers cannot be reached.
 */
import { feedUnreachableNotice } from '../../shared/feed/notice';
import { type Lang, type TextKey, useT } from '../common/i18n';

export type AccessState =
  | { kind: 'opening' }
  | { kind: 'no-ticket' }
  | { kind: 'refused'; code: string; texts: Readonly<Record<Lang, string>> }
  | { kind: 'unreachable' }
  | { kind: 'ended' };

const TITLES: Record<Exclude<AccessState['kind'], 'opening' | 'unreachable'>, TextKey> = {
  'no-ticket': 'access.noTicket.title',
  refused: 'access.ticketInvalid.title',
  ended: 'access.sessionEnded.title',
};

export function Accesso(props: { state: AccessState; onRetry: () => void }) {
  const { lang, t } = useT();
  const { state } = props;
  if (state.kind === 'opening') {
    return (
      <section class="window" aria-labelledby="access-title">
        <h2 id="access-title">{t('access.opening')}</h2>
      </section>
    );
  }
  if (state.kind === 'unreachable') {
    const notice = feedUnreachableNotice();
    return (
      <section class="window" aria-labelledby="access-title">
        <h2 id="access-title">{t('notice.heading')}</h2>
        <div class="notice notice-blue" role="alert">
          <p class="notice-label">{t('notice.colour.blue')}</p>
          <p class="notice-text">{notice.text?.[lang]}</p>
          <div class="notice-actions">
            <button type="button" class="primary" onClick={props.onRetry}>
              {t('common.retry')}
            </button>
          </div>
        </div>
      </section>
    );
  }
  const title = state.kind === 'refused' && state.code === 'WINDOW_TICKET_USED' ? 'access.ticketUsed.title' : TITLES[state.kind];
  return (
    <section class="window" aria-labelledby="access-title">
      <h2 id="access-title">{t(title)}</h2>
      <p>
        {state.kind === 'refused' ? state.texts[lang] : state.kind === 'ended' ? t('access.sessionEnded.text') : t('access.noTicket.text')}
      </p>
      <p class="reopen">{t('access.reopen')}</p>
    </section>
  );
}
