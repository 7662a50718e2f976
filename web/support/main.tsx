/**
 * The support console (issue 13) at `/support/`, on the API's origin: Alturas
 * support and agents answer the phone from here — confirmation codes, failed
 * updates and their cases, releases and their rollouts. Italian first, English
 * on request. A 401 anywhere ends the sign-in: the person signs in again and
 * comes back to the page they were on; a 403 on a customer is a page of its own.
 */
import '../common/styles.css';
import './console.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type Lang, LangContext } from '../common/i18n';
import { SessionEndedContext } from '../common/problems';
import { ConsoleApi, ConsoleApiProvider } from './api';
import { Loading } from './common';
import { CustomerPage } from './customer';
import { CustomersOverview } from './customers';
import { FailedUpdates } from './failed';
import { PublishRelease } from './publish';
import { Releases, Rollout } from './releases';
import { ConfirmationResponse } from './response';
import { go, href, type Route, useRoute } from './route';
import { StaffSession } from './session';
import { SignIn } from './sign-in';
import { consoleText } from './texts';
import { LanguageSwitch } from '../common/language-switch';

function App() {
  const session = useMemo(() => new StaffSession(location.origin), []);
  const api = useMemo(() => new ConsoleApi(location.origin, session), [session]);
  const [lang, setLang] = useState<Lang>(new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'it');
  const [who, setWho] = useState(session.signedIn?.who);
  const [expired, setExpired] = useState(false);
  // Back from the hosted sign-in (?code=…&state=…): finish it before showing anything.
  const [completing, setCompleting] = useState(() => /[?&](code|error)=/.test(location.search));
  const [failure, setFailure] = useState<string>();
  const route = useRoute();
  const t = (key: Parameters<typeof consoleText>[1], vars?: Record<string, string | number>) => consoleText(lang, key, vars);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('app.title');
  }, [lang]);

  const ended = () => {
    session.rememberReturn(location.hash || '#/');
    session.signOut();
    setExpired(true);
    setWho(undefined);
  };
  const [role, setRole] = useState<'staff' | 'agent'>();
  const signedIn = (name: string) => {
    setWho(name);
    // Releases and rollouts are for staff: an agent's console does not offer them.
    api.me().then(
      (me) => setRole(me.role),
      () => setRole(undefined),
    );
    setExpired(false);
    const back = session.takeReturn();
    if (back && back !== location.hash) location.hash = back;
  };

  session.onEnded = ended;
  useEffect(() => {
    if (!completing) return;
    session
      .completeSignIn()
      .then((done) => done && signedIn(done.who))
      .catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)))
      .finally(() => setCompleting(false));
  }, []);

  const nav = (target: Route, label: string) => {
    const current =
      route.page === target.page ||
      (target.page === 'releases' && (route.page === 'rollout' || route.page === 'publish')) ||
      (target.page === 'customers' && route.page === 'customer');
    return (
      <a href={href(target)} aria-current={current ? 'page' : undefined}>
        {label}
      </a>
    );
  };

  return (
    <LangContext.Provider value={lang}>
      <ConsoleApiProvider value={api}>
        <SessionEndedContext.Provider value={ended}>
          <header class="app-header">
            <h1>{t('app.title')}</h1>
            {who && (
              <nav aria-label={t('app.nav')} class="console-nav">
                {nav({ page: 'response' }, t('nav.response'))}
                {nav({ page: 'customers' }, t('nav.customers'))}
                {nav({ page: 'failed' }, t('nav.failed'))}
                {role === 'staff' && nav({ page: 'releases' }, t('nav.releases'))}
              </nav>
            )}
            {who && <span class="user">{t('app.signedInAs', { who })}</span>}
            {who && (
              <button
                type="button"
                class="lang"
                onClick={() => {
                  session.signOut();
                  setWho(undefined);
                  go({ page: 'response' });
                }}
              >
                {t('app.signOut')}
              </button>
            )}
            <LanguageSwitch lang={lang} label={t('app.switchLanguage')} title={t('app.switchLanguageLabel')} onSwitch={setLang} />
          </header>
          <main>
            {completing ? (
              <Loading />
            ) : !who ? (
              <SignIn session={session} expired={expired} failure={failure} />
            ) : route.page === 'response' ? (
              <ConfirmationResponse key={href(route)} customerId={route.customerId} />
            ) : route.page === 'failed' ? (
              <FailedUpdates key={href(route)} />
            ) : route.page === 'customers' ? (
              <CustomersOverview key={href(route)} />
            ) : route.page === 'customer' ? (
              <CustomerPage key={href(route)} customerId={route.customerId} role={role} />
            ) : route.page === 'releases' ? (
              <Releases key={href(route)} role={role} />
            ) : route.page === 'publish' ? (
              <PublishRelease key={href(route)} role={role} />
            ) : route.page === 'rollout' ? (
              <Rollout key={href(route)} version={route.version} />
            ) : (
              <h2>{t('notFound.title')}</h2>
            )}
          </main>
        </SessionEndedContext.Provider>
      </ConsoleApiProvider>
    </LangContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
