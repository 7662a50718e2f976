import type { TestProject } from 'vitest/node';
import { freePort, startStack, type RunningStack } from '../local/stack';

let stack: RunningStack | undefined;

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
}

export async function teardown() {
  await stack?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
  }
}
