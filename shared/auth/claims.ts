/**
 * Token claims as API Gateway's JWT authorizer hands them to the function
 * (`requestContext.authorizer.jwt`, payload 2.0). No dependencies: every function
 * bundle reads claims, only the local gateway verifies tokens (shared/auth/jwt.ts).
 */

/**
 * Claims as API Gateway puts them in `requestContext.authorizer.jwt.claims`
 * (payload 2.0): every value a string, arrays as `[a b]`.
 */
export function gatewayClaims(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    out[name] = Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

/** The scopes of a token, as API Gateway lists them in `requestContext.authorizer.jwt.scopes`. */
export const tokenScopes = (payload: Record<string, unknown>): string[] =>
  typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];

/** A list claim as API Gateway renders it (`[a b]`), or as an array, or a single value. */
export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string' || value.trim() === '') return [];
  const text = value.trim();
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner.split(/[\s,]+/).filter(Boolean);
}
