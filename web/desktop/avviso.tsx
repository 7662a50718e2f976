/**
 * The startup notice (FEED-4, the manual's "Gestione notifiche"): the coloured
 * box — azzurro, giallo, verde, bianco, rosso — with its buttons. The box also
 * names its colour in words. When the Alturas servers cannot be reached the box
 * is the blue one, with Riprova: never a blank page.
 */
import { useEffect, useState } from 'preact/hooks';
import { feedUnreachableNotice } from '../../shared/feed/notice';
import { type Notice, type PushAnswer, type WindowNotice, useApi } from '../common/api';
import type { NoticeAction } from '../../shared/feed/notice';
import { useT } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { RiepilogoNotifiche } from './riepilogo-notifiche';
import { SegnalazioneAssistenza } from './segnalazione-assistenza';

/** The windows the notice's buttons open. */
export type WindowView = { kind: 'notice' } | { kind: 'gestione' } | { kind: 'preliminare'; version: string } | { kind: 'mobile' };

type DialogState = { kind: 'summary'; answer: PushAnswer } | { kind: 'report' };

export function Avviso(props: { onOpen: (view: WindowView) => void; message?: string }) {
  const api = useApi();
  const { lang, t } = useT();
  const toProblem = useProblems();
  const [answer, setAnswer] = useState<WindowNotice>();
  const [problem, setProblem] = useState<Problem>();
  const [info, setInfo] = useState(props.message);
  const [dialog, setDialog] = useState<DialogState>();
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setBusy(true);
    try {
      setAnswer(await api.notice());
      setProblem(undefined);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => void load(), []);

  const press = async (action: NoticeAction, notice: Notice) => {
    setInfo(undefined);
    switch (action.id) {
      case 'manage-update':
        // A release needing a code opens the confirmation window first (CODE-1).
        props.onOpen(
          notice.kind === 'contact-support' && notice.version ? { kind: 'preliminare', version: notice.version } : { kind: 'gestione' },
        );
        return;
      case 'reactivate-devices':
        props.onOpen({ kind: 'gestione' });
        return;
      case 'send-report':
        setDialog({ kind: 'report' });
        return;
      case 'finish-update':
        // Fine aggiornamento: END UPDATE to every device, the summary, then the window.
        setBusy(true);
        try {
          setDialog({ kind: 'summary', answer: await api.sendEndUpdate() });
        } catch (error) {
          setProblem(toProblem(error));
          await load();
        } finally {
          setBusy(false);
        }
        return;
      case 'update-details':
        return;
    }
  };

  const unreachable = problem?.kind === 'unreachable';
  const notice: Notice | undefined = unreachable ? feedUnreachableNotice() : answer?.notice;

  return (
    <section class="window" aria-labelledby="notice-title">
      <h2 id="notice-title">{t('notice.heading')}</h2>
      {info && (
        <p class="info" role="status">
          {info}
        </p>
      )}
      {!notice && !problem && <p role="status">{t('common.loading')}</p>}
      {notice && notice.colour === 'none' && <p class="notice notice-none">{t('notice.none')}</p>}
      {notice && notice.colour !== 'none' && notice.text && (
        <div class={`notice notice-${notice.colour}`} role={unreachable ? 'alert' : undefined}>
          <p class="notice-label">
            {t(`notice.colour.${notice.colour}`)}
            {notice.version && ` · ${t('notice.version', { version: notice.version })}`}
          </p>
          <p class="notice-text">{notice.text[lang]}</p>
          <div class="notice-actions">
            {unreachable && (
              <button type="button" class="primary" disabled={busy} onClick={() => void load()}>
                {t('common.retry')}
              </button>
            )}
            {notice.actions.map((a) =>
              a.url ? (
                <a key={a.id} class="button-link" href={a.url} target="_blank" rel="noopener noreferrer">
                  {a.label[lang]} <span class="sr-only">{t('notice.opensNewWindow')}</span>
                </a>
              ) : (
                <button key={a.id} type="button" class="primary" disabled={busy} onClick={() => void press(a, notice)}>
                  {a.label[lang]}
                </button>
              ),
            )}
          </div>
        </div>
      )}
      {problem && !unreachable && <ProblemBanner problem={problem} />}
      {answer && !unreachable && <p class="hint">{t('notice.desktopVersion', { version: answer.desktopVersion })}</p>}
      <p class="hint">{t('notice.adminNote')}</p>
      {dialog?.kind === 'summary' && (
        <RiepilogoNotifiche command="END_UPDATE" answer={dialog.answer} onClose={() => props.onOpen({ kind: 'gestione' })} />
      )}
      {dialog?.kind === 'report' && (
        <SegnalazioneAssistenza
          onClose={(caseId) => {
            setDialog(undefined);
            if (caseId) setInfo(t('report.done', { caseId }));
            void load();
          }}
        />
      )}
    </section>
  );
}
