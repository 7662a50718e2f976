/**
 * The error catalogue: every error code the API can answer, with the text a
 * person reads, in English and Italian (the manual's words where it has them).
 *
 * `AppError` (shared/errors.ts) only takes a code listed here, so an unknown code
 * is a compile error, and the error renderer (shared/http/response.ts) always adds
 * `messages: {en, it}`: the texts of this catalogue, or the more specific pair the
 * error was thrown with (e.g. "group 2 has a typo"). Codes are stable: never rename
 * one, clients branch on them. docs/api.md explains how to add one.
 */

/** The two texts of one code. `it` is what the desktop and the device show. */
export interface ErrorTexts {
  readonly en: string;
  readonly it: string;
}

export const ERROR_CATALOGUE = {
  // --- Request and transport -----------------------------------------------------
  VALIDATION_FAILED: {
    en: 'The request is not valid: check the fields listed.',
    it: 'La richiesta non è valida: controllare i campi indicati.',
  },
  INVALID_JSON: {
    en: 'The request body is not valid JSON.',
    it: 'Il contenuto della richiesta non è un JSON valido.',
  },
  MISSING_BODY: {
    en: 'The request needs a JSON body.',
    it: 'La richiesta deve contenere i dati in formato JSON.',
  },
  PAYLOAD_TOO_LARGE: {
    en: 'The request is too large.',
    it: 'La richiesta supera la dimensione massima consentita.',
  },
  INVALID_CURSOR: {
    en: 'The page cursor is not valid: start again from the first page.',
    it: 'Il riferimento alla pagina non è valido: ripartire dalla prima pagina.',
  },
  NOT_FOUND: {
    en: 'Not found.',
    it: 'Elemento non trovato.',
  },
  METHOD_NOT_ALLOWED: {
    en: 'This method is not allowed on this address.',
    it: 'Operazione non consentita su questo indirizzo.',
  },
  INTERNAL_ERROR: {
    en: 'Something went wrong on our side. Please retry later.',
    it: 'Si è verificato un errore sui server Alturas: riprovare più tardi.',
  },
  ROUTE_NOT_WIRED: {
    en: 'This function is not available right now.',
    it: 'Questa funzione non è al momento disponibile.',
  },
  DEPENDENCY_UNAVAILABLE: {
    en: 'The service cannot reach its data right now. Retry in a moment.',
    it: 'Il servizio non riesce a raggiungere i dati in questo momento: riprovare tra poco.',
  },
  TRY_AGAIN: {
    en: 'The service is busy: please retry in a few seconds.',
    it: 'Il servizio è occupato: riprovare tra qualche secondo.',
  },

  // --- Credentials, users and roles ---------------------------------------------
  UNAUTHORIZED: {
    en: 'Missing or invalid credentials.',
    it: 'Credenziali mancanti o non valide.',
  },
  FORBIDDEN: {
    en: 'You are not allowed to do this.',
    it: 'Operazione non consentita.',
  },
  PASSWORD_CHANGE_REQUIRED: {
    en: 'This is a first-login account: change the password before continuing.',
    it: 'Primo accesso: modificare la password prima di proseguire.',
  },
  ADMIN_REQUIRED: {
    en: 'Only an administrator can start and manage the update.',
    it: 'Solamente un utente di tipo amministratore può avviare e gestire la procedura di aggiornamento.',
  },
  SERVER_WORKSTATION_REQUIRED: {
    en: 'The update must be managed from the central computer (SERVER).',
    it: "L'aggiornamento va eseguito accedendo a mOphas dal computer centrale (SERVER).",
  },
  TOO_MANY_ATTEMPTS: {
    en: 'Too many wrong attempts: wait a few minutes and retry.',
    it: 'Troppi tentativi errati: attendere qualche minuto e riprovare.',
  },
  WRONG_PASSWORD: {
    en: 'The current password is not correct.',
    it: 'La password attuale non è corretta.',
  },
  WEAK_PASSWORD: {
    en: 'Choose a new password different from the current one and from the user name.',
    it: 'Scegliere una nuova password diversa da quella attuale e dal nome utente.',
  },
  PASSWORD_CHANGED_CONCURRENTLY: {
    en: 'The password was changed meanwhile: log in again.',
    it: 'La password è stata modificata nel frattempo: accedere di nuovo.',
  },
  USER_EXISTS: {
    en: 'A user with this name already exists for this customer.',
    it: 'Esiste già un utente con questo nome per questo cliente.',
  },

  // --- Alturas staff and agents (the staff user pool) -----------------------------
  STAFF_REQUIRED: {
    en: 'Only Alturas support staff can do this.',
    it: 'Solo il personale di assistenza Alturas può eseguire questa operazione.',
  },
  AGENT_NOT_FOUND: {
    en: 'There is no such user in the staff user pool.',
    it: 'Questo utente non esiste tra gli utenti Alturas.',
  },
  NOT_AN_AGENT: {
    en: 'This user is not an agent: add it to the "agent" group first.',
    it: 'Questo utente non è un agente: aggiungerlo prima al gruppo "agent".',
  },
  TOO_MANY_CUSTOMERS: {
    en: 'This agent already has the most customers an agent can be assigned.',
    it: 'A questo agente è già assegnato il numero massimo di clienti.',
  },

  WINDOW_TICKET_INVALID: {
    en: 'This window link has expired or is not valid: open the window again from mOphas Desktop.',
    it: 'Il collegamento alla finestra è scaduto o non è valido: riaprire la finestra da mOphas Desktop.',
  },
  WINDOW_TICKET_USED: {
    en: 'This window link was already used (it works once): open the window again from mOphas Desktop.',
    it: 'Il collegamento alla finestra è già stato usato (vale una sola volta): riaprire la finestra da mOphas Desktop.',
  },
  TOO_MANY_WINDOW_TICKETS: {
    en: 'Too many windows opened: wait a few minutes and retry.',
    it: 'Troppe finestre aperte: attendere qualche minuto e riprovare.',
  },
  // --- Feed and packages -----------------------------------------------------------
  PACKAGE_HASH_MISMATCH: {
    en: 'The package does not match the release: delete it and download or upload it again.',
    it: "Il pacchetto non corrisponde all'aggiornamento: eliminarlo e scaricarlo o caricarlo di nuovo.",
  },
  UPDATE_IN_PREPARATION: {
    en: 'Update in preparation: wait for the END UPDATE notification or try again later.',
    it: 'Aggiornamento in preparazione: attendere la notifica END UPDATE oppure riprovare ad aggiornare in un secondo momento.',
  },
  PACKAGE_UNAVAILABLE: {
    en: 'The package for the desktop version is not available: contact support.',
    it: "Il pacchetto della versione desktop non è disponibile: contattare l'assistenza.",
  },

  // --- Confirmation codes (CODE-*) -------------------------------------------------
  CODE_FORMAT: {
    en: 'The code must be 3 groups of 5 digits.',
    it: 'Il codice deve essere composto da 3 gruppi di 5 cifre.',
  },
  CODE_TYPO: {
    en: 'The code has a typo: check the digits and try again.',
    it: 'Il codice contiene un errore di battitura: controllare le cifre e riprovare.',
  },
  CODE_MISMATCH: {
    en: 'The code is not valid: the update cannot start.',
    it: "Il codice non è valido: impossibile avviare l'aggiornamento.",
  },
  CODE_BAD_ACTION: {
    en: 'This is not a lock or unlock request code: ask the operator to read code 1 again.',
    it: "Questo non è un codice di richiesta di blocco o sblocco: chiedere all'operatore di rileggere il primo codice.",
  },
  WRONG_ACTION: {
    en: 'This code asks for the other operation (lock instead of unlock, or the reverse).',
    it: "Questo codice richiede l'operazione opposta (blocco invece di sblocco, o viceversa).",
  },
  CONFIRMATION_NOT_REQUIRED: {
    en: 'This update does not need a confirmation code.',
    it: 'Questo aggiornamento non richiede un codice di conferma.',
  },
  ALREADY_CONFIRMED: {
    en: 'This update is already confirmed: the code is not asked again.',
    it: 'Questo aggiornamento è già stato confermato: il codice non viene più richiesto.',
  },
  TOO_MANY_CHALLENGES: {
    en: 'Too many confirmation windows opened: wait and retry.',
    it: 'La finestra del codice di conferma è stata aperta troppe volte: attendere e riprovare.',
  },
  NO_CHALLENGE: {
    en: 'No confirmation code is open for this update: open the window again to get one.',
    it: 'Nessun codice aperto per questo aggiornamento: riaprire la finestra per generarne uno.',
  },
  CHALLENGE_USED: {
    en: 'This code was already used: the update is confirmed.',
    it: "Questo codice è già stato utilizzato: l'aggiornamento risulta confermato.",
  },
  CHALLENGE_EXPIRED: {
    en: 'This code has expired: open the window again to get a new one.',
    it: 'Il codice è scaduto: riaprire la finestra per generarne uno nuovo.',
  },
  CHALLENGE_CHANGED: {
    en: 'The code changed meanwhile: use the one now shown.',
    it: 'Il codice è cambiato nel frattempo: utilizzare quello ora visualizzato.',
  },
  CHALLENGE_NOT_OPEN: {
    en: "This is not the code open on the customer's window: ask the customer to read the code again.",
    it: 'Questo non è il codice aperto nella finestra del cliente: chiedere al cliente di rileggere il codice.',
  },
  TOO_MANY_RESPONSES: {
    en: 'Too many responses generated: wait and retry.',
    it: 'Troppi codici di risposta generati: attendere e riprovare.',
  },

  // --- Manual lock / unlock (LOCK-*) -----------------------------------------------
  NO_LOCK_SECRET: {
    en: 'This device must register again (Registra Dispositivo) before a manual lock.',
    it: 'Il dispositivo deve essere registrato di nuovo (Registra Dispositivo) prima del blocco manuale.',
  },
  NO_EXCHANGE: {
    en: 'No lock/unlock exchange is open for this device: start again with GENERA.',
    it: 'Nessuna procedura di blocco/sblocco aperta per questo dispositivo: ripartire da GENERA.',
  },
  EXCHANGE_USED: {
    en: 'This exchange is already verified.',
    it: 'Questa procedura di blocco/sblocco è già stata verificata.',
  },
  EXCHANGE_EXPIRED: {
    en: 'This exchange has expired: start again with a new code 1 and GENERA.',
    it: 'La procedura è scaduta: ripartire con un nuovo primo codice e GENERA.',
  },
  EXCHANGE_CHANGED: {
    en: 'The exchange changed meanwhile: start again with GENERA.',
    it: 'La procedura è cambiata nel frattempo: ripartire da GENERA.',
  },
  EXCHANGE_STALE: {
    en: 'The device registered again since GENERA: start again with a new code 1 and GENERA.',
    it: 'Il dispositivo è stato registrato di nuovo dopo GENERA: ripartire con un nuovo primo codice e GENERA.',
  },

  // --- Update session (SES-*) --------------------------------------------------------
  SESSION_CONFLICT: {
    en: 'The update changed meanwhile (another administrator or a repeated request): check the window and retry.',
    it: "L'aggiornamento è cambiato nel frattempo (un altro amministratore o una richiesta ripetuta): controllare la finestra e riprovare.",
  },
  RELEASE_WITHDRAWN: {
    en: 'Alturas has withdrawn this release: it can no longer be installed. Click Close update to end this update.',
    it: 'Alturas ha ritirato questa versione: non è più possibile installarla. Clic su Chiudi aggiornamento per chiudere la procedura.',
  },
  // --- Staged rollouts (support) --------------------------------------------------
  ROLLOUT_ACTION_NOT_ALLOWED: {
    en: 'This action is not allowed in the current phase of the rollout.',
    it: 'Questa azione non è consentita nella fase attuale della distribuzione.',
  },
  NO_NEXT_WAVE: {
    en: 'The rollout has no further wave to open.',
    it: 'La distribuzione non ha altri gruppi da aprire.',
  },
  ROLLOUT_CONFLICT: {
    en: 'The rollout changed since you read it: check it as it is now and try again.',
    it: "La distribuzione è cambiata da quando è stata letta: verificarla com'è ora e riprovare.",
  },
  ACTION_NOT_ALLOWED: {
    en: 'This operation is not allowed in the current phase of the update.',
    it: "Operazione non consentita nella fase attuale dell'aggiornamento.",
  },
  STALE_CONFIRMATION: {
    en: 'The confirmation is no longer valid (the update changed since it was asked): confirm again.',
    it: "La conferma non è più valida (l'aggiornamento è cambiato nel frattempo): confermare di nuovo.",
  },
  DEVICES_CHANGED: {
    en: 'The devices changed meanwhile (a device registered or was re-enabled): check the grid and confirm again.',
    it: 'I dispositivi sono cambiati nel frattempo (un dispositivo è stato registrato o riabilitato): controllare la griglia e confermare di nuovo.',
  },
  DEVICES_NOT_AWAITING: {
    en: 'Some devices are not awaiting the update: use Force update.',
    it: 'Uno o più dispositivi non risultano in Attesa Aggiornamento: utilizzare Forza aggiornamento.',
  },
  ALL_DEVICES_AWAITING: {
    en: 'Every device awaits the update: use Start update.',
    it: 'Tutti i dispositivi risultano in Attesa Aggiornamento: utilizzare Avvia aggiornamento.',
  },
  NO_DESKTOP_VERSION: {
    en: 'The desktop version of this customer is unknown: contact support.',
    it: "La versione desktop di questo cliente non è nota: contattare l'assistenza.",
  },
  UP_TO_DATE: {
    en: 'There is no update to install.',
    it: 'Non ci sono aggiornamenti da installare.',
  },
  CONFIRMATION_REQUIRED: {
    en: 'This update needs the confirmation code from support first.',
    it: "Questo aggiornamento richiede prima il codice di conferma dell'assistenza.",
  },
  DOWNLOAD_NOT_VERIFIED: {
    en: 'The installer is still downloading: wait for the green notice.',
    it: 'Il pacchetto di installazione è ancora in download: attendere la notifica verde.',
  },
  VERSION_MISMATCH: {
    en: 'The mOphas versions do not match.',
    it: 'Le versioni di mOphas non corrispondono.',
  },
  DEVICE_DISABLED: {
    en: 'This device is disabled: it can be re-enabled from tablet authorisation management.',
    it: 'Dispositivo disabilitato: può essere riabilitato da Gestione Autorizzazioni Tablet.',
  },
  DEVICE_CHANGED: {
    en: 'The device changed meanwhile: check the grid and retry.',
    it: 'Il dispositivo è cambiato nel frattempo: controllare la griglia e riprovare.',
  },
  ALREADY_REPORTED: {
    en: 'This failed update was already reported to support.',
    it: "Questo aggiornamento non riuscito è già stato segnalato all'assistenza.",
  },
  NOT_FAILED: {
    en: 'Only a failed update can be resolved.',
    it: 'Solo un aggiornamento non riuscito può essere risolto.',
  },
  CASE_CHANGED: {
    en: 'A support case of this customer changed meanwhile: nothing was resolved, please retry.',
    it: 'Una segnalazione di questo cliente è cambiata nel frattempo: nulla è stato risolto, riprovare.',
  },

  // --- Devices (DEV-*) ---------------------------------------------------------------
  DEVICE_NOT_FOUND: {
    en: 'This device is not registered any more: register it again (Registra Dispositivo).',
    it: 'Dispositivo non più registrato: eseguire di nuovo Registra Dispositivo.',
  },
  REGISTRATION_LOCKED: {
    en: 'This tablet is already registered: register again from the app that holds its credential, or ask the office to re-authorise it.',
    it: "Questo dispositivo è già registrato: registrarlo di nuovo dall'app che ne conserva le credenziali, oppure chiedere alla sede di riautorizzarlo (Gestione Autorizzazioni Tablet).",
  },
  TOO_MANY_REGISTRATIONS: {
    en: 'Too many registration attempts: retry later.',
    it: 'Troppi tentativi di registrazione: riprovare più tardi.',
  },
  STALE_SESSION: {
    en: 'This is not the current update session: follow the command in this answer.',
    it: 'Questa non è la sessione di aggiornamento in corso: seguire il comando indicato.',
  },
  NO_UPDATE_SESSION: {
    en: 'No update is being prepared: there is nothing to report, the device can keep working normally.',
    it: "Nessun aggiornamento in preparazione: non c'è nulla da segnalare, il dispositivo può lavorare normalmente.",
  },

  DEVICE_NOT_AUTHORISED: {
    en: 'Device not authorised: ask the office to enable it.',
    it: "Dispositivo non autorizzato: chiedere all'ufficio di abilitarlo.",
  },

  // --- Onboarding (support) and tablet authorisation ---------------------------------
  CUSTOMER_EXISTS: {
    en: 'A customer with this id already exists.',
    it: 'Esiste già un cliente con questo codice.',
  },
  SESSION_IN_PROGRESS: {
    en: 'This cannot change while an update is in progress.',
    it: 'Non è possibile modificarlo mentre è in corso un aggiornamento.',
  },
  LICENCE_EXISTS: {
    en: 'This licence code is taken, or the customer already has a live licence: revoke it first to issue another.',
    it: 'Codice di licenza già in uso, oppure il cliente ha già una licenza attiva: revocarla prima di emetterne un’altra.',
  },
  SERVER_CREDENTIAL_EXISTS: {
    en: 'This customer already has a SERVER workstation credential: rotate it, or revoke it before issuing another.',
    it: 'Il cliente ha già le credenziali della postazione SERVER: rinnovarle, oppure revocarle prima di emetterne altre.',
  },
  WORKSTATION_EXISTS: {
    en: 'A live workstation credential already has this label: rotate it, or choose another label.',
    it: "Esistono già credenziali di postazione attive con questa etichetta: rinnovarle oppure scegliere un'altra etichetta.",
  },
  ALREADY_REVOKED: {
    en: 'This is already revoked.',
    it: 'Già revocato.',
  },
  DEVICE_EXISTS: {
    en: 'This tablet is already in tablet authorisation management.',
    it: 'Il dispositivo è già presente in Gestione Autorizzazioni Tablet.',
  },

  // --- Releases (support) ------------------------------------------------------------
  RELEASE_EXISTS: {
    en: 'This version is already published and cannot be changed: publish the new packages under a new version code.',
    it: 'Questa versione è già pubblicata e non può essere modificata: pubblicare i nuovi pacchetti con un nuovo codice di versione.',
  },
  UPLOAD_KEY_MISMATCH: {
    en: 'The upload key was not handed out for this version and file.',
    it: 'La chiave di caricamento non è stata rilasciata per questa versione e questo file.',
  },
  PACKAGE_NOT_UPLOADED: {
    en: 'Nothing has been uploaded for this package: upload it, then publish again.',
    it: 'Il pacchetto non è stato caricato: caricarlo e pubblicare di nuovo.',
  },
  UPLOAD_INCOMPLETE: {
    en: 'The upload could not be completed: upload every part again or start a new upload.',
    it: 'Il caricamento non è stato completato: caricare di nuovo tutte le parti o iniziare un nuovo caricamento.',
  },
  PACKAGE_SIZE_MISMATCH: {
    en: 'The uploaded package does not have the declared size: upload it again; nothing was published.',
    it: 'Il pacchetto caricato non ha la dimensione dichiarata: caricarlo di nuovo; nulla è stato pubblicato.',
  },
  VERIFICATION_TIMEOUT: {
    en: 'The packages could not be verified in time; nothing was published. Retry.',
    it: 'Non è stato possibile verificare i pacchetti in tempo; nulla è stato pubblicato. Riprovare.',
  },
  CATALOG_BUSY: {
    en: 'The catalog kept changing during publication; nothing was published. Retry in a few seconds.',
    it: 'Il catalogo è cambiato più volte durante la pubblicazione; nulla è stato pubblicato. Riprovare tra qualche secondo.',
  },

  // --- Push jobs (internal: the push worker, never an HTTP answer) -------------------
  UNKNOWN_COMMAND: {
    en: 'Unknown push command.',
    it: 'Comando push sconosciuto.',
  },
  INVALID_PUSH_JOB: {
    en: 'The push job is not valid.',
    it: 'Il lavoro di invio push non è valido.',
  },
} as const satisfies Record<string, ErrorTexts>;

/** Every error code the API can answer. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Every error code, in catalogue order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The catalogue's texts of a code. */
export const errorTexts = (code: ErrorCode): ErrorTexts => ERROR_CATALOGUE[code];
