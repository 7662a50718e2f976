import type { Release } from '../domain/catalog';
import type { NextRelease } from './next-release';

/**
 * The notice shown at the bottom of the desktop's main screen (SPEC FEED-4, the
 * manual's "Gestione notifiche"). The feed decides it at every desktop startup;
 * the desktop shows it until the next startup (FEED-5).
 *
 * Precedence (first matching row wins; docs/feed.md has the same table):
 *
 * | # | condition                                             | notice                 | colour |
 * |---|-------------------------------------------------------|------------------------|--------|
 * | 1 | session `preparing` or `updating` (phase 1 or 2)      | `update-in-progress`   | yellow |
 * | 2 | session `mobile-update` (phase 3)                     | `desktop-updated`      | green  |
 * | 3 | session `failed` or `reactivated`                     | `update-failed`        | red    |
 * | 4 | no open session, nothing newer in the catalog         | `none`                 | —      |
 * | 5 | next release needs a confirmation code not yet given  | `contact-support`      | white  |
 * | 6 | next release's desktop installer not yet verified     | `download-in-progress` | yellow |
 * | 7 | otherwise (installer downloaded and verified)         | `update-ready`         | green  |
 *
 * Sessions in state `available` (window opened, nothing sent yet: SES-2) or
 * `concluded` are not open sessions: the catalog rows apply. `feed-unreachable`
 * (blue) is decided by the client alone when the feed cannot be reached or its
 * answer fails verification; the server never returns it.
 */

/** Every notice the desktop can show, server-decided or (`feed-unreachable`) client-decided. */
export const NOTICE_KINDS = [
  'none',
  'feed-unreachable',
  'download-in-progress',
  'update-ready',
  'contact-support',
  'update-in-progress',
  'desktop-updated',
  'update-failed',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Colour of the notice box; `none` means no box at all. */
export type NoticeColour = 'none' | 'blue' | 'yellow' | 'green' | 'white' | 'red';

/** Colour of each notice kind (FEED-4). */
export const NOTICE_COLOURS: Readonly<Record<NoticeKind, NoticeColour>> = {
  none: 'none',
  'feed-unreachable': 'blue',
  'download-in-progress': 'yellow',
  'update-ready': 'green',
  'contact-support': 'white',
  'update-in-progress': 'yellow',
  'desktop-updated': 'green',
  'update-failed': 'red',
};

export interface LocalizedText {
  /** Italian, as in the manual: what the desktop shows. */
  readonly it: string;
  readonly en: string;
}

/** Buttons and links a notice carries. */
export type NoticeActionId = 'manage-update' | 'update-details' | 'finish-update' | 'reactivate-devices' | 'send-report';

export interface NoticeAction {
  readonly id: NoticeActionId;
  readonly label: LocalizedText;
  /**
   * FEED-6: only an admin on the SERVER workstation may use it; the desktop hides
   * it from everyone else (the API refuses the management calls anyway).
   */
  readonly adminOnly: boolean;
  /** For links (`update-details`): the mOphas fix wiki page. */
  readonly url?: string;
}

export interface Notice {
  readonly kind: NoticeKind;
  readonly colour: NoticeColour;
  /** `null` for `none`: no box is shown. */
  readonly text: LocalizedText | null;
  readonly actions: readonly NoticeAction[];
  /** The version the notice is about, when known. */
  readonly version?: string;
}

/** Update session states as the feed sees them (the session itself lives in DynamoDB, SES-*). */
export type FeedSessionState = 'available' | 'preparing' | 'updating' | 'mobile-update' | 'failed' | 'reactivated' | 'concluded';

export interface NoticeInput {
  /** What the catalog offers this desktop (nextRelease). */
  readonly next: NextRelease<Pick<Release, 'version' | 'requiresConfirmationCode' | 'notesUrl'>>;
  /** The customer's current update session, if any. */
  readonly session?: { readonly state: FeedSessionState; readonly version?: string };
  /** CODE-2: the confirmation code for the next release was accepted. */
  readonly confirmationGiven: boolean;
  /** The desktop reported the next release's installer fully downloaded and its size/SHA-256 verified. */
  readonly desktopDownloadVerified: boolean;
}

const LABELS: Readonly<Record<NoticeActionId, LocalizedText>> = {
  'manage-update': { it: 'Gestione aggiornamento', en: 'Manage update' },
  'update-details': { it: 'Dettagli aggiornamento', en: 'Update details' },
  'finish-update': { it: 'Fine aggiornamento', en: 'Finish update' },
  'reactivate-devices': { it: 'Riattiva i terminali mobile', en: 'Reactivate mobile devices' },
  'send-report': { it: "Invia segnalazione all'assistenza", en: 'Send report to support' },
};

const action = (id: NoticeActionId, adminOnly: boolean, url?: string): NoticeAction =>
  url === undefined ? { id, label: LABELS[id], adminOnly } : { id, label: LABELS[id], adminOnly, url };

const versionSuffix = (version: string | undefined, it: boolean) =>
  version ? (it ? ` (versione ${version})` : ` (version ${version})`) : '';

function notice(kind: NoticeKind, text: LocalizedText | null, actions: NoticeAction[], version?: string): Notice {
  const base = { kind, colour: NOTICE_COLOURS[kind], text, actions };
  return version === undefined ? base : { ...base, version };
}

/** The empty notice: feed reached, latest version installed (no box). */
export function noNotice(): Notice {
  return notice('none', null, []);
}

/**
 * The blue notice the desktop shows on its own when the feed cannot be reached
 * or its answer fails verification (docs/feed.md). Work goes on; the check runs
 * again at the next startup. Never returned by the server.
 */
export function feedUnreachableNotice(): Notice {
  return notice(
    'feed-unreachable',
    {
      it: 'Non è stato possibile verificare la presenza di nuovi aggiornamenti: i server Alturas non sono raggiungibili. È possibile proseguire con il lavoro e riprovare al prossimo avvio del programma.',
      en: 'mOphas could not check for updates: the Alturas servers cannot be reached. You can keep working; the check runs again the next time mOphas starts.',
    },
    [],
  );
}

/**
 * Decides the notice for one desktop startup (FEED-4), following the precedence
 * table above: session states first, then the confirmation code, then the
 * download state. Never returns `feed-unreachable`.
 */
export function decideNotice(input: NoticeInput): Notice {
  const { session, next } = input;

  if (session) {
    switch (session.state) {
      case 'preparing':
      case 'updating': {
        // Phase 1: the admin can re-enter the window; phase 2: the installer is running, nothing to open.
        const actions = session.state === 'preparing' ? [action('manage-update', true)] : [];
        return notice(
          'update-in-progress',
          {
            it: `Aggiornamento in corso${versionSuffix(session.version, true)}: sospendere la normale attività e uscire dal programma.`,
            en: `An update is in progress${versionSuffix(session.version, false)}: stop working and exit mOphas.`,
          },
          actions,
          session.version,
        );
      }
      case 'mobile-update':
        return notice(
          'desktop-updated',
          {
            it: "L'aggiornamento della parte desktop è stato concluso: è ora necessario passare all'aggiornamento dei dispositivi mobile. Clic su Fine aggiornamento.",
            en: 'The desktop update is complete: the mobile devices must now be updated. Click Finish update.',
          },
          [action('finish-update', true)],
          session.version,
        );
      case 'failed':
      case 'reactivated':
        // SES-10: stays at every start until support resolves it; the update cannot be retried meanwhile.
        return notice(
          'update-failed',
          {
            it: "Si è verificato un errore durante l'aggiornamento: la procedura è terminata in modo anomalo. Contattare il servizio di assistenza.",
            en: 'An error occurred during the update: it ended abnormally. Please contact Alturas support.',
          },
          [action('reactivate-devices', true), action('send-report', true)],
          session.version,
        );
      case 'available':
      case 'concluded':
        break;
      default: {
        const unknown: never = session.state;
        throw new TypeError(`Unknown update session state ${String(unknown)}`);
      }
    }
  }

  if (next.kind !== 'update') return noNotice();
  const { release } = next;
  const details = action('update-details', false, release.notesUrl);

  if (release.requiresConfirmationCode && !input.confirmationGiven) {
    return notice(
      'contact-support',
      {
        it: `È disponibile un nuovo aggiornamento${versionSuffix(release.version, true)} che richiede un codice di conferma: contattare l'assistenza Alturas o il proprio agente di riferimento per procedere.`,
        en: `A new update is available${versionSuffix(release.version, false)} and needs a confirmation code: contact Alturas support or your agent to go ahead.`,
      },
      // Gestione aggiornamento opens the "Procedura preliminare di aggiornamento" window (CODE-1).
      [action('manage-update', true), details],
      release.version,
    );
  }
  if (!input.desktopDownloadVerified) {
    return notice(
      'download-in-progress',
      {
        it: `È disponibile un nuovo aggiornamento${versionSuffix(release.version, true)}: download del pacchetto di installazione in corso.`,
        en: `A new update is available${versionSuffix(release.version, false)}: its installation package is being downloaded.`,
      },
      [],
      release.version,
    );
  }
  return notice(
    'update-ready',
    {
      it: `È disponibile un nuovo aggiornamento${versionSuffix(release.version, true)}. Per procedere con l'aggiornamento clic su Gestione aggiornamento; per scaricare i manuali d'uso della nuova versione clic su Dettagli aggiornamento.`,
      en: `A new update is available${versionSuffix(release.version, false)}. To install it click Manage update; to download the manuals for the new version click Update details.`,
    },
    [action('manage-update', true), details],
    release.version,
  );
}
