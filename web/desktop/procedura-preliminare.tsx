/**
 * "Procedura preliminare di aggiornamento" (CODE-1…4): for a release that needs
 * a confirmation code. Opening the window generates the code to read to
 * support or the agent (three read-only groups of five digits); their answer
 * goes in the three fields below, each checked as it is typed, and AVVIA
 * AGGIORNAMENTO submits it. A wrong code: the manual's message at the bottom.
 */
import { useEffect, useState } from 'preact/hooks';
import { parseCode } from '../../shared/codes/code-format';
import { type ChallengeAnswer, useApi } from '../common/api';
import { CodeFields, type CodeValue, codeComplete, EMPTY_CODE } from '../common/code-fields';
import { useT } from '../common/i18n';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';

export function ProceduraPreliminare(props: { version: string; onClose: (message?: string) => void }) {
  const api = useApi();
  const { lang, t } = useT();
  const toProblem = useProblems();
  const [challenge, setChallenge] = useState<ChallengeAnswer>();
  const [response, setResponse] = useState<CodeValue>(EMPTY_CODE);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [confirmed, setConfirmed] = useState(false);

  const open = async () => {
    setProblem(undefined);
    try {
      // Each opening voids the previous code (CODE-1): opened once per window.
      setChallenge(await api.openChallenge(props.version));
    } catch (error) {
      setProblem(toProblem(error));
    }
  };
  useEffect(() => void open(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = parseCode(response);
    if (!parsed.ok) {
      setProblem({ kind: 'error', code: parsed.reason === 'TYPO' ? 'CODE_TYPO' : 'CODE_FORMAT', text: parsed.messages[lang] });
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      await api.submitConfirmation(props.version, response);
      setConfirmed(true);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="window" aria-labelledby="prelim-title">
      <h2 id="prelim-title">{t('prelim.title')}</h2>
      <p class="intro">{t('prelim.intro', { version: props.version })}</p>
      {challenge && (
        <>
          <CodeFields legend={t('prelim.challenge')} value={challenge.groups as unknown as CodeValue} readOnly />
          <p class="hint">{t('prelim.challengeHelp')}</p>
          <form onSubmit={submit}>
            <CodeFields legend={t('prelim.response')} value={response} onChange={setResponse} disabled={confirmed} />
            <div class="toolbar">
              <button type="submit" class="primary" disabled={busy || confirmed || !codeComplete(response)}>
                {t('prelim.submit')}
              </button>
            </div>
          </form>
        </>
      )}
      {!challenge && !problem && <p role="status">{t('common.loading')}</p>}
      {busy && <p role="status">{t('common.busy')}</p>}
      {confirmed && (
        <p class="success" role="status">
          {t('prelim.done')}
        </p>
      )}
      {problem && (
        <ProblemBanner problem={problem} onRetry={problem.kind === 'unreachable' ? (challenge ? undefined : open) : undefined}>
          {typeof problem.body?.attemptsLeft === 'number' && !problem.text.includes(String(problem.body.attemptsLeft)) && (
            <p>{t('code.attemptsLeft', { n: problem.body.attemptsLeft })}</p>
          )}
        </ProblemBanner>
      )}
      <div class="window-footer">
        <button type="button" onClick={() => props.onClose(confirmed ? t('prelim.done') : undefined)}>
          {t('common.close')}
        </button>
      </div>
    </section>
  );
}
