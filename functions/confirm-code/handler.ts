import { z } from 'zod';
import { parseCode } from '../../shared/codes/code-format';
import { AppError } from '../../shared/errors';
import { httpHandler, type HttpEvent } from '../../shared/http/handler';
import { jsonBody } from '../../shared/http/request';
import { json } from '../../shared/http/response';

const CheckCodeBody = z.object({
  code: z.union([z.string().max(64), z.array(z.string().max(16)).length(3)]),
});

/**
 * POST /v1/codes/check: tells whether a typed 3×5-digit code is well formed and
 * which group has a typo (CODE-3), without spending any attempt.
 */
export const checkCode = async (event: HttpEvent) => {
  const { code } = jsonBody(event, CheckCodeBody);
  const parsed = parseCode(code);
  if (parsed.ok) return json(200, { ok: true, formatted: parsed.formatted });
  if (parsed.reason === 'TYPO') {
    throw new AppError(400, 'CODE_TYPO', parsed.messages.en, { typoGroups: parsed.typoGroups }, parsed.messages.it);
  }
  throw new AppError(400, 'CODE_FORMAT', parsed.messages.en, undefined, parsed.messages.it);
};

export const handler = httpHandler('confirm-code', { 'POST /v1/codes/check': checkCode });
