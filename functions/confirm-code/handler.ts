import { z } from 'zod';
import { parseCode } from '../../shared/codes/code-format';
import { httpHandler, principalOf, route } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { codeError } from './code-errors';
import { generateResponse, openChallenge, submitResponse } from './confirmation';
import { generateCode2, verifyExchange } from './lock';
import { CodeField, CustomerIdField, SerialPath, VersionField, VersionPath } from './schemas';

/** POST /v1/codes/check: is a typed code well formed, and which group has a typo (CODE-3)? No attempt is spent. */
export const checkCode = route({ body: z.object({ code: CodeField }) }, async ({ input }) => {
  const parsed = parseCode(input.body.code);
  if (!parsed.ok) throw codeError(parsed);
  return json(200, { ok: true, formatted: parsed.formatted });
});

/** POST /v1/desktop/releases/{version}/challenge: open the confirmation window (CODE-1). */
export const challenge = route({ path: VersionPath, body: z.object({}), bodyOptional: true }, async (request) =>
  json(201, await openChallenge(principalOf(request, 'user'), request.input.path.version)),
);

/** POST /v1/desktop/releases/{version}/confirmation: submit support's response (CODE-2). */
export const confirmation = route({ path: VersionPath, body: z.object({ response: CodeField }) }, async (request) =>
  json(200, await submitResponse(principalOf(request, 'user'), request.input.path.version, request.input.body.response)),
);

/** POST /v1/support/confirmation-responses: support turns a challenge into the response (CODE-2/4). */
export const supportResponse = route(
  { body: z.object({ customerId: CustomerIdField, version: VersionField, challenge: CodeField }) },
  async (request) => json(200, await generateResponse(principalOf(request, 'support'), request.input.body)),
);

/** POST /v1/desktop/devices/{serial}/lock-exchange: GENERA — code 1 in, code 2 out (LOCK-1). */
export const lockCode2 = route(
  { path: SerialPath, body: z.object({ action: z.enum(['lock', 'unlock']), code1: CodeField }) },
  async (request) =>
    json(
      200,
      await generateCode2(principalOf(request, 'user'), request.input.path.serial, request.input.body.action, request.input.body.code1),
    ),
);

/** POST /v1/desktop/devices/{serial}/lock-exchange/verify: VERIFICA — code 3 proves the device acted. */
export const lockVerify = route({ path: SerialPath, body: z.object({ code3: CodeField }) }, async (request) =>
  json(200, await verifyExchange(principalOf(request, 'user'), request.input.path.serial, request.input.body.code3)),
);

export const handler = httpHandler('confirm-code', {
  'POST /v1/codes/check': checkCode,
  'POST /v1/desktop/releases/{version}/challenge': challenge,
  'POST /v1/desktop/releases/{version}/confirmation': confirmation,
  'POST /v1/support/confirmation-responses': supportResponse,
  'POST /v1/desktop/devices/{serial}/lock-exchange': lockCode2,
  'POST /v1/desktop/devices/{serial}/lock-exchange/verify': lockVerify,
});
