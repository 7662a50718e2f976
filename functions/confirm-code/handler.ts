import { confirmCode as routes } from '../../shared/api/routes/confirm-code';
import { parseCode } from '../../shared/codes/code-format';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { codeError } from './code-errors';
import { generateResponse, openChallenge, submitResponse } from './confirmation';
import { generateCode2, verifyExchange } from './lock';

/** POST /v1/codes/check: is a typed code well formed, and which group has a typo (CODE-3)? No attempt is spent. */
export const checkCode = implement(routes.checkCode, async ({ body }) => {
  const parsed = parseCode(body.code);
  if (!parsed.ok) throw codeError(parsed);
  return ok({ ok: true, formatted: parsed.formatted });
});

/** POST /v1/desktop/releases/{version}/challenge: open the confirmation window (CODE-1). */
export const challenge = implement(routes.challenge, async ({ principal, params }) =>
  created(await openChallenge(principal, params.version)),
);

/** POST /v1/desktop/releases/{version}/confirmation: submit support's response (CODE-2). */
export const confirmation = implement(routes.confirmation, async ({ principal, params, body }) =>
  ok(await submitResponse(principal, params.version, body.response)),
);

/** POST /v1/support/confirmation-responses: support turns a challenge into the response (CODE-2/4). */
export const supportResponse = implement(routes.confirmationResponse, async ({ principal, body }) =>
  ok(await generateResponse(principal, body)),
);

/** POST /v1/desktop/devices/{serial}/lock-exchange: GENERA — code 1 in, code 2 out (LOCK-1). */
export const lockCode2 = implement(routes.lockExchange, async ({ principal, params, body }) =>
  ok(await generateCode2(principal, params.serial, body.action, body.code1)),
);

/** POST /v1/desktop/devices/{serial}/lock-exchange/verify: VERIFICA — code 3 proves the device acted. */
export const lockVerify = implement(routes.lockVerify, async ({ principal, params, body }) =>
  ok(await verifyExchange(principal, params.serial, body.code3)),
);

export const handler = httpHandler('confirm-code', [checkCode, challenge, confirmation, supportResponse, lockCode2, lockVerify]);
