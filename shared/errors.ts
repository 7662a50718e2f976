import type { ErrorCode } from './api/error-catalogue';

/**
 * Typed error model. Every error the API can return is an AppError with a stable
 * machine-readable `code` from the error catalogue (shared/api/error-catalogue.ts:
 * an unknown code does not compile), an HTTP status and a message safe to show to
 * a user. The HTTP middleware (shared/http/handler.ts) renders them with the
 * catalogue's English and Italian texts; anything else becomes a 500 with a
 * generic message and is logged.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra, safe-to-show fields merged into the response body (e.g. the current state on a conflict). */
    readonly details?: Record<string, unknown>,
    /**
     * Italian rendering of `message`, when the text depends on the case (e.g. "group 2
     * has a typo"); then `messages` is `{en: message, it: messageIt}`. Without it,
     * `messages` are the catalogue's texts of the code.
     */
    readonly messageIt?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400: the request is malformed or fails validation. */
export const badRequest = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(400, code, message, details);

/** 401: missing or bad credentials (never says which part was wrong). */
export const unauthorized = () => new AppError(401, 'UNAUTHORIZED', 'Missing or invalid credentials.');

/** 403: authenticated, but not allowed to do this. */
export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'FORBIDDEN', message);

/** 404: the thing does not exist (or is not visible to the caller). */
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found.`);

/** 409: the action conflicts with the current state; `current` is returned to the caller. */
export const conflict = (code: ErrorCode, message: string, current?: Record<string, unknown>, messageIt?: string) =>
  new AppError(409, code, message, current, messageIt);

/** 429: too many attempts. */
export const tooManyRequests = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(429, code, message, details);

/** Raised at start-up when configuration is missing: a deployment bug, never shown to callers. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
