/**
 * "Invia segnalazione all'assistenza" (SES-10): after an abnormal termination,
 * a support case with the session's details and the installer's log, plus an
 * optional message from the administrator. Once per failed update.
 */
import { useState } from 'preact/hooks';
import { useApi } from '../common/api';
import { Dialog } from '../common/dialog';
import { useT } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';

export function SegnalazioneAssistenza(props: { onClose: (caseId?: string) => void; onProblem?: (problem: Problem) => void }) {
  const api = useApi();
  const { t } = useT();
  const toProblem = useProblems();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();

  const send = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const answer = await api.reportToSupport(message.trim() || undefined);
      props.onClose(answer.caseId);
    } catch (error) {
      const p = toProblem(error);
      // A conflict (already reported, or no longer failed) is the window's to redraw.
      if (p.kind === 'conflict' && props.onProblem) props.onProblem(p);
      else setProblem(p);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('report.title')}
      busy={busy}
      busyText={t('common.busy')}
      onCancel={() => props.onClose()}
      actions={[
        { label: t('report.send'), onClick: send, primary: true },
        { label: t('common.cancel'), onClick: () => props.onClose() },
      ]}
    >
      <label class="field">
        <span>{t('report.label')}</span>
        <textarea rows={4} maxLength={4000} value={message} onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
      </label>
      {problem && <ProblemBanner problem={problem} onRetry={problem.kind === 'unreachable' ? send : undefined} />}
    </Dialog>
  );
}
