/**
 * The hosted update window (issue 12): the page the mOphas desktop opens at
 * `/desktop/#ticket=…`. The ticket is read from the fragment and the fragment
 * removed at once; the ticket is exchanged (once) for the page's own session,
 * kept in memory only. Then the startup notice, and the windows its buttons
 * open: Gestione aggiornamento, Procedura preliminare di aggiornamento,
 * Gestione Mobile (with the Blocco/Sblocco dialog).
 */
import '../common/styles.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, ApiProvider, ApiUnreachableError, type LoginAnswer, WindowApi } from '../common/api';
import { formatTime, type Lang, LangContext, translate } from '../common/i18n';
import { problemOf, SessionEndedContext } from '../common/problems';
import { Accesso, type AccessState } from './accesso';
import { Avviso, type WindowView } from './avviso';
import { GestioneAggiornamento } from './gestione-aggiornamento';
import { GestioneMobile } from './gestione-mobile';
import { ProceduraPreliminare } from './procedura-preliminare';
import { LanguageSwitch } from '../common/language-switch';

/** Reads `#ticket=…&lang=…` once and removes the fragment from the address (and the history). */
function readFragment(): { ticket?: string; lang?: Lang } {
  const params = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);
  const lang = params.get('lang');
  return { ticket: params.get('ticket') ?? undefined, lang: lang === 'en' || lang === 'it' ? lang : undefined };
}

const initial = readFragment();

function App() {
  const api = useMemo(() => new WindowApi(location.origin), []);
  const [lang, setLang] = useState<Lang>(initial.lang ?? 'it');
  const [ticket, setTicket] = useState(initial.ticket);
  const [access, setAccess] = useState<AccessState | { kind: 'ready'; session: LoginAnswer }>(
    initial.ticket ? { kind: 'opening' } : { kind: 'no-ticket' },
  );
  const [view, setView] = useState<WindowView>({ kind: 'notice' });
  const [message, setMessage] = useState<string>();
  // Every visit of a window is a fresh one (the notice is read again, a window's grid too).
  const [visit, setVisit] = useState(0);

  const open = async (value: string | undefined) => {
    if (!value) return;
    setAccess({ kind: 'opening' });
    try {
      setAccess({ kind: 'ready', session: await api.openSession(value) });
      setView({ kind: 'notice' });
      setMessage(undefined);
      setVisit((v) => v + 1);
    } catch (error) {
      if (error instanceof ApiUnreachableError) setAccess({ kind: 'unreachable' });
      else
        setAccess({
          kind: 'refused',
          code: error instanceof ApiError ? error.code : 'UNEXPECTED',
          texts: { it: problemOf(error, 'it').text, en: problemOf(error, 'en').text },
        });
    }
  };
  useEffect(() => void open(ticket), [ticket]);
  // The desktop may open the same page again with a new ticket (same document, new fragment).
  useEffect(() => {
    const onHash = () => {
      const next = readFragment();
      if (next.lang) setLang(next.lang);
      if (next.ticket) setTicket(next.ticket);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);
  // The session ends at its expiry even if nothing is clicked.
  useEffect(() => {
    if (access.kind !== 'ready') return;
    const timer = setTimeout(() => setAccess({ kind: 'ended' }), Math.max(0, Date.parse(access.session.expiresAt) - Date.now()));
    return () => clearTimeout(timer);
  }, [access]);

  const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, key, vars);
  const go = (next: WindowView, note?: string) => {
    setMessage(note);
    setView(next);
    setVisit((v) => v + 1);
  };

  return (
    <LangContext.Provider value={lang}>
      <ApiProvider value={api}>
        <SessionEndedContext.Provider value={() => setAccess({ kind: 'ended' })}>
          <header class="app-header">
            <h1>{t('app.title')}</h1>
            {access.kind === 'ready' && (
              <nav aria-label={t('app.nav')}>
                <button type="button" aria-current={view.kind === 'notice' ? 'page' : undefined} onClick={() => go({ kind: 'notice' })}>
                  {t('nav.notice')}
                </button>
                <button type="button" aria-current={view.kind === 'mobile' ? 'page' : undefined} onClick={() => go({ kind: 'mobile' })}>
                  {t('nav.mobile')}
                </button>
              </nav>
            )}
            {access.kind === 'ready' && (
              <span class="user">
                {t('app.user', { user: access.session.username, workstation: access.session.workstation.toUpperCase() })}
              </span>
            )}
            <LanguageSwitch lang={lang} label={t('app.switchLanguage')} title={t('app.switchLanguageLabel')} onSwitch={setLang} />
          </header>
          <main>
            {access.kind !== 'ready' ? (
              <Accesso state={access} onRetry={() => void open(ticket)} />
            ) : view.kind === 'gestione' ? (
              <GestioneAggiornamento key={visit} onClose={(note) => go({ kind: 'notice' }, note)} />
            ) : view.kind === 'preliminare' ? (
              <ProceduraPreliminare key={visit} version={view.version} onClose={(note) => go({ kind: 'notice' }, note)} />
            ) : view.kind === 'mobile' ? (
              <GestioneMobile key={visit} onClose={() => go({ kind: 'notice' })} />
            ) : (
              <Avviso key={visit} message={message} onOpen={(next) => go(next)} />
            )}
          </main>
          {access.kind === 'ready' && (
            <footer class="app-footer">{t('common.sessionExpires', { time: formatTime(lang, access.session.expiresAt) })}</footer>
          )}
        </SessionEndedContext.Provider>
      </ApiProvider>
    </LangContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
