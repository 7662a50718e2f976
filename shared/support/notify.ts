import { PublishCommand, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { sns } from '../aws/sns';
import { ENV, once, requireEnv } from '../config';
import type { SupportCase } from '../db/cases';

/**
 * Notifications to Alturas support over the support SNS topic (its
 * subscribers: the support mailbox, the ticketing tool). What goes out is
 * scrubbed here, once, for every caller: secrets, confirmation/lock codes and
 * credentials never leave in a notification.
 */

const supportTopicArn = once(() => requireEnv(ENV.supportTopicArn));

/** SNS limits: subject ≤ 100 printable ASCII characters; we keep messages far below 256 KiB. */
export const MAX_SUBJECT_CHARS = 100;
export const MAX_MESSAGE_CHARS = 64 * 1024;
/** SNS delivers at most 10 message attributes to some protocols (SQS, Lambda). */
export const MAX_ATTRIBUTES = 10;

const REDACTIONS: [RegExp, string][] = [
  // Authorization header values pasted from a request (scheme and value).
  [/\b(authorization\s*[:=]\s*)\S+(?:\s+\S+)?/gi, '$1[removed]'],
  // Machine credentials and user session tokens: `dsk_…`, `dev_…`, `ust_…` (shared/domain/secrets.ts).
  [/\b(?:dsk|dev|ust)_[A-Za-z0-9_-]{6,64}\.[A-Za-z0-9_-]{20,128}/g, '[credential removed]'],
  // Password hashes.
  [/scrypt\$[^\s"']+/g, '[hash removed]'],
  // 3 groups × 5 digits as people write them: confirmation challenges/responses and lock codes
  // (CODE-*, LOCK-*). Separators are required: 15 bare digits are a device serial (IMEI), not a secret.
  [/\b\d{5}[ -]\d{5}[ -]\d{5}\b/g, '[code removed]'],
];

/** Attribute names that would say they carry a secret: refused outright (a caller bug). */
const SECRET_NAME = /pass(word)?|secret|token|credential|hash|challenge|response|^code\d?$|(confirmation|lock|unlock)code/i;

/** Replaces anything that looks like a credential, hash or code with a marker. */
export function redactSecrets(text: string): string {
  return REDACTIONS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * An SNS-valid subject: printable ASCII (accents folded: "è" → "e"), one line,
 * at most 100 characters ("..." marks a cut).
 */
export function toSubject(subject: string): string {
  const ascii = redactSecrets(subject)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  if (!ascii) throw new Error('notifySupport: the subject is empty');
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3).trimEnd()}...`;
}

/**
 * Publishes a notification to the support topic and returns its MessageId.
 * The subject is made SNS-valid (≤ 100 printable ASCII chars), message and
 * attribute values are scrubbed of credentials, hashes and codes, a message
 * longer than 64 KiB is cut with a visible marker, and attributes whose name
 * suggests a secret are refused. Attributes let subscribers filter
 * (e.g. `{ kind: 'support-case', customerId }`).
 */
export async function notifySupport(
  subject: string,
  message: string,
  attributes: Record<string, string | number> = {},
): Promise<string | undefined> {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES) throw new Error(`notifySupport: at most ${MAX_ATTRIBUTES} attributes`);
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,255}$/.test(name) || /^(AWS|Amazon)\./i.test(name) || name.includes('..')) {
      throw new Error(`notifySupport: invalid attribute name ${name}`);
    }
    if (SECRET_NAME.test(name)) throw new Error(`notifySupport: attribute ${name} looks like a secret and is never sent`);
    messageAttributes[name] =
      typeof value === 'number'
        ? { DataType: 'Number', StringValue: String(value) }
        : { DataType: 'String', StringValue: redactSecrets(value) || '-' };
  }
  let body = redactSecrets(message);
  if (!body.trim()) throw new Error('notifySupport: the message is empty');
  if (body.length > MAX_MESSAGE_CHARS) body = `${body.slice(0, MAX_MESSAGE_CHARS)}\n[message truncated]`;
  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn: supportTopicArn(),
      Subject: toSubject(subject),
      Message: body,
      MessageAttributes: entries.length ? messageAttributes : undefined,
    }),
  );
  return MessageId;
}

/**
 * The notification for a newly filed case ("Invio segnalazione all'assistenza"),
 * ready for `notifySupport(...caseNotification(c))`. It names the log's S3 key,
 * never a download link.
 */
export function caseNotification(c: SupportCase): [subject: string, message: string, attributes: Record<string, string>] {
  const subject = `mOphas update failed: customer ${c.customerId}${c.targetVersion ? ` (${c.targetVersion})` : ''}`;
  const lines = [
    `Support case ${c.caseId} was filed by ${c.reportedBy} on ${c.createdAt}.`,
    '',
    `Customer: ${c.customerId}`,
    `Session: ${c.sessionId}`,
    `From version: ${c.fromVersion ?? '-'}`,
    `Target version: ${c.targetVersion ?? '-'}`,
    `Failure: ${c.failureMessage ?? '-'}`,
    `Desktop log (S3 key): ${c.failureLogKey ?? '-'}`,
    ...(c.message ? ['', 'Message from the customer:', c.message] : []),
    '',
    'Resolve it with POST /v1/support/customers/{customerId}/session/resolve once the cause is fixed.',
  ];
  return [subject, lines.join('\n'), { kind: 'support-case', customerId: c.customerId, caseId: c.caseId }];
}

/**
 * The notification for a rollout halted by its error threshold (docs/rollout.md),
 * ready for `notifySupport(...rolloutHaltNotification(…))`. Italian and English:
 * support staff read either.
 */
export function rolloutHaltNotification(
  version: string,
  halt: { at: string; started: number; failed: number; failedPercent: number },
  threshold: { percent: number; minStarted: number },
): [subject: string, message: string, attributes: Record<string, string>] {
  const subject = `mOphas rollout halted: ${version} (${halt.failed} of ${halt.started} updates failed)`;
  const lines = [
    `La distribuzione della versione ${version} è stata fermata automaticamente il ${halt.at}:`,
    `${halt.failed} aggiornamenti non riusciti su ${halt.started} avviati (${halt.failedPercent}%), soglia ${threshold.percent}% con almeno ${threshold.minStarted} avviati.`,
    'Nessun nuovo cliente riceve la versione; le sessioni già aperte proseguono.',
    '',
    `The rollout of release ${version} was halted automatically at ${halt.at}:`,
    `${halt.failed} of ${halt.started} started updates failed (${halt.failedPercent}%); the threshold is ${threshold.percent}% with at least ${threshold.minStarted} started.`,
    'No new customer is offered the release; sessions already open go on.',
    '',
    `Progress: GET /v1/support/releases/${version}/rollout (mophas-support rollout ${version}).`,
    `Resume with POST /v1/support/releases/${version}/rollout/resume, or withdraw with POST /v1/support/releases/${version}/withdraw.`,
  ];
  return [subject, lines.join('\n'), { kind: 'rollout-halted', release: version }];
}
