import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { badRequest } from '../errors';

/** Raw body as a UTF-8 string, decoding API Gateway's base64 form. */
export function rawBody(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Size in bytes of the request body as sent. */
export function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

/** Renders zod issues as `field: problem` lines a caller can act on. */
export function describeIssues(error: z.ZodError): { field: string; problem: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    problem: issue.message,
  }));
}

/**
 * Parses and validates a JSON body with the route's schema.
 * Malformed JSON → 400 INVALID_JSON with the parser's reason; schema failure →
 * 400 VALIDATION_FAILED listing each field and what was wrong.
 */
export function jsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  const text = rawBody(event);
  if (text.trim() === '') throw badRequest('MISSING_BODY', 'A JSON request body is required.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest('INVALID_JSON', `Request body is not valid JSON: ${(err as Error).message}`);
  }
  return validate(schema, value, 'body');
}

/** Validates query-string parameters with a schema (400 VALIDATION_FAILED on failure). */
export function queryParams<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return validate(schema, event.queryStringParameters ?? {}, 'query');
}

/** Validates path parameters with a schema (400 VALIDATION_FAILED on failure). */
export function pathParams<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return validate(schema, event.pathParameters ?? {}, 'path');
}

function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = describeIssues(result.error);
    const summary = issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
    throw badRequest('VALIDATION_FAILED', `Invalid request ${where}: ${summary}`, { issues });
  }
  return result.data;
}

/** Like jsonBody, for routes whose body may be left out entirely (validated as `{}`). */
export function optionalJsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return rawBody(event).trim() === '' ? validate(schema, {}, 'body') : jsonBody(event, schema);
}
