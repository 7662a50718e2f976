/**
 * Where a client keeps what must survive between runs (the desktop's pinned
 * keys and anti-rollback mark, a device's credential and lock secret). A small
 * JSON file, written atomically (temp file + rename) with owner-only
 * permissions, or memory for tests and the demo.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MophasClientError } from './http';

export interface StateStore<T> {
  /** The saved state, or `undefined` when nothing was saved yet. */
  load(): Promise<T | undefined>;
  save(state: T): Promise<void>;
  /** Forgets the saved state. */
  clear(): Promise<void>;
  /** Where the state lives, for messages (`memory` for {@link memoryStore}). */
  readonly location: string;
}

/**
 * A JSON file store. The file holds secrets (session token, device credential,
 * lock secret): it is written with mode 0600, and its folder with 0700.
 */
export function fileStore<T>(path: string): StateStore<T> {
  return {
    location: path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new MophasClientError(
          `cannot read the state file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
          'STATE_UNREADABLE',
          { cause: error },
        );
      }
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new MophasClientError(`the state file ${path} is not valid JSON: delete it (it is rebuilt) or fix it`, 'STATE_UNREADABLE', {
          cause: error,
        });
      }
    },
    async save(state) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, path);
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}

/** An in-memory store (tests, the demo): nothing touches the disk. */
export function memoryStore<T>(initial?: T): StateStore<T> {
  let value: T | undefined = initial === undefined ? undefined : structuredClone(initial);
  return {
    location: 'memory',
    async load() {
      return value === undefined ? undefined : structuredClone(value);
    },
    async save(state) {
      value = structuredClone(state);
    },
    async clear() {
      value = undefined;
    },
  };
}
