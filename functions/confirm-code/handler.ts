import { z } from 'zod';
import { parseCode } from '../../shared/codes/code-format';
import { httpHandler, principalOf, type HttpRequest } from '../../shared/http/handler';
import { jsonBody, pathParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { codeError } from './code-errors';
import { generateResponse, openChallenge, submitResponse } from './confirmation';
import { generateCode2, verifyExchange } from './lock';
import { CodeField, CustomerIdField, SerialPath, VersionField, VersionPath } from './schemas';

/** POST /v1/codes/check: is a typed code well formed, and which group has a typo (CODE-3)? No attempt is spent. */
export const checkCode = async ({ event }: HttpRequest) => {
  const { code } = jsonBody(event, z.object({ code: CodeField }));
  const parsed = parseCode(code);
  if (!parsed.ok) throw codeError(parsed);
  return json(200, { ok: true, formatted: parsed.formatted });
};

/** POST /v1/desktop/releases/{version}/challenge: open the confirmation window (CODE-1). */
export const challenge = async (request: HttpRequest) => {
  const { version } = pathParams(request.event, VersionPath);
  return json(201, await openChallenge(principalOf(request, 'user'), version));
};

/** POST /v1/desktop/releases/{version}/confirmation: submit support's response (CODE-2). */
export const confirmation = async (request: HttpRequest) => {
  const { version } = pathParams(request.event, VersionPath);
  const { response } = jsonBody(request.event, z.object({ response: CodeField }));
  return json(200, await submitResponse(principalOf(request, 'user'), version, response));
};

/** POST /v1/support/confirmation-responses: support turns a challenge into the response (CODE-2/4). */
export const supportResponse = async (request: HttpRequest) => {
  const body = jsonBody(request.event, z.object({ customerId: CustomerIdField, version: VersionField, challenge: CodeField }));
  return json(200, await generateResponse(principalOf(request, 'support'), body));
};

/** POST /v1/desktop/devices/{serial}/lock-exchange: GENERA — code 1 in, code 2 out (LOCK-1). */
export const lockCode2 = async (request: HttpRequest) => {
  const { serial } = pathParams(request.event, SerialPath);
  const body = jsonBody(request.event, z.object({ action: z.enum(['lock', 'unlock']), code1: CodeField }));
  return json(200, await generateCode2(principalOf(request, 'user'), serial, body.action, body.code1));
};

/** POST /v1/desktop/devices/{serial}/lock-exchange/verify: VERIFICA — code 3 proves the device acted. */
export const lockVerify = async (request: HttpRequest) => {
  const { serial } = pathParams(request.event, SerialPath);
  const { code3 } = jsonBody(request.event, z.object({ code3: CodeField }));
  return json(200, await verifyExchange(principalOf(request, 'user'), serial, code3));
};

export const handler = httpHandler('confirm-code', {
  'POST /v1/codes/check': checkCode,
  'POST /v1/desktop/releases/{version}/challenge': challenge,
  'POST /v1/desktop/releases/{version}/confirmation': confirmation,
  'POST /v1/support/confirmation-responses': supportResponse,
  'POST /v1/desktop/devices/{serial}/lock-exchange': lockCode2,
  'POST /v1/desktop/devices/{serial}/lock-exchange/verify': lockVerify,
});
