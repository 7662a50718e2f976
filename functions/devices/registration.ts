import { authenticate } from '../../shared/auth/authenticate';
import { AppError } from '../../shared/errors';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { newDeviceSecret } from '../../shared/codes/lock-exchange';
import { auditItem } from '../../shared/db/audit';
import {
  allOf,
  changeDeviceWith,
  createDevice,
  DEVICE_ENABLED,
  getDevice,
  type DeviceCondition,
  type DeviceItem,
} from '../../shared/db/devices';
import { deviceSetChangedItem } from '../../shared/db/device-set';
import { credentialKeys } from '../../shared/db/keys';
import type { TransactItem } from '../../shared/db/table';
import { consumeRate, isRateLimited, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import { issueCredential } from '../../shared/domain/secrets';
import { tooManyRequests, unauthorized } from '../../shared/errors';
import { owedAnswer, pushTokenChange, type OwedAnswer } from './check-in';
import { deviceDisabled } from './device-errors';
import { endpointNeedsRefresh, refreshEndpoint } from './push-endpoint';
import type { RegisterInput } from '../../shared/api/routes/devices';
import { customerOfLicence, putItem, readDeviceContext, revokeCredentialItem } from './store';

/**
 * Registration limits (DEV-1). A licence code is typed by people and may leak, so:
 * - `failedPerSource`: unknown licence codes per source IP — stops guessing codes;
 * - `perDevice`: attempts per licence and serial — a re-install loop, or someone
 *   replaying a known IMEI to take over its credential;
 * - `newPerLicence`: new device rows per licence — a leaked code cannot flood the
 *   customer's grid. Re-registrations are not counted here on purpose: after every
 *   update each device of the fleet re-registers (DEV-5), 200 of them within minutes.
 */
export const REGISTER_LIMITS: Readonly<Record<'failedPerSource' | 'perDevice' | 'newPerLicence', RateLimit>> = {
  failedPerSource: { limit: 20, windowSeconds: 3600 },
  perDevice: { limit: 10, windowSeconds: 3600 },
  newPerLicence: { limit: 60, windowSeconds: 3600 },
};

/** What the device stores: its credential (shown once), its lock secret (LOCK-2) and what it owes now. */
export interface Registration extends OwedAnswer {
  serial: string;
  /** `dev_<id>.<secret>`: sent as `Authorization: Device …` from now on. Never shown again. */
  credential: string;
  /** Per-device secret for the offline lock/unlock codes (LOCK-2). Replaced at every registration. */
  lockSecret: string;
  /** `new`: a row was created; `renewed`: the existing row was kept and its credential replaced. */
  registration: 'new' | 'renewed';
}

const tooMany = (rule: RateLimit, what: string) =>
  tooManyRequests('TOO_MANY_REGISTRATIONS', `Too many registration attempts ${what}: retry later.`, {
    retryAfterSeconds: retryAfterSeconds(rule),
  });

/** The caller's address for the failed-attempt limit (API Gateway sets it; tests and tools may not). */
const sourceOf = (event: APIGatewayProxyEventV2) => event.requestContext?.http?.sourceIp ?? 'unknown';

/**
 * Registers a device with its serial and licence code (DEV-1). A new serial gets a
 * row and a credential in one transaction (a row never exists without its
 * credential). A known serial of the same customer is a re-install (DEV-5): the
 * row — operator, flags, session marks — is kept, a new credential and lock
 * secret are issued and the old credential is revoked in the same transaction.
 * A disabled device is refused (SES-8). The answer also carries the command the
 * device owes, so a device on another version than the desktop's is sent to it
 * right after registering (DEV-6).
 */
export async function register(input: RegisterInput, event: APIGatewayProxyEventV2, now = new Date()): Promise<Registration> {
  const source = `devreg-fail#${sourceOf(event)}`;
  if (await isRateLimited(source, REGISTER_LIMITS.failedPerSource)) throw tooMany(REGISTER_LIMITS.failedPerSource, 'from this address');
  const customerId = await customerOfLicence(input.licenceCode);
  if (!customerId) {
    await consumeRate(source, REGISTER_LIMITS.failedPerSource);
    throw unauthorized();
  }
  if (!(await consumeRate(`devreg#${input.licenceCode}#${input.serial}`, REGISTER_LIMITS.perDevice))) {
    throw tooMany(REGISTER_LIMITS.perDevice, 'for this device');
  }

  // A concurrent registration of the same serial can win the race; then decide again on the row it wrote.
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await getDevice(customerId, input.serial, { consistent: true });
    if (existing && !existing.enabled) throw deviceDisabled(input.serial);
    if (existing?.credentialId && !existing.registrationOpen) await requireOwnCredential(event, customerId, input.serial);
    if (!existing && !(await consumeRate(`devreg-new#${input.licenceCode}`, REGISTER_LIMITS.newPerLicence))) {
      throw tooMany(REGISTER_LIMITS.newPerLicence, 'of new devices for this licence');
    }
    const outcome = existing ? await renew(customerId, existing, input, now) : await create(customerId, input, now);
    if (!outcome) continue;

    // Left out at a re-registration, the token stays what the row had (pushTokenChange).
    const token = input.pushToken === undefined ? existing?.pushToken : (input.pushToken ?? undefined);
    if (token && endpointNeedsRefresh(token, existing)) {
      await refreshEndpoint({ customerId, serial: input.serial, pushToken: token, endpointArn: existing?.endpointArn }, existing?.notes);
    }
    const context = await readDeviceContext(customerId, undefined);
    return {
      serial: input.serial,
      credential: outcome.credential,
      lockSecret: outcome.lockSecret,
      registration: existing ? 'renewed' : 'new',
      ...owedAnswer(context.session, outcome.device, context.desktopVersion),
    };
  }
  const last = await getDevice(customerId, input.serial, { consistent: true });
  if (last && !last.enabled) throw deviceDisabled(input.serial);
  throw new Error(`registration of ${input.serial} kept racing with concurrent registrations`);
}

interface Written {
  credential: string;
  lockSecret: string;
  device: DeviceItem;
}

const auditRegistered = (
  customerId: string,
  serial: string,
  registration: 'new' | 'renewed',
  at: string,
  details: Record<string, unknown>,
): TransactItem =>
  putItem(
    auditItem({
      customerId,
      action: 'device.registered',
      actor: { kind: 'device', id: serial },
      outcome: 'ok',
      details: { serial, registration, ...details },
      at,
    }),
  );

/** A new row + its credential + the audit entry; undefined when the row appeared meanwhile. */
async function create(customerId: string, input: RegisterInput, now: Date): Promise<Written | undefined> {
  const at = now.toISOString();
  const credential = issueCredential('dev');
  const lockSecret = newDeviceSecret();
  const token = input.pushToken ?? undefined;
  const device: DeviceItem = {
    customerId,
    serial: input.serial,
    model: input.model,
    enabled: true,
    installedVersion: input.installedVersion,
    pushToken: token,
    notificationsEnabled: Boolean(token),
    blocked: false,
    notes: [],
    credentialId: credential.id,
    lockSecret,
    registeredAt: at,
  };
  const outcome = await createDevice(device, [
    putItem(
      {
        ...credentialKeys.device(credential.id),
        type: 'deviceCredential',
        customerId,
        serial: input.serial,
        secretHash: credential.secretHash,
        createdAt: at,
      },
      { mustBeNew: true },
    ),
    auditRegistered(customerId, input.serial, 'new', at, { installedVersion: input.installedVersion, model: input.model }),
    // A new device joins the set Start update decides on.
    deviceSetChangedItem(customerId),
  ]);
  if (!outcome.ok) {
    if (outcome.reasons[0] === 'ConditionalCheckFailed') return undefined;
    throw new Error(`device registration transaction cancelled: ${outcome.reasons.join(', ')}`);
  }
  return { credential: credential.token, lockSecret, device };
}

/**
 * A tablet that is already registered re-registers (after an update, DEV-5) with
 * the credential it holds: the licence code alone is known to every operator and
 * must not let one take over a colleague's device (AUTH-2). A tablet that lost
 * its credential (app data wiped) is re-authorised by the office: enabling it in
 * tablet authorisation management re-opens registration once.
 */
async function requireOwnCredential(event: APIGatewayProxyEventV2, customerId: string, serial: string) {
  const principal = event.headers?.authorization ? await authenticate(event, 'device') : undefined;
  if (principal?.kind === 'device' && principal.customerId === customerId && principal.serial === serial) return;
  throw new AppError(
    403,
    'REGISTRATION_LOCKED',
    'This tablet is already registered: register again from the app that holds its credential, or ask the office to re-authorise it (tablet authorisation management).',
    { serial },
    "Questo dispositivo è già registrato: registrarlo di nuovo dall'app che ne conserva le credenziali, oppure chiedere alla sede di riautorizzarlo (Gestione Autorizzazioni Tablet).",
  );
}

/**
 * Re-registration of a known serial: new credential and lock secret on the kept
 * row, old credential revoked. Conditioned on the row still holding the credential
 * read (and being enabled), so two racing re-registrations never leave two live
 * credentials. Undefined when the row changed meanwhile.
 */
async function renew(customerId: string, existing: DeviceItem, input: RegisterInput, now: Date): Promise<Written | undefined> {
  const at = now.toISOString();
  const credential = issueCredential('dev');
  const lockSecret = newDeviceSecret();
  const tokenChange = pushTokenChange(input.pushToken);
  const previous = existing.credentialId;
  const condition: DeviceCondition = allOf(
    DEVICE_ENABLED,
    previous
      ? { expression: '#credentialId = :previous', values: { ':previous': previous } }
      : { expression: 'attribute_not_exists(#credentialId)' },
  );
  const set = {
    credentialId: credential.id,
    lockSecret,
    installedVersion: input.installedVersion,
    registeredAt: at,
    model: input.model,
    registrationOpen: false,
    ...tokenChange.set,
  };
  const others: TransactItem[] = [
    putItem(
      {
        ...credentialKeys.device(credential.id),
        type: 'deviceCredential',
        customerId,
        serial: input.serial,
        secretHash: credential.secretHash,
        createdAt: at,
      },
      { mustBeNew: true },
    ),
    ...(previous ? [revokeCredentialItem(previous, at)] : []),
    auditRegistered(customerId, input.serial, 'renewed', at, { installedVersion: input.installedVersion, revokedCredentialId: previous }),
  ];
  const outcome = await changeDeviceWith(
    customerId,
    input.serial,
    {
      set,
      remove: tokenChange.remove,
      note: {
        it: `Dispositivo registrato di nuovo (versione ${input.installedVersion})`,
        en: `Device registered again (version ${input.installedVersion})`,
      },
      at: now,
    },
    { condition, others, notesBefore: existing.notes?.length ?? 0 },
  );
  if (!outcome.ok) {
    if (outcome.reasons[0] === 'ConditionalCheckFailed') return undefined;
    throw new Error(`device re-registration transaction cancelled: ${outcome.reasons.join(', ')}`);
  }
  const written = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  const device: DeviceItem = { ...existing, ...written };
  if (tokenChange.remove) delete device.pushToken;
  return { credential: credential.token, lockSecret, device };
}
