import { authenticate } from '../../shared/auth/authenticate';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { newDeviceSecret } from '../../shared/codes/lock-exchange';
import { auditItem, writeAudit } from '../../shared/db/audit';
import { deviceSetChangedItem } from '../../shared/db/device-set';
import { summaryDeviceItems } from '../../shared/db/customer-summary';
import {
  allOf,
  changeDeviceWith,
  DEVICE_ENABLED,
  getDevice,
  holds,
  versionStill,
  type DeviceCondition,
  type DeviceItem,
} from '../../shared/db/devices';
import { credentialKeys } from '../../shared/db/keys';
import { consumeRate, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import type { TransactItem } from '../../shared/db/table';
import { issueCredential } from '../../shared/domain/secrets';
import { AppError, unauthorized } from '../../shared/errors';
import { owedAnswer, pushTokenChange, type OwedAnswer } from './check-in';
import { deviceDisabled, deviceNotAuthorised, registrationLocked } from './device-errors';
import { endpointNeedsRefresh, refreshEndpoint } from './push-endpoint';
import type { RegisterInput } from '../../shared/api/routes/devices';
import { customerOfLicence, putItem, readDeviceContext, revokeCredentialItem } from './store';

/**
 * Registration limits (DEV-1). They count failures, keyed by what the request
 * claims, and only ever refuse a request that would fail anyway — so a good
 * registration is never refused because of other people's mistakes (a site
 * behind NAT or a mobile carrier shares one address):
 * - `unknownLicencePerSource`: unknown or revoked licence codes per source
 *   address — stops guessing codes;
 * - `refusedPerLicence`: refused serials per licence (not authorised, disabled,
 *   already registered elsewhere) — someone holding the licence code cannot
 *   probe which IMEIs are authorised;
 * - `perDevice`: registrations of one tablet (licence and serial) — a re-install
 *   loop. Each tablet has its own budget: the fleet re-registering after an
 *   update (DEV-5) never reaches it.
 * Once a limit is reached, the refusals it covers answer 429 instead of their
 * usual error; a registration that succeeds still goes through.
 */
export const REGISTER_LIMITS: Readonly<Record<'unknownLicencePerSource' | 'refusedPerLicence' | 'perDevice', RateLimit>> = {
  unknownLicencePerSource: { limit: 20, windowSeconds: 3600 },
  refusedPerLicence: { limit: 30, windowSeconds: 3600 },
  perDevice: { limit: 10, windowSeconds: 3600 },
};

/** What the device stores: its credential (shown once), its lock secret (LOCK-2) and what it owes now. */
export interface Registration extends OwedAnswer {
  serial: string;
  /** `dev_<id>.<secret>`: sent as `Authorization: Device …` from now on. Never shown again. */
  credential: string;
  /** Per-device secret for the offline lock/unlock codes (LOCK-2). Replaced at every registration. */
  lockSecret: string;
  /** `new`: the tablet's first registration; `renewed`: a registered tablet got a new credential. */
  registration: 'new' | 'renewed';
}

const tooMany = (rule: RateLimit, what: { en: string; it: string }) =>
  new AppError(
    429,
    'TOO_MANY_REGISTRATIONS',
    `Too many registration attempts ${what.en}: retry later.`,
    { retryAfterSeconds: retryAfterSeconds(rule) },
    `Troppi tentativi di registrazione ${what.it}: riprovare più tardi.`,
  );

/** The caller's address for the unknown-licence limit (API Gateway sets it; tests and tools may not). */
const sourceOf = (event: APIGatewayProxyEventV2) => event.requestContext?.http?.sourceIp ?? 'unknown';

/**
 * Registers an authorised tablet with its serial and licence code (DEV-1). Only
 * a serial the office put in tablet authorisation management, and left
 * enabled, registers; any other is refused (403 DEVICE_NOT_AUTHORISED). The
 * row — operator, flags, session marks — is kept; a new credential and lock
 * secret are issued and the previous credential, if any, is revoked in the same
 * transaction (DEV-5). A registered tablet registers again only with its own
 * credential, or once after the office re-opened its registration. The answer
 * also carries the command the device owes, so a device on another version
 * than the desktop's is sent to it right after registering (DEV-6).
 */
export async function register(input: RegisterInput, event: APIGatewayProxyEventV2, now = new Date()): Promise<Registration> {
  const customerId = await customerOfLicence(input.licenceCode);
  if (!customerId) {
    const source = `devreg-fail#${sourceOf(event)}`;
    if (!(await consumeRate(source, REGISTER_LIMITS.unknownLicencePerSource))) {
      throw tooMany(REGISTER_LIMITS.unknownLicencePerSource, { en: 'from this address', it: 'da questo indirizzo' });
    }
    throw unauthorized();
  }
  const refuse = async (error: AppError, reason: string): Promise<never> => {
    if (!(await consumeRate(`devreg-refused#${input.licenceCode}`, REGISTER_LIMITS.refusedPerLicence))) {
      throw tooMany(REGISTER_LIMITS.refusedPerLicence, { en: 'for this licence', it: 'per questa licenza' });
    }
    // The office sees who tried (not the licence code, which is a credential).
    await writeAudit({
      customerId,
      action: 'device.registration.refused',
      actor: { kind: 'device', id: input.serial },
      outcome: 'refused',
      details: { serial: input.serial, reason },
    });
    throw error;
  };

  // A concurrent registration of the same serial can win the race; then decide again on the row it wrote.
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await getDevice(customerId, input.serial, { consistent: true });
    if (!existing) return refuse(deviceNotAuthorised(input.serial), 'not-authorised');
    if (!existing.enabled) return refuse(deviceDisabled(input.serial), 'disabled');
    if (existing.credentialId && !existing.registrationOpen && !(await holdsOwnCredential(event, customerId, existing))) {
      return refuse(registrationLocked(input.serial), 'already-registered');
    }
    if (!(await consumeRate(`devreg#${input.licenceCode}#${input.serial}`, REGISTER_LIMITS.perDevice))) {
      throw tooMany(REGISTER_LIMITS.perDevice, { en: 'for this device', it: 'per questo dispositivo' });
    }
    const outcome = await renew(customerId, existing, input, now);
    if (!outcome) continue;

    // Left out at a re-registration, the token stays what the row had (pushTokenChange).
    const token = input.pushToken === undefined ? existing.pushToken : (input.pushToken ?? undefined);
    if (token && endpointNeedsRefresh(token, existing)) {
      await refreshEndpoint({ customerId, serial: input.serial, pushToken: token, endpointArn: existing.endpointArn }, existing.notes);
    }
    const context = await readDeviceContext(customerId, undefined);
    return {
      serial: input.serial,
      credential: outcome.credential,
      lockSecret: outcome.lockSecret,
      registration: existing.registeredAt ? 'renewed' : 'new',
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

/**
 * A tablet that is already registered re-registers (after an update, DEV-5) with
 * the credential it holds: the licence code alone is known to every operator and
 * must not let one take over a colleague's device (AUTH-2). A tablet that lost
 * its credential (app data wiped) is re-authorised by the office: enabling it in
 * tablet authorisation management re-opens registration once.
 */
async function holdsOwnCredential(event: APIGatewayProxyEventV2, customerId: string, row: DeviceItem): Promise<boolean> {
  if (!event.headers?.authorization) return false;
  try {
    const principal = await authenticate(event, 'device');
    return (
      principal.kind === 'device' &&
      principal.customerId === customerId &&
      principal.serial === row.serial &&
      holds(row, principal.credentialId)
    );
  } catch (error) {
    if (error instanceof AppError && error.statusCode === 401) return false;
    throw error;
  }
}

/**
 * Registration of an authorised row: new credential and lock secret on the kept
 * row, the previous credential (if any) revoked. Conditioned on the row still
 * holding the credential read (and being enabled), so two racing registrations
 * never leave two live credentials. The model stays the one the office entered
 * (the manual's Device column comes from tablet authorisation management).
 * Undefined when the row changed meanwhile.
 */
async function renew(customerId: string, existing: DeviceItem, input: RegisterInput, now: Date): Promise<Written | undefined> {
  const at = now.toISOString();
  const credential = issueCredential('dev');
  const lockSecret = newDeviceSecret();
  const tokenChange = pushTokenChange(input.pushToken);
  const previous = existing.credentialId;
  const first = !existing.registeredAt;
  const condition: DeviceCondition = allOf(
    DEVICE_ENABLED,
    previous
      ? { expression: '#credentialId = :previous', values: { ':previous': previous } }
      : { expression: 'attribute_not_exists(#credentialId)' },
    versionStill(existing.installedVersion),
  );
  const set = {
    credentialId: credential.id,
    lockSecret,
    installedVersion: input.installedVersion,
    registeredAt: at,
    model: existing.model ? undefined : input.model,
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
    auditRegistered(customerId, input.serial, first ? 'new' : 'renewed', at, {
      installedVersion: input.installedVersion,
      ...(previous ? { revokedCredentialId: previous } : {}),
    }),
    // A tablet's first registration makes it reachable: the set Start update decides on changed.
    ...(first ? [deviceSetChangedItem(customerId)] : []),
    // The overview's per-version count, from the version the condition holds the row to.
    ...summaryDeviceItems(
      customerId,
      { enabled: true, installedVersion: existing.installedVersion },
      { enabled: true, installedVersion: input.installedVersion },
    ),
  ];
  const outcome = await changeDeviceWith(
    customerId,
    input.serial,
    {
      set,
      remove: tokenChange.remove,
      note: first
        ? undefined
        : {
            it: `Dispositivo registrato di nuovo (versione ${input.installedVersion})`,
            en: `Device registered again (version ${input.installedVersion})`,
          },
      at: now,
    },
    { condition, others, notesBefore: existing.notes?.length ?? 0 },
  );
  if (!outcome.ok) {
    if (outcome.reasons[0] === 'ConditionalCheckFailed') return undefined;
    throw new Error(`device registration transaction cancelled: ${outcome.reasons.join(', ')}`);
  }
  const written = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  const device: DeviceItem = { ...existing, ...written };
  if (tokenChange.remove) delete device.pushToken;
  return { credential: credential.token, lockSecret, device };
}
