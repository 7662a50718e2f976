import type { FormatFailure, MismatchFailure, TypoFailure } from '../../shared/codes/code-format';
import type { BadActionFailure, WrongActionFailure } from '../../shared/codes/lock-exchange';
import { AppError } from '../../shared/errors';

type CodeFailure = FormatFailure | TypoFailure | MismatchFailure | BadActionFailure | WrongActionFailure;

/**
 * Renders a code failure from the pure modules as an API error. Typos and bad
 * shapes are 400s reported before any attempt is spent (CODE-3); a wrong code
 * is 422 with the attempts left.
 */
export function codeError(failure: CodeFailure, details: Record<string, unknown> = {}): AppError {
  switch (failure.reason) {
    case 'TYPO':
      return new AppError(400, 'CODE_TYPO', failure.messages.en, { ...details, typoGroups: failure.typoGroups }, failure.messages.it);
    case 'FORMAT':
      return new AppError(400, 'CODE_FORMAT', failure.messages.en, details, failure.messages.it);
    case 'BAD_ACTION':
      return new AppError(400, 'CODE_BAD_ACTION', failure.messages.en, details, failure.messages.it);
    case 'WRONG_ACTION':
      return new AppError(400, 'WRONG_ACTION', failure.messages.en, { ...details, codeAction: failure.action }, failure.messages.it);
    case 'MISMATCH':
      return new AppError(422, 'CODE_MISMATCH', failure.messages.en, details, failure.messages.it);
  }
}
