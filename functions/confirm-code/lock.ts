import { code2For, verifyCode3, type LockAction } from '../../shared/codes/lock-exchange';
import { CodeInputError, parseCode } from '../../shared/codes/code-format';
import type { UserPrincipal } from '../../shared/auth/principals';
import { actorOf, auditItem, writeAudit } from '../../shared/db/audit';
import {
  MAX_CODE_ATTEMPTS,
  completeLockExchange,
  reserveAttempt,
  getLockExchange,
  putLockExchange,
  type LockExchangeItem,
} from '../../shared/db/codes';
import { getDevice, type NoteText } from '../../shared/db/devices';
import { customerKeys } from '../../shared/db/keys';
import { type AppError, conflict, notFound, tooManyRequests } from '../../shared/errors';
import { codeError } from './code-errors';

/** The phone exchange must finish within 30 minutes of GENERA. */
export const LOCK_EXCHANGE_TTL_MS = 30 * 60 * 1000;

/** Grid notes of a verified exchange (LOCK-1 step 4). */
export const MANUAL_NOTES: Record<LockAction, NoteText> = {
  lock: { it: 'Bloccato manualmente (procedura telefonica)', en: 'Blocked manually (phone procedure)' },
  unlock: { it: 'Sbloccato manualmente (procedura telefonica)', en: 'Unblocked manually (phone procedure)' },
};

async function deviceWithSecret(customerId: string, serial: string) {
  const device = await getDevice(customerId, serial, { projection: ['enabled', 'lockSecret', 'notes'] });
  if (!device) throw notFound(`Device ${serial}`);
  if (!device.enabled)
    throw conflict('DEVICE_DISABLED', 'This device is disabled: re-enable it from tablet authorisation management first.', { serial });
  if (!device.lockSecret) {
    throw conflict(
      'NO_LOCK_SECRET',
      'This device has no lock secret yet: it must register again (Registra Dispositivo) before a manual lock.',
      { serial },
    );
  }
  return { ...device, lockSecret: device.lockSecret };
}

/**
 * GENERA (LOCK-1 step 2): from the operator's code 1, the code 2 to read back.
 * Pressing it again with the same code 1 returns the same code 2 and keeps the
 * attempts already spent; a new code 1 starts a new exchange (voiding the old).
 */
export async function generateCode2(user: UserPrincipal, serial: string, action: LockAction, code1: string | readonly string[]) {
  const device = await deviceWithSecret(user.customerId, serial);
  const result = code2For(device.lockSecret, serial, code1, { expectedAction: action });
  if (!result.ok) throw codeError(result, { serial });
  const code1Data = dataOf(code1);
  const code2Data = dataOf(result.code2);
  const existing = await getLockExchange(user.customerId, serial);
  const expiresAt = Date.now() + LOCK_EXCHANGE_TTL_MS;
  if (
    existing &&
    existing.status === 'open' &&
    existing.code1 === code1Data &&
    existing.code2 === code2Data &&
    existing.expiresAt > Date.now()
  ) {
    return { serial, action, code2: result.code2, expiresAt: new Date(existing.expiresAt).toISOString() };
  }
  const item: LockExchangeItem = {
    customerId: user.customerId,
    serial,
    action,
    code1: code1Data,
    code2: code2Data,
    status: 'open',
    attempts: 0,
    createdAt: new Date().toISOString(),
    createdBy: user.username,
    expiresAt,
  };
  await putLockExchange(
    item,
    auditItem({ customerId: user.customerId, action: `lock.${action}.code2`, actor: actorOf(user), outcome: 'ok', details: { serial } }),
  );
  return { serial, action, code2: result.code2, expiresAt: new Date(expiresAt).toISOString() };
}

/** The 12 data digits of a code already known to parse. */
function dataOf(code: string | readonly string[]): string {
  const parsed = parseCode(code);
  if (!parsed.ok) throw new Error('code expected to parse');
  return parsed.data;
}

function exchangeProblem(x: LockExchangeItem | undefined, serial: string, now: number): AppError | undefined {
  if (!x) return conflict('NO_EXCHANGE', 'No lock/unlock exchange is open for this device: start again with GENERA.', { serial });
  if (x.status === 'used') return conflict('EXCHANGE_USED', 'This exchange is already verified.', { serial, action: x.action });
  if (x.attempts >= MAX_CODE_ATTEMPTS)
    return tooManyRequests('TOO_MANY_ATTEMPTS', 'Too many wrong codes: start again with a new code 1 and GENERA.', {
      serial,
      attemptsLeft: 0,
    });
  if (x.expiresAt <= now)
    return conflict('EXCHANGE_EXPIRED', 'This exchange has expired: start again with a new code 1 and GENERA.', { serial });
  return undefined;
}

/**
 * VERIFICA (LOCK-1 step 4): code 3 proves the device acted; the grid row becomes
 * Blocked (or unblocked) with a note. One use per exchange.
 */
export async function verifyExchange(user: UserPrincipal, serial: string, code3: string | readonly string[]) {
  const parsed = parseCode(code3);
  if (!parsed.ok) throw codeError(parsed, { serial });
  const device = await deviceWithSecret(user.customerId, serial);
  const exchange = await getLockExchange(user.customerId, serial);
  const problem = exchangeProblem(exchange, serial, Date.now());
  if (problem || !exchange) throw problem;

  // The attempt is taken before comparing (atomic), so parallel guesses cannot exceed the limit.
  const used = await reserveAttempt(customerKeys.lockExchange(user.customerId, serial), { attribute: 'code1', value: exchange.code1 });
  if (used === undefined)
    throw (
      exchangeProblem(await getLockExchange(user.customerId, serial), serial, Date.now()) ??
      conflict('EXCHANGE_CHANGED', 'The exchange changed meanwhile.')
    );
  let verdict: ReturnType<typeof verifyCode3>;
  try {
    verdict = verifyCode3(device.lockSecret, serial, exchange.code1, exchange.code2, parsed.formatted);
  } catch (error) {
    // The stored code 2 no longer belongs to the device's secret: it registered again after GENERA.
    if (error instanceof CodeInputError)
      throw conflict('EXCHANGE_STALE', 'The device registered again since GENERA: start again with a new code 1 and GENERA.', { serial });
    throw error;
  }
  const actor = actorOf(user);
  if (!verdict.ok) {
    if (verdict.reason !== 'MISMATCH') throw codeError(verdict, { serial });
    await writeAudit({
      customerId: user.customerId,
      action: `lock.${exchange.action}.verify`,
      actor,
      outcome: 'refused',
      details: { serial, attempt: used },
    });
    throw codeError(verdict, { serial, attemptsLeft: MAX_CODE_ATTEMPTS - used });
  }
  const at = new Date().toISOString();
  const completed = await completeLockExchange(
    exchange,
    at,
    MANUAL_NOTES[exchange.action],
    auditItem({ customerId: user.customerId, action: `lock.${exchange.action}.verify`, actor, outcome: 'ok', details: { serial }, at }),
    device.notes?.length ?? 0,
  );
  if (!completed) {
    throw (
      exchangeProblem(await getLockExchange(user.customerId, serial), serial, Date.now()) ??
      conflict('EXCHANGE_CHANGED', 'The exchange changed meanwhile.')
    );
  }
  return { serial, action: exchange.action, verified: true as const, blocked: exchange.action === 'lock' };
}
