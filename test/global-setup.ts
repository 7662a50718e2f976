import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startStack, type RunningStack } from '../local/stack';

let stack: RunningStack | undefined;
let webRoot: string | undefined;

/** Starts the real local emulators (in-memory DynamoDB, temporary S3 folder) for the whole run. */
export async function setup(project: TestProject) {
  stack = await startStack({
    ports: {
      api: 0,
      dynamodb: await freePort(),
      s3: await freePort(),
      sns: await freePort(),
      cdn: await freePort(),
      sqs: await freePort(),
      cognito: await freePort(),
    },
    gateway: false,
  });
  project.provide('stackEnv', stack.env);
  // The window pages, built once for the run (browser tests serve them from their own gateway).
  const { buildWeb } = await import('../web/build');
  webRoot = mkdtempSync(join(tmpdir(), 'mophas-web-'));
  await buildWeb({ outDir: webRoot });
  project.provide('webRoot', webRoot);
}

export async function teardown() {
  await stack?.stop();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    /** A web build folder (web/build.ts) holding desktop/. */
    webRoot: string;
  }
}
