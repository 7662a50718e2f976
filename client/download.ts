/**
 * Package downloads over the CDN (SPEC PKG-1/2, docs/feed.md §5 step 9 and §6),
 * shared by the desktop and the devices:
 *
 * 1. bytes already in `dest` (an interrupted download) are kept and only the
 *    rest is asked for, with `Range: bytes=<have>-` and, when the first attempt's
 *    ETag is known, `If-Range`: a 206 continues the file, a 200 means the object
 *    changed and the file starts over with that body;
 * 2. the whole file is then streamed through SHA-256 and checked against the
 *    size and hash from the signed feed answer (`verifyPackageBytes`); a file
 *    that is too long, too short or has another hash is **deleted** and the call
 *    fails — a corrupted or spliced package is never left where an installer
 *    could run it.
 *
 * The ETag of an unfinished download is kept beside it in `<dest>.download.json`.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { verifyPackageBytes } from '../shared/client/feed-client-verify';
import { MophasClientError, networkDetail } from './http';

/** Size and SHA-256 (hex) of a package, from a verified feed answer or the device package route. */
export interface PackageDigest {
  readonly size: number;
  readonly sha256: string;
}

export type DownloadFailure =
  /** The whole file was read and its SHA-256 is not the signed one: deleted. */
  | 'HASH_MISMATCH'
  /** The server sent fewer bytes than the signed size, or the file ended short: deleted. */
  | 'TOO_SHORT'
  /** More bytes than the signed size: deleted. */
  | 'TOO_LONG'
  /** The signed URL expired (edge `403 EXPIRED`): ask the feed again for a fresh one. Partial bytes kept. */
  | 'URL_EXPIRED'
  /** The edge refused the URL (`403 MISSING/FORGED`). */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'HTTP_ERROR'
  /** The connection failed or stalled mid-way: partial bytes kept, run again to resume. */
  | 'INTERRUPTED';

export class DownloadError extends MophasClientError {
  /** HTTP status of the package server's answer, when it gave one. */
  readonly status: number | undefined;

  constructor(
    readonly reason: DownloadFailure,
    message: string,
    /** True when the file at `dest` was deleted because its bytes were wrong. */
    readonly deleted: boolean,
    /** Bytes of the file when the failure happened. */
    readonly bytes: number,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, `DOWNLOAD_${reason}`, options);
    this.name = 'DownloadError';
    this.status = options?.status;
  }
}

export interface DownloadOptions {
  /** Called as bytes arrive: bytes in the file so far (resumed bytes included) and the expected total. */
  readonly onProgress?: (bytes: number, total: number) => void;
  /** Aborts the download (the partial file is kept). */
  readonly signal?: AbortSignal;
  /** A download that receives nothing for this long is cut (and can be resumed). @default 30000 */
  readonly idleTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface DownloadResult {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Bytes that were already in the file and not downloaded again (0 for a fresh download). */
  readonly resumedFrom: number;
}

interface PartialMeta {
  etag?: string;
  size: number;
  sha256: string;
}

const metaPath = (dest: string) => `${dest}.download.json`;

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : 0;
  } catch {
    return 0;
  }
}

async function readMeta(path: string): Promise<PartialMeta | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartialMeta;
  } catch {
    return undefined;
  }
}

async function discard(dest: string) {
  await rm(dest, { force: true });
  await rm(metaPath(dest), { force: true });
}

/**
 * Downloads `url` into `dest`, resuming a partial file, and verifies size and
 * SHA-256 against `expected`. Resolves only with a verified file.
 *
 * @throws DownloadError — `deleted: true` when the bytes were wrong (the file is
 *   gone); `INTERRUPTED`/`URL_EXPIRED` keep the partial file for a later resume.
 */
export async function downloadPackage(
  url: string,
  expected: PackageDigest,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const want: PackageDigest = { size: expected.size, sha256: expected.sha256.toLowerCase() };
  await mkdir(dirname(dest), { recursive: true });
  let have = await sizeOf(dest);
  const meta = await readMeta(metaPath(dest));
  // Bytes of another package (a different release downloaded to the same path) are worthless.
  if (have > 0 && meta && (meta.sha256 !== want.sha256 || meta.size !== want.size)) {
    await discard(dest);
    have = 0;
  }
  if (have > want.size) {
    await discard(dest);
    have = 0;
  }
  const resumedFrom = have;
  if (have < want.size) await fetchRest(url, want, dest, have, have > 0 ? meta?.etag : undefined, options, true);

  const verdict = await verifyPackageBytes(createReadStream(dest), want);
  if (!verdict.ok) {
    await discard(dest);
    const what =
      verdict.reason === 'HASH_MISMATCH'
        ? `its SHA-256 is ${verdict.sha256}, not the signed ${want.sha256}`
        : verdict.reason === 'TOO_SHORT'
          ? `it has ${verdict.size} bytes, fewer than the signed ${want.size}`
          : `it has more bytes than the signed ${want.size}`;
    throw new DownloadError(
      verdict.reason,
      `the downloaded package was rejected and deleted: ${what}; download it again`,
      true,
      verdict.size,
    );
  }
  await rm(metaPath(dest), { force: true });
  options.onProgress?.(want.size, want.size);
  return { path: dest, size: verdict.size, sha256: verdict.sha256, resumedFrom };
}

async function fetchRest(
  url: string,
  want: PackageDigest,
  dest: string,
  have: number,
  etag: string | undefined,
  options: DownloadOptions,
  mayRestart: boolean,
): Promise<void> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const idle = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let timer = setTimeout(() => idle.abort(), idleMs);
  const kick = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), idleMs);
  };
  const signal = options.signal ? AbortSignal.any([idle.signal, options.signal]) : idle.signal;
  const headers: Record<string, string> = {};
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    if (etag) headers['if-range'] = etag;
  }
  const interrupted = (error: unknown, bytes: number) =>
    new DownloadError(
      'INTERRUPTED',
      `the download stopped at ${bytes} of ${want.size} bytes (${idle.signal.aborted ? `nothing received for ${idleMs} ms` : networkDetail(error)}): run it again to resume`,
      false,
      bytes,
      { cause: error },
    );

  try {
    let res: Response;
    try {
      res = await fetchImpl(url, { headers, signal });
    } catch (error) {
      throw interrupted(error, have);
    }
    let start = have;
    if (res.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        // Not the continuation asked for: never splice; start over once.
        await res.body?.cancel();
        if (!mayRestart)
          throw new DownloadError('HTTP_ERROR', 'the package server answered a range that was not asked for', false, have, { status: 206 });
        await discard(dest);
        return fetchRest(url, want, dest, 0, undefined, options, false);
      }
    } else if (res.status === 200) {
      start = 0; // the whole object (first request, or If-Range said it changed)
    } else if (res.status === 416 && mayRestart) {
      await res.body?.cancel();
      await discard(dest);
      return fetchRest(url, want, dest, 0, undefined, options, false);
    } else {
      const text = await res.text().catch(() => '');
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: string }).error;
      } catch {
        code = undefined;
      }
      if (res.status === 403 && code === 'EXPIRED') {
        throw new DownloadError(
          'URL_EXPIRED',
          'the download link has expired: ask the feed again for a fresh one (the bytes already downloaded are kept)',
          false,
          have,
          { status: 403 },
        );
      }
      if (res.status === 403)
        throw new DownloadError('FORBIDDEN', `the package server refused the download link (${code ?? 'HTTP 403'})`, false, have, {
          status: 403,
        });
      if (res.status === 404)
        throw new DownloadError('NOT_FOUND', 'the package is not on the package server: contact support', false, have, { status: 404 });
      throw new DownloadError(
        'HTTP_ERROR',
        `the package server answered HTTP ${res.status}${code ? ` (${code})` : ''}: retry later`,
        false,
        have,
        { status: res.status },
      );
    }
    const meta: PartialMeta = {
      size: want.size,
      sha256: want.sha256,
      ...(res.headers.get('etag') ? { etag: res.headers.get('etag')! } : {}),
    };
    await writeFile(metaPath(dest), JSON.stringify(meta));

    const file = await open(dest, start > 0 ? 'a' : 'w');
    let bytes = start;
    try {
      options.onProgress?.(bytes, want.size);
      if (res.body) {
        try {
          for await (const chunk of res.body) {
            kick();
            const data = chunk as Uint8Array;
            if (bytes + data.byteLength > want.size) {
              await res.body.cancel().catch(() => undefined);
              await file.close();
              await discard(dest);
              throw new DownloadError(
                'TOO_LONG',
                `the package server sent more than the signed ${want.size} bytes: the file was deleted; contact support if it happens again`,
                true,
                bytes + data.byteLength,
              );
            }
            await file.write(data);
            bytes += data.byteLength;
            options.onProgress?.(bytes, want.size);
          }
        } catch (error) {
          if (error instanceof DownloadError) throw error;
          throw interrupted(error, bytes);
        }
      }
    } finally {
      await file.close().catch(() => undefined);
    }
  } finally {
    clearTimeout(timer);
  }
}
