import { z } from 'zod';
import type { RouteAuth } from '../auth/principals';
import type { RouteContract } from './handler';
import { ROUTES, routeKey, type RouteSpec } from './routes';

/** Contracts of every function, keyed by route key (collected from the handlers' `contracts`). */
export type Contracts = Record<string, RouteContract>;

function toSchema(schema: z.ZodType): Record<string, unknown> {
  // OpenAPI 3.1 speaks JSON Schema 2020-12; the per-schema `$schema` marker is noise inside the document.
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return json;
}

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

/** Turns an object schema's properties into OpenAPI parameters. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function operation(spec: RouteSpec, contract: RouteContract) {
  const security = SECURITY[spec.auth];
  return {
    operationId: `${spec.method.toLowerCase()}${spec.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: spec.summary,
    description: `Who: ${WHO[spec.auth]}`,
    tags: [spec.fn],
    parameters: [...parameters(contract.path, 'path'), ...parameters(contract.query, 'query')],
    ...(contract.body
      ? { requestBody: { required: !contract.bodyOptional, content: { 'application/json': { schema: toSchema(contract.body) } } } }
      : {}),
    ...(security ? { security: [{ [security.name]: [] }] } : { security: [] }),
    'x-max-body-bytes': spec.maxBodyBytes,
    responses: {
      '200': {
        description: 'Success (201 when something was created); JSON body.',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
      default: {
        description: 'Error: see the `code`.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the whole HTTP API, built from the route table and
 * the very schemas the handlers validate with — there is no hand-kept copy.
 * Throws if a route has no contract (a handler not wired).
 */
export function buildOpenApi(contracts: Contracts) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of ROUTES) {
    const contract = contracts[routeKey(spec)];
    if (!contract) throw new Error(`No handler contract for ${routeKey(spec)}`);
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation(spec, contract);
  }
  const scheme = (description: string) => ({ type: 'apiKey', in: 'header', name: 'Authorization', description });
  return {
    openapi: '3.1.0',
    info: {
      title: 'mOphas Update Cloud',
      version: '1',
      description:
        'Coordinates mOphas desktop and mobile updates: version feed, confirmation codes, update sessions, device commands, support. Errors are JSON `{code, message, messages?}`.',
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
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', description: 'Stable machine-readable code, e.g. CODE_TYPO, SESSION_CONFLICT.' },
            message: { type: 'string', description: 'Safe to show (English).' },
            messages: {
              type: 'object',
              properties: { en: { type: 'string' }, it: { type: 'string' } },
              description: 'Texts shown to end users.',
            },
          },
          additionalProperties: true,
        },
      },
    },
  };
}
