/**
 * Local stand-in for API Gateway (HTTP API, payload format 2.0): turns each HTTP
 * request into the same event API Gateway would send, runs the route's
 * authorizer like API Gateway (JWT for people, IAM for the pipeline:
 * local/authorizers.ts), and calls the *same* handler module that is deployed to
 * Lambda (`functions/<fn>/handler.ts`), using
 * the contract table (shared/api). Unmatched requests go to the `not-found`
 * function, as the `$default` route does in AWS. Unlike API Gateway, it also
 * checks every answer against the route's contract (shared/api/check-response.ts),
 * so a handler that drifts from its contract fails a test, not an integrator.
 * With `webRoot`, it also serves the built pages at `/desktop/` and `/support/`
 * (CloudFront's default behaviour in AWS), so the pages and the API share one
 * origin locally too.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkResponse } from '../shared/api/check-response';
import { parseStaffSignIn } from '../shared/auth/sign-in';
import { ENV } from '../shared/config';
import { resolveRoute, routeKey, type HttpFunctionName, type RouteContract } from '../shared/api';
import { errorBody } from '../shared/http/response';
import { runAuthorizer } from './authorizers';
import { lambdaContext } from './lambda-context';
import { isWebPath, webFile } from './web-files';

/** API Gateway's own payload limit for HTTP APIs. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

const ROOT = resolve(import.meta.dirname, '..');
const handlers = new Map<HttpFunctionName, Promise<Handler>>();

/** Loads (once) the Lambda handler of a function, exactly as bundled for AWS. */
export function loadHandler(fn: HttpFunctionName): Promise<Handler> {
  let loaded = handlers.get(fn);
  if (!loaded) {
    const file = pathToFileURL(resolve(ROOT, 'functions', fn, 'handler.ts')).href;
    loaded = import(file).then((m: { handler: Handler }) => m.handler);
    handlers.set(fn, loaded);
  }
  return loaded;
}

/** Builds the API Gateway v2 event for a request. */
export function toEvent(input: { method: string; url: string; headers: Record<string, string>; body?: Buffer; sourceIp?: string }): {
  fn: HttpFunctionName;
  event: APIGatewayProxyEventV2;
  /** The route's contract; undefined for the `$default` route. */
  route: RouteContract | undefined;
} {
  const url = new URL(input.url, 'http://localhost');
  const method = input.method.toUpperCase();
  const resolved = resolveRoute(method, url.pathname);
  const key = resolved.route ? routeKey(resolved.route) : '$default';
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const body = input.body && input.body.length > 0 ? input.body : undefined;
  const textual = body ? isTextual(input.headers['content-type']) : true;
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: input.headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: resolved.route && Object.keys(resolved.pathParameters).length ? resolved.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: input.headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: input.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body ? !textual : false,
  };
  return { fn: resolved.route ? resolved.route.fn : 'not-found', event, route: resolved.route };
}

/** Invokes the handler for a request and normalises its result like API Gateway does. */
export async function invoke(fn: HttpFunctionName, event: APIGatewayProxyEventV2) {
  const handler = await loadHandler(fn);
  const result = await handler(event, lambdaContext(fn));
  if (typeof result === 'string' || result === undefined || result === null || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result ?? null),
      isBase64Encoded: false,
    };
  }
  return result;
}

export interface Gateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * An answer that does not match its route's contract becomes a 500 saying why
 * (and is logged), so the test or the local user sees the drift at once.
 */
function checked(route: RouteContract | undefined, result: Awaited<ReturnType<typeof invoke>>) {
  let body: unknown;
  let problems: string[];
  try {
    body =
      result.body === undefined || result.body === ''
        ? undefined
        : JSON.parse(result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body);
    problems = checkResponse(route, result.statusCode ?? 200, body);
  } catch {
    problems = ['the body is not JSON'];
  }
  if (problems.length === 0) return result;
  const name = route ? routeKey(route) : '$default';
  console.error(`answer of ${name} does not match its contract (shared/api): ${problems.join('; ')}`);
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      errorBody('INTERNAL_ERROR', `The answer of ${name} does not match its contract.`, {
        contractViolation: { status: result.statusCode, problems, body },
      }),
    ),
    isBase64Encoded: false,
  };
}

/**
 * Starts the gateway on host:port (port 0 picks a free one); `webRoot` is a
 * web build folder (web/build.ts) whose pages are served at `/desktop/` and `/support/`.
 */
export async function startGateway(options: { port: number; host?: string; webRoot?: string }): Promise<Gateway> {
  const server = createServer((req, res) => {
    serve(req, res, options.webRoot).catch((error: unknown) => {
      console.error('gateway error', error);
      send(res, 500, { 'content-type': 'application/json' }, JSON.stringify(errorBody('INTERNAL_ERROR', 'Internal Server Error')));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * The hosted sign-in's origin the console may call (its token endpoint):
 * cognito-local here, as the pool's Cognito domain is in AWS (web/headers.ts).
 */
function localSignInOrigins(): string[] {
  const raw = process.env[ENV.staffSignIn];
  if (!raw) return [];
  const { hostedSignIn, endpoint } = parseStaffSignIn(raw);
  const base = hostedSignIn ?? endpoint;
  return base ? [new URL(base).origin] : [];
}

/** Where the console PUTs release packages (presigned URLs): s3rver here, as the bucket's endpoint is in AWS. */
function localUploadOrigins(): string[] {
  const s3 = process.env.AWS_ENDPOINT_URL_S3;
  return s3 ? [new URL(s3).origin] : [];
}

async function serve(req: IncomingMessage, res: ServerResponse, webRoot: string | undefined) {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (webRoot && isWebPath(pathname)) {
    const file = await webFile(webRoot, req.method ?? 'GET', pathname, {
      connectOrigins: [...localSignInOrigins(), ...localUploadOrigins()],
    });
    send(res, file.status, file.headers, req.method === 'HEAD' ? undefined : file.body);
    return;
  }
  if (req.method === 'GET' && (req.url === '/openapi.json' || req.url === '/v1/openapi.json')) {
    // Local only: the document generated from the route contracts (docs/openapi.json is its committed copy).
    const { openApiDocument } = await import('./openapi');
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(await openApiDocument(), null, 2));
    return;
  }
  const body = await readBody(req, GATEWAY_MAX_BODY_BYTES);
  if (body === 'too-large') {
    send(
      res,
      413,
      { 'content-type': 'application/json', connection: 'close' },
      JSON.stringify(errorBody('PAYLOAD_TOO_LARGE', `Request body exceeds ${GATEWAY_MAX_BODY_BYTES} bytes.`)),
    );
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const { fn, event, route } = toEvent({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers,
    body,
    sourceIp: req.socket.remoteAddress,
  });
  const refused = route ? await runAuthorizer(route, event, body) : undefined;
  if (refused) {
    send(res, refused.statusCode, refused.headers, refused.body);
    return;
  }
  let result;
  try {
    result = checked(route, await invoke(fn, event));
  } catch (error) {
    // What API Gateway answers when the integration fails.
    console.error(`handler ${fn} threw`, error);
    send(res, 500, { 'content-type': 'application/json' }, JSON.stringify(errorBody('INTERNAL_ERROR', 'Internal Server Error')));
    return;
  }
  const out: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) out['set-cookie'] = result.cookies;
  const payload = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  send(res, result.statusCode ?? 200, out, req.method === 'HEAD' ? undefined : payload);
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body?: string | Buffer) {
  res.writeHead(status, headers);
  res.end(body);
}

function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|x-www-form-urlencoded|xml)|[^;]*\+json)/i.test(contentType);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => ok(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}
