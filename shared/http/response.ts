import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response with the house headers. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The error body every failure uses: `code` and `message`, plus safe details. */
export function errorBody(code: string, message: string, details?: Record<string, unknown>, messageIt?: string) {
  return { ...details, code, message, ...(messageIt ? { messages: { en: message, it: messageIt } } : {}) };
}
