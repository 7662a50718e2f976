/**
 * `npm start`: runs the whole service locally with demo data.
 * Data lives in .local-data/ and survives restarts; Ctrl-C stops everything.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SECRET_VALUE_ENV } from '../shared/config';
import { LOCAL_PEOPLE, LOCAL_REGION, startStack, StartupError, type StackPorts } from './stack';

const ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = process.env.LOCAL_DATA_DIR ?? join(ROOT, '.local-data');
const CREDENTIALS_FILE = join(DATA_DIR, 'demo-credentials.json');

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StartupError(`${name}=${raw} is not a valid port: use a number between 1 and 65535.`);
  }
  return value;
}

async function main() {
  const ports: StackPorts = {
    api: port('PORT', 3000),
    dynamodb: port('DYNAMODB_PORT', 8800),
    s3: port('S3_PORT', 4568),
    sns: port('SNS_PORT', 4575),
    cdn: port('CDN_PORT', 4580),
    sqs: port('SQS_PORT', 4576),
    cognito: port('COGNITO_PORT', 9229),
  };
  // The web pages (web/): built at each start into the data folder, served by the gateway at /desktop/ and /support/.
  const { buildWeb } = await import('../web/build');
  const webRoot = join(DATA_DIR, 'web');
  const built = buildWeb({ outDir: webRoot });
  const stack = await startStack({ dataDir: DATA_DIR, ports, webRoot });
  await built;

  // The first staff user (bootstrapped in the pool, like in AWS) signs in; everything else goes through the API.
  const staff = { username: LOCAL_PEOPLE.staff.username, password: stack.env[LOCAL_PEOPLE.staff.passwordEnv]! };
  const agent = { username: LOCAL_PEOPLE.agent.username, password: stack.env[LOCAL_PEOPLE.agent.passwordEnv]! };
  const { SupportSession } = await import('../client/sign-in');
  const { SupportClient } = await import('../client/support');
  const session = new SupportSession({ apiUrl: stack.apiUrl });
  await session.login(staff.username, staff.password);
  const support = new SupportClient({
    apiUrl: stack.apiUrl,
    session,
    // The demo catalog is published like the build pipeline does: SigV4 with the local pipeline key.
    pipelineCredentials: {
      accessKeyId: stack.env[SECRET_VALUE_ENV.localPipelineAccessKeyId]!,
      secretAccessKey: stack.env[SECRET_VALUE_ENV.localPipelineSecretAccessKey]!,
    },
    region: LOCAL_REGION,
  });

  // The demo customer is onboarded through the API, as Alturas support does it (local/seed.ts).
  const { isSeeded, seedDemo } = await import('./seed');
  if (!(await isSeeded(support))) {
    const credentials = await seedDemo(support);
    writeFileSync(CREDENTIALS_FILE, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  } else if (!existsSync(CREDENTIALS_FILE)) {
    // Secrets are shown once: without the file they cannot be printed again.
    await stack.stop();
    throw new StartupError(
      `the demo customer exists but ${CREDENTIALS_FILE} is missing (its secrets are shown only once): delete ${DATA_DIR} to start over, or rotate the credentials with mophas-support workstations rotate.`,
    );
  }
  const credentials = JSON.parse(readFileSync(CREDENTIALS_FILE, 'utf8')) as import('./seed').DemoCredentials;
  // The demo agent acts for the demo customer: assigned by the demo staff member through the API, like Alturas does.
  await support.assignAgent(agent.username, credentials.customerId);

  console.log(`
mOphas Update Cloud — local stack running
  API            ${stack.apiUrl}   (try: curl ${stack.apiUrl}/v1/health)
  Update window  ${stack.apiUrl}/desktop/   (open it from the desktop: npm run desktop -- gestione --web)
  Support console ${stack.apiUrl}/support/
  DynamoDB Local http://127.0.0.1:${ports.dynamodb}
  S3 (s3rver)    http://127.0.0.1:${ports.s3}
  SNS (local)    http://127.0.0.1:${ports.sns}
  SQS (local)    http://127.0.0.1:${ports.sqs}   (push queue → push worker)
  CDN (local)    http://127.0.0.1:${ports.cdn}   (signed package URLs, checked by the real edge function)
  Cognito (local) http://127.0.0.1:${ports.cognito}   (cognito-local: the staff user pool, ${JSON.parse(stack.env.STAFF_SIGN_IN!).userPoolId})
  Data           ${DATA_DIR}  (kept across restarts; delete it to reseed)

Demo customer "${credentials.customerId}"
  Desktop credential  ${credentials.desktopCredential}   (SERVER workstation)
  Client workstation  ${credentials.clientWorkstationCredential ?? '(delete .local-data to reseed)'}
  Admin user          ${credentials.admin.username} / ${credentials.admin.password}  (first login: must change password)
  Licence code        ${credentials.licenceCode}
  Authorised tablets  ${credentials.devices.map((d) => d.operator).join(', ')}  (register: npm run device -- registra …)
  All credentials     ${CREDENTIALS_FILE}

Alturas staff and agents (staff user pool; local passwords, also in ${join(DATA_DIR, 'keys.json')})
  Staff               ${staff.username} / ${staff.password}
  Agent               ${agent.username} / ${agent.password}   (assigned to "${credentials.customerId}")
  Sign in             npm run support -- login --user ${staff.username}
  Onboard a customer  npm run support -- customers add …  (signed in as staff; docs/operations.md)
  Release publishing  signed with the local pipeline key (SigV4), found by npm run support -- publish-release

Press Ctrl-C to stop.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received: stopping the local stack…`);
    await stack.stop();
    console.log('Stopped. Data kept in', DATA_DIR);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error('Cannot start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
