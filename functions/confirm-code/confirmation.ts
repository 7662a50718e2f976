import { deriveCustomerKey, confirmationResponse, newChallenge, verifyConfirmationResponse } from '../../shared/codes/confirmation';
import { formatCode, parseCode } from '../../shared/codes/code-format';
import { secret } from '../../shared/aws/secrets';
import { supportCanAccess, type SupportPrincipal, type UserPrincipal } from '../../shared/auth/principals';
import { ENV, SECRET_VALUE_ENV } from '../../shared/config';
import { actorOf, auditItem, writeAudit } from '../../shared/db/audit';
import { getRelease } from '../../shared/db/catalog';
import {
  MAX_CODE_ATTEMPTS,
  confirmRelease,
  reserveChallengeAttempt,
  getChallenge,
  getReleaseState,
  putChallenge,
  type ChallengeItem,
} from '../../shared/db/codes';
import { consumeRate, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import { AppError, conflict, forbidden, notFound, tooManyRequests } from '../../shared/errors';
import { codeError } from './code-errors';

/** A challenge lives 24 hours (the admin reads it over the phone, support answers). */
export const CHALLENGE_TTL_MS = 24 * 60 * 60 * 1000;
/** Opening the window generates a challenge; cap it so nobody farms fresh attempts. */
export const CHALLENGES_PER_HOUR: RateLimit = { limit: 20, windowSeconds: 3600 };
/** Responses a support principal may generate per hour. */
export const RESPONSES_PER_HOUR: RateLimit = { limit: 200, windowSeconds: 3600 };

const customerKey = async (customerId: string) =>
  deriveCustomerKey(Buffer.from(await secret(SECRET_VALUE_ENV.codeMasterSecret, ENV.codeMasterSecretArn), 'utf8'), customerId);

/**
 * The release must exist and need a code; returns whether this customer already
 * confirmed it and, on request, the open challenge (all read in parallel).
 */
async function releaseNeedingCode(customerId: string, version: string, withChallenge = false) {
  const [release, state, challenge] = await Promise.all([
    getRelease(version),
    getReleaseState(customerId, version),
    withChallenge ? getChallenge(customerId, version) : undefined,
  ]);
  if (!release) throw notFound(`Release ${version}`);
  if (!release.requiresConfirmationCode) {
    throw conflict('CONFIRMATION_NOT_REQUIRED', `Release ${version} does not need a confirmation code.`, { version });
  }
  return { release, confirmedAt: state?.confirmedAt, challenge };
}

/**
 * Opening "Procedura preliminare di aggiornamento": a new challenge for this
 * customer and release, voiding the previous one (CODE-1).
 */
export async function openChallenge(user: UserPrincipal, version: string) {
  const { confirmedAt } = await releaseNeedingCode(user.customerId, version);
  if (confirmedAt) {
    throw conflict('ALREADY_CONFIRMED', `Release ${version} is already confirmed for this customer.`, {
      version,
      confirmed: true,
      confirmedAt,
    });
  }
  if (!(await consumeRate(`challenge#${user.customerId}`, CHALLENGES_PER_HOUR))) {
    throw tooManyRequests('TOO_MANY_CHALLENGES', 'Too many confirmation windows opened: wait and retry.', {
      retryAfterSeconds: retryAfterSeconds(CHALLENGES_PER_HOUR),
    });
  }
  const challenge = newChallenge();
  const now = new Date();
  const item: ChallengeItem = {
    customerId: user.customerId,
    version,
    challenge: challenge.data,
    status: 'open',
    attempts: 0,
    createdAt: now.toISOString(),
    createdBy: user.username,
    expiresAt: now.getTime() + CHALLENGE_TTL_MS,
  };
  await putChallenge(
    item,
    auditItem({ customerId: user.customerId, action: 'code.challenge.created', actor: actorOf(user), outcome: 'ok', details: { version } }),
  );
  return {
    version,
    challenge: challenge.formatted,
    groups: challenge.formatted.split('-'),
    expiresAt: new Date(item.expiresAt).toISOString(),
    attemptsLeft: MAX_CODE_ATTEMPTS,
  };
}

/** Why a challenge cannot take an answer now, as the API error to return. */
function challengeProblem(c: ChallengeItem | undefined, version: string, now: number): AppError | undefined {
  if (!c) {
    return conflict(
      'NO_CHALLENGE',
      'No confirmation code is open for this release: open the window again to get one.',
      { version },
      'Nessun codice aperto per questo aggiornamento: riaprire la finestra per generarne uno.',
    );
  }
  if (c.status === 'used')
    return conflict('CHALLENGE_USED', 'This code was already used: the release is confirmed.', { version, confirmed: true });
  if (c.attempts >= MAX_CODE_ATTEMPTS) {
    return tooManyRequests(
      'TOO_MANY_ATTEMPTS',
      'Too many wrong codes: this code is void. Open the window again for a new one and call support.',
      { version, attemptsLeft: 0 },
    );
  }
  if (c.expiresAt <= now) {
    return conflict(
      'CHALLENGE_EXPIRED',
      'This code has expired: open the window again to get a new one.',
      { version },
      'Il codice è scaduto: riaprire la finestra per generarne uno nuovo.',
    );
  }
  return undefined;
}

/**
 * The admin types support's response: if right, the release is confirmed for the
 * customer and never asked again (CODE-2); typos are reported before any
 * attempt is spent (CODE-3); the challenge dies after 5 wrong answers (CODE-4).
 */
export async function submitResponse(user: UserPrincipal, version: string, response: string | readonly string[]) {
  const parsed = parseCode(response);
  if (!parsed.ok) throw codeError(parsed);
  const now = Date.now();
  // The attempt is taken atomically before comparing (parallel guesses cannot exceed the
  // limit), in the same round trip as the release checks.
  const [{ confirmedAt }, challenge] = await Promise.all([
    releaseNeedingCode(user.customerId, version),
    reserveChallengeAttempt(user.customerId, version, now),
  ]);
  if (!challenge) {
    const current = await getChallenge(user.customerId, version);
    if (confirmedAt && current?.status === 'used') {
      throw conflict('CHALLENGE_USED', 'This code was already used: the release is confirmed.', { version, confirmed: true, confirmedAt });
    }
    throw challengeProblem(current, version, now) ?? conflict('CHALLENGE_CHANGED', 'The code changed meanwhile: use the one now shown.');
  }
  const used = challenge.attempts;
  const verdict = verifyConfirmationResponse(
    await customerKey(user.customerId),
    {
      customerId: user.customerId,
      releaseVersion: version,
      challenge: challenge.challenge,
    },
    parsed.formatted,
  );
  const actor = actorOf(user);
  if (!verdict.ok) {
    if (verdict.reason !== 'MISMATCH') throw codeError(verdict);
    await writeAudit({
      customerId: user.customerId,
      action: 'code.response.verified',
      actor,
      outcome: 'refused',
      details: { version, attempt: used },
    });
    const attemptsLeft = MAX_CODE_ATTEMPTS - used;
    throw new AppError(
      422,
      'CODE_MISMATCH',
      attemptsLeft > 0
        ? `The code is not valid: the update cannot start. Attempts left: ${attemptsLeft}.`
        : 'The code is not valid: the update cannot start. No attempts left: open the window again for a new code.',
      { version, attemptsLeft },
      attemptsLeft > 0
        ? `Il codice inserito non è valido: non è possibile avviare l'aggiornamento. Tentativi rimasti: ${attemptsLeft}.`
        : "Il codice inserito non è valido: non è possibile avviare l'aggiornamento. Tentativi esauriti: riaprire la finestra per un nuovo codice.",
    );
  }
  const at = new Date().toISOString();
  try {
    await confirmRelease(
      challenge,
      at,
      user.username,
      auditItem({ customerId: user.customerId, action: 'code.response.verified', actor, outcome: 'ok', details: { version }, at }),
    );
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    // Someone else used, re-opened or exhausted it between our read and write.
    throw (
      challengeProblem(await getChallenge(user.customerId, version), version, Date.now()) ??
      conflict('CHALLENGE_CHANGED', 'The code changed meanwhile: use the one now shown.')
    );
  }
  return { version, confirmed: true as const, confirmedAt: at };
}

/**
 * Support (or an agent authorised for the customer) turns the challenge read
 * over the phone into the response (CODE-2, CODE-4). Audited.
 */
export async function generateResponse(
  support: SupportPrincipal,
  input: { customerId: string; version: string; challenge: string | readonly string[] },
) {
  if (!supportCanAccess(support, input.customerId)) throw forbidden('You are not authorised for this customer.');
  const parsed = parseCode(input.challenge);
  if (!parsed.ok) throw codeError(parsed);
  const { challenge: open } = await releaseNeedingCode(input.customerId, input.version, true);
  const actor = actorOf(support);
  if (open?.status !== 'open' || open.challenge !== parsed.data || open.attempts >= MAX_CODE_ATTEMPTS || open.expiresAt <= Date.now()) {
    await writeAudit({
      customerId: input.customerId,
      action: 'code.response.generated',
      actor,
      outcome: 'refused',
      details: { version: input.version, reason: 'challenge not open' },
    });
    throw conflict(
      'CHALLENGE_NOT_OPEN',
      "This is not the code open on the customer's window (re-opened, used, expired or void): ask the customer to read the code again.",
      {
        version: input.version,
        customerId: input.customerId,
      },
    );
  }
  if (!(await consumeRate(`response#${support.id}`, RESPONSES_PER_HOUR))) {
    throw tooManyRequests('TOO_MANY_RESPONSES', 'Too many responses generated: wait and retry.', {
      retryAfterSeconds: retryAfterSeconds(RESPONSES_PER_HOUR),
    });
  }
  const response = confirmationResponse(await customerKey(input.customerId), {
    customerId: input.customerId,
    releaseVersion: input.version,
    challenge: parsed.data,
  });
  await writeAudit({
    customerId: input.customerId,
    action: 'code.response.generated',
    actor,
    outcome: 'ok',
    details: { version: input.version },
  });
  return { customerId: input.customerId, version: input.version, challenge: formatCode(parsed.data), response };
}
