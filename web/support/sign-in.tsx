/**
 * The console's sign-in page: a button to the staff user pool's hosted sign-in
 * (web/support/session.ts). After an expired sign-in it says so; the person
 * comes back to the page they were on.
 */
import { useState } from 'preact/hooks';
import { type Problem, ProblemBanner, useProblems } from '../common/problems';
import { SignInError, type StaffSession } from './session';
import { useCT } from './texts';

export function SignIn(props: { session: StaffSession; expired: boolean; failure?: string }) {
  const { t } = useCT();
  const problems = useProblems();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [failure, setFailure] = useState(props.failure);
  const go = async () => {
    setBusy(true);
    setProblem(undefined);
    setFailure(undefined);
    try {
      await props.session.signIn(location.hash || '#/');
    } catch (error) {
      setBusy(false);
      if (error instanceof SignInError) setFailure(error.message);
      else setProblem(problems(error));
    }
  };
  return (
    <section class="panel sign-in" aria-labelledby="sign-in-h">
      <h2 id="sign-in-h">{t('signIn.title')}</h2>
      {props.expired && (
        <p class="banner banner-session" role="alert">
          {t('signIn.expired')}
        </p>
      )}
      {failure && (
        <p class="banner banner-error" role="alert">
          {t('signIn.failed', { reason: failure })}
        </p>
      )}
      {problem && <ProblemBanner problem={problem} />}
      <p>{t('signIn.text')}</p>
      <button type="button" class="primary" disabled={busy} onClick={() => void go()}>
        {t('signIn.submit')}
      </button>
    </section>
  );
}
