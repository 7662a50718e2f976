import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod';
import type { RouteAuth } from '../auth/principals';
import { ErrorBody, FeedAnswerPayload } from './components';
import { declaredErrors, type RouteContract, type SuccessStatus } from './contract';
import { ERROR_CATALOGUE } from './error-catalogue';
import { ROUTES } from './index';

/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from the contract
 * table alone: the same schemas the handlers validate their input with and the
 * local stack validates their answers against. `npm run openapi` writes it to
 * docs/openapi.json (a test fails when that copy is stale).
 */

type Json = Record<string, unknown>;

const SECURITY: Record<RouteAuth, { name: string; description: string } | undefined> = {
  public: undefined,
  desktop: { name: 'desktopCredential', description: 'Customer installation credential: `Authorization: Desktop dsk_<id>.<secret>`' },
  user: { name: 'userToken', description: 'Desktop user session (from POST /v1/desktop/login): `Authorization: Bearer ust_<id>.<secret>`' },
  'user-pending': { name: 'userToken', description: '' },
  admin: { name: 'userToken', description: '' },
  device: {
    name: 'deviceCredential',
    description: 'Device credential (from POST /v1/device/register): `Authorization: Device dev_<id>.<secret>`',
  },
  staff: {
    name: 'staffSignIn',
    description:
      'Alturas staff or agent signed in with the staff user pool (Amazon Cognito): `Authorization: Bearer <access token>`, checked by the JWT authorizer',
  },
  support: { name: 'staffSignIn', description: '' },
  pipeline: {
    name: 'pipelineIam',
    description: 'The build pipeline: an IAM identity signing the request with AWS SigV4 (service execute-api), registered for publishing',
  },
};

const WHO: Record<RouteAuth, string> = {
  public: 'Anyone.',
  desktop: 'A customer installation (any workstation).',
  user: 'A logged-in desktop user.',
  'user-pending': 'A logged-in desktop user, also one that must change the password first.',
  admin: 'An administrator logged in on the SERVER workstation (FEED-6).',
  device: 'A registered device, acting on itself only.',
  staff: 'Alturas support staff (user pool group `staff`).',
  support: 'Alturas support staff, or an agent (group `agent`) assigned to the customer.',
  pipeline: 'The build pipeline: a registered IAM identity (SigV4).',
};

const SUCCESS: Record<SuccessStatus, string> = {
  200: 'Success.',
  201: 'Created.',
  304: 'Not modified since the ETag sent in If-None-Match: no body.',
};

/** `\d` → `[0-9]` (`0-9` inside a class): another language's validator may let `\d` match non-ASCII digits. */
export function asciiDigits(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      out += next === 'd' ? (inClass ? '0-9' : '[0-9]') : c + next;
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

/** Tidies a generated schema in place: ASCII-only digit patterns, no regex next to `format: date-time`, no safe-integer noise. */
function tidy(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) tidy(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  if (schema.format === 'date-time') delete schema.pattern;
  if (typeof schema.pattern === 'string') schema.pattern = asciiDigits(schema.pattern);
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  for (const value of Object.values(schema)) tidy(value);
}

/** Collects the named components (`meta({ id })`) while schemas are converted. */
class Components {
  readonly schemas: Record<string, Json> = {};

  /** JSON Schema (2020-12) of a zod schema; its named parts become `#/components/schemas/<id>` references. */
  convert(schema: z.ZodType): Json {
    const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    const {
      $schema: _dialect,
      $defs,
      ...json
    } = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) this.add(id, def);
    tidy(json);
    return json;
  }

  add(id: string, def: Json): void {
    tidy(def);
    const known = this.schemas[id];
    if (known && !isDeepStrictEqual(known, def)) throw new Error(`Two different schemas are named ${id}`);
    this.schemas[id] = def;
  }
}

/** Turns an object schema's properties into OpenAPI parameters. */
function parameters(components: Components, schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = components.convert(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

const operationId = (c: RouteContract) =>
  `${c.method.toLowerCase()}${c.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`;

function responses(components: Components, c: RouteContract) {
  const headers = c.responseHeaders
    ? Object.fromEntries(
        Object.entries(c.responseHeaders).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
      )
    : undefined;
  const out: Record<string, Json> = {};
  for (const [status, schema] of Object.entries(c.responses) as [string, z.ZodType | null][]) {
    out[status] = {
      description: SUCCESS[Number(status) as SuccessStatus],
      ...(headers ? { headers } : {}),
      ...(schema ? { content: { 'application/json': { schema: components.convert(schema) } } } : {}),
    };
  }
  for (const [status, codes] of declaredErrors(c)) {
    out[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].en}`).join('\n\n'),
      content: {
        'application/json': {
          schema: { allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { code: { enum: codes } } }] },
        },
      },
    };
  }
  return out;
}

function operation(components: Components, c: RouteContract) {
  const security = SECURITY[c.auth];
  return {
    operationId: operationId(c),
    summary: c.summary,
    description: [`Who: ${WHO[c.auth]}`, c.description].filter(Boolean).join('\n\n'),
    tags: [c.fn],
    parameters: [...parameters(components, c.params, 'path'), ...parameters(components, c.query, 'query')],
    ...(c.body
      ? { requestBody: { required: !c.bodyOptional, content: { 'application/json': { schema: components.convert(c.body) } } } }
      : {}),
    security: security ? [{ [security.name]: [] }] : [],
    'x-max-body-bytes': c.maxBodyBytes,
    responses: responses(components, c),
  };
}

/** Builds the OpenAPI 3.1 document of the routes (every route of the contract table by default). */
export function buildOpenApi(routes: readonly RouteContract[] = ROUTES) {
  const components = new Components();
  // Named even where no schema refers to them: the Error of every error answer, and the
  // signed payload a desktop parses from `SignedFeedAnswer.payload` (with the Notice).
  components.convert(ErrorBody);
  components.convert(FeedAnswerPayload);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const c of routes) (paths[c.path] ??= {})[c.method.toLowerCase()] = operation(components, c);
  const scheme = (description: string) => ({ type: 'apiKey', in: 'header', name: 'Authorization', description });
  const schemas = Object.fromEntries(Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'mOphas Update Cloud',
      version: '1',
      description: [
        'Coordinates mOphas desktop and mobile updates: version feed, confirmation codes, update sessions, device commands, support.',
        'Every error answer is JSON `{code, message, messages: {en, it}}` plus safe details; each operation lists the codes it can answer. A person reads `messages.it` (desktop, devices). API Gateway itself may also answer 429 `{"message":"Too Many Requests"}` when a route is throttled.',
      ].join('\n\n'),
    },
    paths,
    components: {
      securitySchemes: {
        desktopCredential: scheme(SECURITY.desktop!.description),
        userToken: scheme(SECURITY.user!.description),
        deviceCredential: scheme(SECURITY.device!.description),
        staffSignIn: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: SECURITY.staff!.description },
        pipelineIam: { ...scheme(SECURITY.pipeline!.description), 'x-amazon-apigateway-authtype': 'awsSigv4' },
      },
      schemas,
    },
  };
}
