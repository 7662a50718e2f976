import { runAuthorizer } from '../local/authorizers';
import { toEvent } from '../local/gateway';
import { lambdaContext } from '../local/lambda-context';

/** A Lambda handler of this project, as the benchmarks call it. */
export type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

/** Loads a function's handler module (after the stack has set the environment). */
export const loadHandler = async (fn: string) => ((await import(`../functions/${fn}/handler.ts`)) as { handler: Handler }).handler;

/**
 * Calls a handler with the API Gateway event of a request, exactly as the local
 * gateway does (the route's authorizer first, outside the measured time, as in
 * AWS), and measures the handler's time only.
 */
export async function invoke(
  handler: Handler,
  request: { method: string; url: string; auth?: string; body?: unknown; headers?: Record<string, string> },
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...request.headers };
  if (request.auth) headers.authorization = request.auth;
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const { event, route } = toEvent({ method: request.method, url: request.url, headers, body });
  const refused = route ? await runAuthorizer(route, event, body) : undefined;
  if (refused) return { ms: 0, status: refused.statusCode, body: JSON.parse(refused.body) as any };
  const started = performance.now();
  const result = await handler(event, lambdaContext('bench'));
  const ms = performance.now() - started;
  return { ms, status: result.statusCode, body: result.body ? (JSON.parse(result.body) as any) : undefined };
}

let calls = 0;
let counting = false;

/** Counts DynamoDB requests made through the shared client; returns the running total. */
export async function dynamoCalls(): Promise<() => number> {
  if (!counting) {
    const { dynamo } = await import('../shared/aws/dynamodb');
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );
    counting = true;
  }
  return () => calls;
}

/** Logs a tenant's admin in and returns its Authorization header. */
export async function adminAuth(tenant: { desktopCredential: string; users: Record<string, { password: string }> }) {
  const login = await invoke(await loadHandler('users'), {
    method: 'POST',
    url: '/v1/desktop/login',
    auth: `Desktop ${tenant.desktopCredential}`,
    body: { username: 'admin', password: tenant.users.admin!.password, workstation: 'server' },
  });
  return `Bearer ${login.body.token}`;
}
