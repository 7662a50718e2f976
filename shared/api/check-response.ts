import type { z } from 'zod';
import { ErrorBody } from './components';
import { declaredErrors, type RouteContract, type SuccessStatus } from './contract';
import type { ErrorCode } from './error-catalogue';

/**
 * Run-time check of an answer against its route contract, for the local gateway
 * and the tests (never in Lambda, where it would only cost time): the status is
 * declared, a success body matches its schema with no undeclared field, an error
 * body is the Error shape with a code the route declares for that status.
 */

/** What the `$default` route (functions/not-found) answers. */
const DEFAULT_ROUTE_ERRORS: Readonly<Record<number, readonly ErrorCode[]>> = {
  404: ['NOT_FOUND'],
  405: ['METHOD_NOT_ALLOWED'],
  413: ['PAYLOAD_TOO_LARGE'],
  500: ['ROUTE_NOT_WIRED', 'INTERNAL_ERROR'],
};

/** Fields of `value` the parsed result does not have: what the schema does not declare. */
function undeclared(value: unknown, parsed: unknown, path: string, out: string[]): void {
  if (Array.isArray(value) && Array.isArray(parsed)) {
    for (const [i, item] of value.entries()) undeclared(item, parsed[i], `${path}[${i}]`, out);
    return;
  }
  if (!value || typeof value !== 'object' || !parsed || typeof parsed !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    if (!(key in parsed)) out.push(`${path}.${key}: not declared in the contract`);
    else undeclared(item, (parsed as Record<string, unknown>)[key], `${path}.${key}`, out);
  }
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `body${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
}

/** Problems with an error answer: the Error shape, and a code declared for this status. */
function errorProblems(status: number, body: unknown, declared: readonly ErrorCode[] | undefined): string[] {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return issues(parsed.error);
  if (!declared?.includes(parsed.data.code)) {
    return [`error ${status} ${parsed.data.code} is not declared (declared for ${status}: ${declared?.join(', ') || 'none'})`];
  }
  return [];
}

/**
 * Problems with an answer of `contract` (undefined: the `$default` route); empty
 * when it matches. `body` is the parsed JSON, or undefined when there was none.
 */
export function checkResponse(contract: RouteContract | undefined, status: number, body: unknown): string[] {
  if (!contract) return errorProblems(status, body, DEFAULT_ROUTE_ERRORS[status]);
  if (status in contract.responses) {
    const schema = contract.responses[status as SuccessStatus];
    if (!schema) return body === undefined ? [] : [`${status} is declared without a body, but one was sent`];
    const parsed = schema.safeParse(body);
    if (!parsed.success) return issues(parsed.error);
    const extra: string[] = [];
    undeclared(body, parsed.data, 'body', extra);
    return extra;
  }
  if (status >= 400) return errorProblems(status, body, declaredErrors(contract).find(([s]) => s === status)?.[1]);
  return [`status ${status} is not declared (declared: ${Object.keys(contract.responses).join(', ')})`];
}
