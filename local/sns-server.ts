/**
 * A small SNS-compatible endpoint for the local stack (TOOLCHAIN: no emulator on
 * the registry supports mobile-push platform endpoints). It speaks the AWS Query
 * protocol the SDK's SNSClient uses, for exactly the calls this project makes:
 * CreatePlatformApplication, CreatePlatformEndpoint, GetEndpointAttributes,
 * SetEndpointAttributes, DeleteEndpoint, CreateTopic and Publish.
 *
 * Simulated devices, chosen by push-token prefix, so failure summaries can be
 * seen locally:
 * - `stale-…`  FCM reports the token unregistered: the first publish disables the
 *              endpoint and fails with EndpointDisabled (as SNS does).
 * - `noapp-…`  publish is accepted but the app never receives it (app not started).
 * - `throttled-…` every publish is refused with HTTP 429 Throttled (the account's
 *              Publish rate exceeded), to see the fan-out's retries.
 * Every accepted publish is recorded; `GET /_local/deliveries?token=T` lists what a
 * simulated device received (used by the device simulator and tests), and
 * `GET /_local/publish-attempts?token=T` counts the Publish requests that reached
 * this endpoint for a token, refused ones included.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

const ACCOUNT = '000000000000';
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

interface Endpoint {
  arn: string;
  applicationArn: string;
  token: string;
  enabled: boolean;
  customUserData?: string;
}

interface Delivery {
  messageId: string;
  targetArn: string;
  token?: string;
  message: string;
  at: string;
}

interface SnsState {
  applications: Record<string, { name: string; platform: string }>;
  endpoints: Record<string, Endpoint>;
  topics: Record<string, { name: string }>;
  deliveries: Delivery[];
  /** Publish requests received per token, accepted or not. */
  publishAttempts?: Record<string, number>;
}

export interface LocalSns {
  url: string;
  server: Server;
  state: SnsState;
  close(): Promise<void>;
}

class SnsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

const MAX_DELIVERIES = 10_000;

/** Starts the endpoint on 127.0.0.1:port; state is persisted to `stateFile` when given. */
export async function startLocalSns(options: { port: number; region: string; stateFile?: string }): Promise<LocalSns> {
  const { region, stateFile } = options;
  const state: SnsState =
    stateFile && existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as SnsState)
      : { applications: {}, endpoints: {}, topics: {}, deliveries: [] };
  const save = () => {
    if (stateFile) writeFileSync(stateFile, JSON.stringify(state));
  };

  const actions: Record<string, (p: URLSearchParams) => string> = {
    CreatePlatformApplication(p) {
      const name = required(p, 'Name');
      const platform = required(p, 'Platform');
      const arn = `arn:aws:sns:${region}:${ACCOUNT}:app/${platform}/${name}`;
      state.applications[arn] = { name, platform };
      return `<PlatformApplicationArn>${arn}</PlatformApplicationArn>`;
    },
    CreatePlatformEndpoint(p) {
      const applicationArn = required(p, 'PlatformApplicationArn');
      const token = required(p, 'Token');
      if (!state.applications[applicationArn]) throw new SnsFault(404, 'NotFound', 'PlatformApplication does not exist');
      const customUserData = p.get('CustomUserData') ?? undefined;
      const existing = Object.values(state.endpoints).find((e) => e.applicationArn === applicationArn && e.token === token);
      if (existing) {
        // SNS is idempotent for the same token and attributes, and refuses different attributes.
        if ((existing.customUserData ?? undefined) !== customUserData || !existing.enabled) {
          throw new SnsFault(
            400,
            'InvalidParameter',
            `Invalid parameter: Token Reason: Endpoint ${existing.arn} already exists with the same Token, but different attributes.`,
          );
        }
        return `<EndpointArn>${existing.arn}</EndpointArn>`;
      }
      const app = state.applications[applicationArn]!;
      const arn = `arn:aws:sns:${region}:${ACCOUNT}:endpoint/${app.platform}/${app.name}/${randomUUID()}`;
      state.endpoints[arn] = { arn, applicationArn, token, enabled: true, customUserData };
      return `<EndpointArn>${arn}</EndpointArn>`;
    },
    GetEndpointAttributes(p) {
      const endpoint = findEndpoint(required(p, 'EndpointArn'));
      const attrs: Record<string, string> = { Token: endpoint.token, Enabled: String(endpoint.enabled) };
      if (endpoint.customUserData) attrs.CustomUserData = endpoint.customUserData;
      return `<Attributes>${Object.entries(attrs)
        .map(([k, v]) => `<entry><key>${k}</key><value>${escapeXml(v)}</value></entry>`)
        .join('')}</Attributes>`;
    },
    SetEndpointAttributes(p) {
      const endpoint = findEndpoint(required(p, 'EndpointArn'));
      const attrs = attributes(p);
      if (attrs.Token !== undefined) endpoint.token = attrs.Token;
      if (attrs.Enabled !== undefined) endpoint.enabled = attrs.Enabled === 'true';
      if (attrs.CustomUserData !== undefined) endpoint.customUserData = attrs.CustomUserData;
      return '';
    },
    DeleteEndpoint(p) {
      delete state.endpoints[required(p, 'EndpointArn')];
      return '';
    },
    CreateTopic(p) {
      const name = required(p, 'Name');
      const arn = `arn:aws:sns:${region}:${ACCOUNT}:${name}`;
      state.topics[arn] = { name };
      return `<TopicArn>${arn}</TopicArn>`;
    },
    Publish(p) {
      const message = required(p, 'Message');
      const targetArn = p.get('TargetArn') ?? p.get('TopicArn');
      if (!targetArn)
        throw new SnsFault(400, 'InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
      const messageId = randomUUID();
      const endpoint = state.endpoints[targetArn];
      if (endpoint) {
        state.publishAttempts ??= {};
        state.publishAttempts[endpoint.token] = (state.publishAttempts[endpoint.token] ?? 0) + 1;
        if (endpoint.token.startsWith('throttled-')) throw new SnsFault(429, 'Throttled', 'Rate exceeded');
        if (!endpoint.enabled) throw new SnsFault(400, 'EndpointDisabled', 'Endpoint is disabled');
        if (endpoint.token.startsWith('stale-')) {
          endpoint.enabled = false;
          throw new SnsFault(400, 'EndpointDisabled', 'Endpoint is disabled');
        }
        if (!endpoint.token.startsWith('noapp-')) record({ messageId, targetArn, token: endpoint.token, message });
      } else if (state.topics[targetArn]) {
        record({ messageId, targetArn, message });
      } else {
        throw new SnsFault(404, 'NotFound', targetArn.includes(':endpoint/') ? 'Endpoint does not exist' : 'Topic does not exist');
      }
      return `<MessageId>${messageId}</MessageId>`;
    },
  };

  function record(d: Omit<Delivery, 'at'>) {
    state.deliveries.push({ ...d, at: new Date().toISOString() });
    if (state.deliveries.length > MAX_DELIVERIES) state.deliveries.splice(0, state.deliveries.length - MAX_DELIVERIES);
  }

  function findEndpoint(arn: string): Endpoint {
    const endpoint = state.endpoints[arn];
    if (!endpoint) throw new SnsFault(404, 'NotFound', 'Endpoint does not exist');
    return endpoint;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/_local/deliveries') {
      const token = url.searchParams.get('token');
      const list = state.deliveries.filter((d) => !token || d.token === token);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/_local/publish-attempts') {
      const token = url.searchParams.get('token') ?? '';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token, attempts: state.publishAttempts?.[token] ?? 0 }));
      return;
    }
    const body = await readBody(req);
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const requestId = randomUUID();
    const run = actions[action];
    try {
      if (!run) throw new SnsFault(400, 'InvalidAction', `The action ${action} is not valid for this endpoint.`);
      const result = run(params);
      save();
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<${action}Response xmlns="${XMLNS}">${result ? `<${action}Result>${result}</${action}Result>` : ''}` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
        );
    } catch (error) {
      const fault = error instanceof SnsFault ? error : new SnsFault(500, 'InternalError', String(error), 'Receiver');
      res
        .writeHead(fault.status, { 'content-type': 'text/xml' })
        .end(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${fault.type}</Type><Code>${fault.code}</Code>` +
            `<Message>${escapeXml(fault.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        save();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function required(p: URLSearchParams, name: string): string {
  const value = p.get(name);
  if (!value) throw new SnsFault(400, 'InvalidParameter', `Invalid parameter: ${name} Reason: no value for required parameter`);
  return value;
}

/** Decodes `Attributes.entry.N.key` / `Attributes.entry.N.value` pairs. */
function attributes(p: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, key] of p) {
    const m = /^Attributes\.entry\.(\d+)\.key$/.exec(name);
    if (m) out[key] = p.get(`Attributes.entry.${m[1]}.value`) ?? '';
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
