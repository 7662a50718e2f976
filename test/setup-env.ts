import { inject } from 'vitest';

// Every test file talks to the emulators started by test/global-setup.ts.
Object.assign(process.env, inject('stackEnv'), { POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT' });
