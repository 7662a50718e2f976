import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorTexts, type ErrorCode, type ErrorTexts } from '../api/error-catalogue';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response with the house headers. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The JSON error body the API answers: safe details, then `code`, `message` and the texts a person reads. */
export interface ErrorBody {
  readonly code: ErrorCode;
  /** English, possibly more precise than `messages.en` (what exactly was wrong). */
  readonly message: string;
  /** What a person reads: `it` on the desktop and the devices, `en` for logs and support. Always present. */
  readonly messages: ErrorTexts;
  readonly [detail: string]: unknown;
}

/**
 * The error body every failure uses: safe details, then `code` and `message`
 * (details never override them) and `messages.{en,it}` — the case's own pair when
 * `messageIt` is given, the error catalogue's texts of the code otherwise.
 */
export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>, messageIt?: string): ErrorBody {
  return { ...details, code, message, messages: messageIt ? { en: message, it: messageIt } : errorTexts(code) };
}
