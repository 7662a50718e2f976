import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliError } from './errors';

/** Same limits as the API (functions/releases/limits.ts, package-keys.ts). */
export const MAX_PACKAGE_BYTES = 5 * 1024 ** 3;
export const FILENAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface LocalPackage {
  kind: 'desktop' | 'mobile';
  path: string;
  filename: string;
  size: number;
}

/** Checks a package file before anything is sent: it exists, is a file, is not empty or too large, has a usable name. */
export async function inspectPackage(kind: LocalPackage['kind'], path: string): Promise<LocalPackage> {
  const option = `--${kind}`;
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${kind} package ${path} does not exist: check the ${option} path.`);
    throw new CliError(
      `cannot read the ${kind} package ${path} (${code ?? (error as Error).message}): check the ${option} path and its permissions.`,
    );
  }
  if (!info.isFile()) throw new CliError(`${kind} package ${path} is not a file: pass the installer file to ${option}.`);
  if (info.size === 0) throw new CliError(`${kind} package ${path} is empty: pass the real installer to ${option}.`);
  if (info.size > MAX_PACKAGE_BYTES) throw new CliError(`${kind} package ${path} is ${info.size} bytes; packages can be at most 5 GiB.`);
  const filename = basename(path);
  if (!FILENAME_PATTERN.test(filename)) {
    throw new CliError(
      `${kind} package file name "${filename}" is not accepted: rename it using only letters, digits, ".", "_" and "-" (at most 100 characters).`,
    );
  }
  return { kind, path, filename, size: info.size };
}

/** SHA-256 (lower-case hex) of a file, streamed; `onBytes` reports progress. */
export async function sha256File(path: string, onBytes: (n: number) => void = () => undefined): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    onBytes((chunk as Buffer).length);
  }
  return hash.digest('hex');
}

/** `12.3 MiB`-style sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
