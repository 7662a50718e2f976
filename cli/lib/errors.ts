/**
 * A failure the user can act on: printed as one line (`error: …`), no stack
 * trace unless --debug, and the process exits non-zero.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** An error answer of the mOphas API: its status, stable `code` and message. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly body: Record<string, unknown>,
  ) {
    super(`${apiMessage} (${code}, HTTP ${status})`);
    this.name = 'ApiError';
  }
}

/** The one line printed for an error, with what to do where the API's message does not say it. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHORIZED':
      case 'FORBIDDEN':
        return `the API refused the request signature or identity: publishing needs AWS credentials of a registered pipeline identity (--profile, AWS_PROFILE; locally the pipeline key in .local-data/keys.json). (${error.code}, HTTP ${error.status})`;
      case 'RELEASE_EXISTS': {
        const existing = error.body.existing as { publishedAt?: string } | undefined;
        const when = existing?.publishedAt ? ` It was published at ${existing.publishedAt}.` : '';
        return `${error.apiMessage}${when} (RELEASE_EXISTS, HTTP ${error.status})`;
      }
      default:
        return error.message;
    }
  }
  if (error instanceof CliError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected failure: ${message.split('\n')[0]} (run again with --debug for details)`;
}
