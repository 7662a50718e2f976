import type { OwedCommand, Session } from '../../shared/session/state-machine';
import { AppError, conflict } from '../../shared/errors';

/** The session as a device sees it in answers and conflicts: id and state only. */
export type DeviceSessionView = { sessionId: string; state: Session['state'] } | null;

/**
 * SES-8: a disabled device can no longer work; it is re-enabled from the desktop's
 * tablet authorisation management. Every device route refuses it, registration included.
 */
export const deviceDisabled = (serial: string) =>
  new AppError(
    403,
    'DEVICE_DISABLED',
    'This device is disabled: it can be re-enabled from tablet authorisation management on the desktop (Gestione autorizzazioni tablet).',
    { serial },
    'Dispositivo disabilitato: può essere riabilitato dalla Gestione autorizzazioni tablet di mOphas desktop.',
  );

/**
 * Only a serial the office authorised (tablet authorisation management) can
 * register with the licence code; any other is refused in the manual's terms.
 */
export const deviceNotAuthorised = (serial: string) =>
  new AppError(
    403,
    'DEVICE_NOT_AUTHORISED',
    'Device not authorised: ask the office to enable it (tablet authorisation management).',
    { serial },
    "Dispositivo non autorizzato: chiedere all'ufficio di abilitarlo (Gestione Autorizzazioni Tablet).",
  );

/** A registered tablet registers again only with its own credential, or after the office re-opened its registration. */
export const registrationLocked = (serial: string) =>
  new AppError(
    403,
    'REGISTRATION_LOCKED',
    'This tablet is already registered: register again from the app that holds its credential, or ask the office to re-authorise it (tablet authorisation management).',
    { serial },
    "Questo dispositivo è già registrato: registrarlo di nuovo dall'app che ne conserva le credenziali, oppure chiedere alla sede di riautorizzarlo (Gestione Autorizzazioni Tablet).",
  );

/** The credential is valid but its device row is gone (removed by the office): register again. */
export const deviceNotRegistered = (serial: string) =>
  new AppError(
    404,
    'DEVICE_NOT_FOUND',
    'This device is not registered any more: register it again (Registra Dispositivo).',
    { serial },
    'Dispositivo non più registrato: eseguire di nuovo Registra Dispositivo.',
  );

/** AUTH-2: a device may only act on itself. */
export const otherDevice = () => new AppError(403, 'FORBIDDEN', 'A device can only act on itself.');

/**
 * DEV-3, in the manual's words: unsent data can only be sent during phase 1; after
 * a forced update (or once the session is past phase 1) the versions on mobile and
 * desktop differ and a late send could corrupt data.
 */
export const versionMismatch = (session: DeviceSessionView & object, forced: boolean, command: OwedCommand) =>
  conflict(
    'VERSION_MISMATCH',
    'Unsent data cannot be sent: the mOphas versions installed on the mobile device and on the desktop differ. Contact the office.',
    { session, forced, command },
    'Impossibile inviare i dati non trasmessi: le versioni di mOphas installate su mobile e su desktop risultano differenti. Contattare la sede.',
  );

/** The report names a session that is not the customer's current one (a late or duplicate delivery). */
export const staleSession = (reported: string, session: DeviceSessionView, command: OwedCommand) =>
  conflict(
    'STALE_SESSION',
    session
      ? `Session ${reported} is not the current update session: follow the command in this answer.`
      : `Session ${reported} is not the current update session: no update is in progress.`,
    { reportedSessionId: reported, session, command },
    session
      ? `La sessione ${reported} non è la sessione di aggiornamento in corso: seguire il comando indicato.`
      : `La sessione ${reported} non è la sessione di aggiornamento in corso: nessun aggiornamento in corso.`,
  );

/** Unsent data reported while no update is open at all: nothing to wait for, work goes on. */
export const noUpdateSession = (command: OwedCommand) =>
  conflict(
    'NO_UPDATE_SESSION',
    'No update is being prepared: there is nothing to report, the device can keep working normally.',
    { session: null, command },
    "Nessun aggiornamento in preparazione: non c'è nulla da segnalare, il dispositivo può lavorare normalmente.",
  );
