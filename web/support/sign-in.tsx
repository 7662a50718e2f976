/**
 * The console's sign-in page. It asks for what the session module
 * (web/support/session.ts) needs; after an expired sign-in it says so, and the
 * shell returns the person to the page they were on.
 */
import { useId, useState } from 'preact/hooks';
import type { StaffSession } from './session';
import { useCT } from './texts';

export function SignIn(props: { session: StaffSession; expired: boolean; onSignedIn: (who: string) => void }) {
  const { t } = useCT();
  const id = useId();
  const [key, setKey] = useState('');
  const [identity, setIdentity] = useState('');
  return (
    <section class="panel sign-in" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('signIn.title')}</h2>
      {props.expired && (
        <p class="banner banner-session" role="alert">
          {t('signIn.expired')}
        </p>
      )}
      <p>{t('signIn.text')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!key) return;
          props.onSignedIn(props.session.signIn({ key, identity }).who);
        }}
      >
        <label for={`${id}-k`}>{t('signIn.key')}</label>
        <input
          id={`${id}-k`}
          type="password"
          autoComplete="current-password"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <label for={`${id}-i`}>{t('signIn.identity')}</label>
        <input id={`${id}-i`} type="text" autoComplete="username" value={identity} onInput={(e) => setIdentity(e.currentTarget.value)} />
        <button type="submit" class="primary">
          {t('signIn.submit')}
        </button>
      </form>
    </section>
  );
}
