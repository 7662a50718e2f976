/**
 * Push commands sent to mOphas mobile (SPEC SES-3 START UPDATE, SES-7 END UPDATE,
 * SES-10 ERROR UPDATE) and the SNS message that carries them.
 *
 * A push is only a wake-up (DEV-7): the device's check-in returns the command it
 * owes whether or not the push arrived. The message is therefore a small FCM
 * *data* message (no `notification` block) that the app handles itself, identified
 * by `commandId` so the app can ignore a duplicate delivery.
 */
import { badRequest } from '../errors';

export const PUSH_COMMANDS = ['START_UPDATE', 'END_UPDATE', 'ERROR_UPDATE'] as const;
export type PushCommand = (typeof PUSH_COMMANDS)[number];

export const isPushCommand = (value: unknown): value is PushCommand =>
  typeof value === 'string' && (PUSH_COMMANDS as readonly string[]).includes(value);

/** Narrows a caller-supplied command; anything else is a 400 UNKNOWN_COMMAND. */
export function parsePushCommand(value: unknown): PushCommand {
  if (isPushCommand(value)) return value;
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
  throw badRequest('UNKNOWN_COMMAND', `Unknown push command ${shown}: expected one of ${PUSH_COMMANDS.join(', ')}.`, {
    allowed: [...PUSH_COMMANDS],
  });
}

/** The fields the app reads from the data message. Every value is a string (FCM v1 `data` is map<string, string>). */
export interface PushMessageFields {
  command: PushCommand;
  sessionId: string;
  sessionVersion: number;
  commandId: string;
  customerId: string;
  /** The desktop's version the device must install (END UPDATE, SES-7/DEV-5). */
  targetVersion?: string;
}

/**
 * How long FCM keeps an undelivered message for an offline device. After a day the
 * command is better fetched at check-in (DEV-7) than delivered late.
 */
export const PUSH_TTL = '86400s';

/** The `PublishCommand` fields for one device: `Message` + `MessageStructure: 'json'`. */
export interface PushMessage {
  Message: string;
  MessageStructure: 'json';
}

/**
 * Builds the SNS message for one command. With `MessageStructure: 'json'` SNS
 * picks the entry for the endpoint's platform: `GCM` holds, *as a JSON string*,
 * the FCM HTTP v1 payload under the top-level `fcmV1Message` key (Amazon SNS
 * developer guide, "Using Google Firebase Cloud Messaging v1 payloads"); `default`
 * is the fallback text for any other protocol.
 *
 * `android.priority: high` wakes the app from Doze for a data message; there is no
 * `notification` block, so Android hands the message to the app instead of the
 * system tray, and the app shows its own START UPDATE / END UPDATE dialog.
 */
export function buildPushMessage(fields: PushMessageFields): PushMessage {
  const data: Record<string, string> = {
    command: fields.command,
    sessionId: fields.sessionId,
    sessionVersion: String(fields.sessionVersion),
    commandId: fields.commandId,
    customerId: fields.customerId,
  };
  if (fields.targetVersion !== undefined) data.targetVersion = fields.targetVersion;
  const fcmV1Message = {
    message: {
      android: { priority: 'high', ttl: PUSH_TTL },
      data,
    },
  };
  return {
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: `mOphas ${fields.command}`,
      GCM: JSON.stringify({ fcmV1Message }),
    }),
  };
}

/** Reads the data fields back from a built message (tests, the local device simulator). */
export function readPushMessage(message: string): Record<string, string> {
  const outer = JSON.parse(message) as { GCM?: string };
  if (typeof outer.GCM !== 'string') throw new Error('message has no GCM entry');
  const inner = JSON.parse(outer.GCM) as { fcmV1Message?: { message?: { data?: Record<string, string> } } };
  const data = inner.fcmV1Message?.message?.data;
  if (!data) throw new Error('GCM entry has no fcmV1Message.message.data');
  return data;
}

// ---------------------------------------------------------------------------
// Texts of the per-device summary (SES-3, SES-7, SES-10), in the manual's words.
// ---------------------------------------------------------------------------

export interface Texts {
  en: string;
  it: string;
}

/** What the admin must know once the push reached the push service, per command. */
const AFTER_SENT: Record<PushCommand, Texts> = {
  START_UPDATE: {
    en: 'the operator must now send unsent data (INVIO DATI NON TRASMESSI) as soon as possible',
    it: "l'operatore deve eseguire al più presto INVIO DATI NON TRASMESSI",
  },
  END_UPDATE: {
    en: 'the device will now download and install the update',
    it: "il dispositivo scaricherà e installerà ora l'aggiornamento",
  },
  ERROR_UPDATE: {
    en: 'the device is reactivated and the operator can resume normal work',
    it: "il dispositivo viene riattivato e l'operatore può riprendere la normale attività",
  },
};

/**
 * The way round a push that cannot be delivered, per command: START UPDATE → the
 * manual lock (LOCK-1); ERROR UPDATE → the manual unlock; END UPDATE → the app
 * starts the update by itself at its next start (manual, phase 3).
 */
const FALLBACK: Record<PushCommand, Texts> = {
  START_UPDATE: { en: 'use the manual lock', it: 'usare la procedura di BLOCCO MANUALE' },
  END_UPDATE: {
    en: 'ask the operator to start mOphas mobile: the update starts at start-up even without the notification',
    it: "chiedere all'operatore di avviare mOphas mobile: l'aggiornamento parte all'avvio anche senza notifica",
  },
  ERROR_UPDATE: { en: 'use the manual unlock', it: 'usare la procedura di SBLOCCO DEVICE' },
};

/** Stable machine-readable reasons recorded in `pushOutcomes[commandId].reasonCode`. */
export const PUSH_REASON_CODES = [
  'NO_TOKEN',
  'ENDPOINT_DISABLED',
  'ENDPOINT_NOT_FOUND',
  'INVALID_PARAMETER',
  'PLATFORM_APPLICATION_DISABLED',
  'AUTHORIZATION_ERROR',
  'THROTTLED',
  'PUSH_SERVICE_UNAVAILABLE',
  'PUSH_ERROR',
] as const;
export type PushReasonCode = (typeof PUSH_REASON_CODES)[number];

/** Short reason, shown inside the failure text. */
const REASONS: Record<Exclude<PushReasonCode, 'NO_TOKEN' | 'ENDPOINT_DISABLED'>, Texts> = {
  ENDPOINT_NOT_FOUND: { en: 'push endpoint missing even after re-creating it', it: 'endpoint push non trovato anche dopo averlo ricreato' },
  INVALID_PARAMETER: { en: 'push token or message refused as invalid', it: 'token push o messaggio rifiutato perché non valido' },
  PLATFORM_APPLICATION_DISABLED: {
    en: 'the push service account is disabled: tell Alturas support',
    it: "l'account del servizio push è disabilitato: avvisare l'assistenza Alturas",
  },
  AUTHORIZATION_ERROR: { en: 'the push service refused the request', it: 'il servizio push ha rifiutato la richiesta' },
  THROTTLED: { en: 'push service busy', it: 'servizio push occupato' },
  PUSH_SERVICE_UNAVAILABLE: { en: 'push service temporarily unavailable', it: 'servizio push momentaneamente non disponibile' },
  PUSH_ERROR: { en: 'push service error', it: 'errore del servizio push' },
};

/** True for reasons that may clear by themselves: resending later is worth it. */
export const isTransientReason = (code: string | undefined) => code === 'THROTTLED' || code === 'PUSH_SERVICE_UNAVAILABLE';

export type DeviceOutcome = 'sent' | 'failed' | 'skipped-already-sent' | 'no-token';

/**
 * The summary line for one device, in English and Italian, e.g. for the manual's
 * example: ROSSI sent → "Notification sent: the operator must now send unsent
 * data…"; BIANCHI failed (token no longer valid) → "…ask the operator to start
 * mOphas mobile, then resend; if it still fails, use the manual lock".
 */
export function outcomeTexts(command: PushCommand, outcome: DeviceOutcome, reasonCode?: string): Texts {
  const after = AFTER_SENT[command];
  const fallback = FALLBACK[command];
  switch (outcome) {
    case 'sent':
      return { en: `Notification sent: ${after.en}.`, it: `Notifica inviata: ${after.it}.` };
    case 'skipped-already-sent':
      return {
        en: `Notification already sent, not sent again: ${after.en}.`,
        it: `Notifica già inviata, non viene ripetuta: ${after.it}.`,
      };
    case 'no-token':
      return {
        en: 'No push token — ask the operator to start mOphas mobile, then resend.',
        it: "Nessun token push: chiedere all'operatore di avviare mOphas mobile, poi inviare di nuovo la notifica.",
      };
    case 'failed':
      break;
  }
  if (reasonCode === 'NO_TOKEN') return outcomeTexts(command, 'no-token');
  if (reasonCode === 'ENDPOINT_DISABLED') {
    // END UPDATE's way round is already "start the app": say it once.
    if (command === 'END_UPDATE') {
      return {
        en: `Push token no longer valid (app not started recently or reinstalled): ${fallback.en}.`,
        it: `Token push non più valido (app non avviata di recente o reinstallata): ${fallback.it}.`,
      };
    }
    return {
      en: `Push token no longer valid (app not started recently or reinstalled): ask the operator to start mOphas mobile, then resend; if it still fails, ${fallback.en}.`,
      it: `Token push non più valido (app non avviata di recente o reinstallata): chiedere all'operatore di avviare mOphas mobile, poi inviare di nuovo la notifica; se non va ancora a buon fine, ${fallback.it}.`,
    };
  }
  const reason = REASONS[reasonCode as keyof typeof REASONS] ?? REASONS.PUSH_ERROR;
  if (isTransientReason(reasonCode)) {
    return {
      en: `Notification not sent (${reason.en}): resend in a few minutes; if it still fails, ${fallback.en}.`,
      it: `Notifica non inviata (${reason.it}): inviare di nuovo tra qualche minuto; se non va ancora a buon fine, ${fallback.it}.`,
    };
  }
  return { en: `Notification not sent (${reason.en}): ${fallback.en}.`, it: `Notifica non inviata (${reason.it}): ${fallback.it}.` };
}

/** Display name of a command as the manual writes it (START UPDATE…). */
export const commandLabel = (command: PushCommand) => command.replace('_', ' ');
