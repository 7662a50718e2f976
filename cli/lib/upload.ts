import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './errors';

import type { StagedUpload } from '../../client/types';

export type { StagedUpload };

export interface UploadedParts {
  /** Each part's ETag (multipart uploads; the single-PUT part too). */
  parts: { partNumber: number; etag: string }[];
  /** SHA-256 of the bytes as they were read for upload. */
  sha256: string;
}

const ATTEMPTS = 4;
const PART_TIMEOUT_MS = 10 * 60 * 1000;
/** Write slice: progress granularity within a part. */
const SLICE_BYTES = 256 * 1024;

/**
 * Uploads a file to presigned URLs: parts are read in order (and hashed as
 * read), and at most `concurrency` PUTs run at once, so memory stays at about
 * `concurrency × partSize`. Transient failures (network, 5xx, 429) are retried.
 */
export async function uploadFile(
  path: string,
  size: number,
  upload: StagedUpload,
  options: { concurrency: number; onBytes: (delta: number) => void },
): Promise<UploadedParts> {
  const hash = createHash('sha256');
  const done: { partNumber: number; etag: string }[] = [];
  const running = new Set<Promise<void>>();
  let failure: unknown;
  const file = await open(path, 'r');
  try {
    for (const part of [...upload.parts].sort((a, b) => a.partNumber - b.partNumber)) {
      if (failure) break;
      const offset = (part.partNumber - 1) * upload.partSize;
      const length = Math.min(upload.partSize, size - offset);
      if (length <= 0)
        throw new CliError(`the API planned part ${part.partNumber} beyond the end of ${path}: the file changed; run the command again.`);
      const bytes = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await file.read(bytes, read, length - read, offset + read);
        if (bytesRead === 0)
          throw new CliError(`${path} got shorter while it was being uploaded: make sure nothing writes to it and run the command again.`);
        read += bytesRead;
      }
      hash.update(bytes);
      const task: Promise<void> = putWithRetry(part.url, bytes, part.partNumber, options.onBytes)
        .then((etag) => void done.push({ partNumber: part.partNumber, etag }))
        .catch((error: unknown) => void (failure ??= error))
        .finally(() => running.delete(task));
      running.add(task);
      if (running.size >= options.concurrency) await Promise.race(running);
    }
    await Promise.all(running);
  } finally {
    await file.close();
  }
  if (failure) throw failure;
  return { parts: done.sort((a, b) => a.partNumber - b.partNumber), sha256: hash.digest('hex') };
}

async function putWithRetry(url: string, body: Buffer, partNumber: number, onBytes: (delta: number) => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    let sent = 0;
    try {
      const res = await put(url, body, (n) => {
        sent += n;
        onBytes(n);
      });
      if (res.status >= 200 && res.status < 300) {
        if (!res.etag) throw new CliError(`the storage accepted part ${partNumber} but returned no ETag: run the command again.`);
        return res.etag;
      }
      const retriable = res.status >= 500 || res.status === 429;
      const reason = s3Reason(res.text);
      if (!retriable || attempt >= ATTEMPTS) {
        const hint = /expired/i.test(reason)
          ? 'the upload URL expired: run the command again.'
          : 'run the command again; if it keeps failing, check the API and storage configuration.';
        throw new CliError(`the storage refused part ${partNumber} (HTTP ${res.status}${reason ? `: ${reason}` : ''}): ${hint}`);
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (attempt >= ATTEMPTS) {
        throw new CliError(
          `uploading part ${partNumber} failed ${ATTEMPTS} times (${(error as Error).message}): check the network and run the command again.`,
          1,
          { cause: error },
        );
      }
    }
    onBytes(-sent);
    await sleep(500 * 2 ** (attempt - 1));
  }
}

/** `<Code>…</Code> <Message>…</Message>` of an S3 error body, when there is one. */
function s3Reason(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return [code, message].filter(Boolean).join(' ');
}

/** One PUT with an exact Content-Length (the URL signs it), written in slices for progress. */
function put(url: string, body: Buffer, onBytes: (n: number) => void): Promise<{ status: number; etag?: string; text: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'PUT', headers: { 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const etag = res.headers.etag;
        resolve({
          status: res.statusCode ?? 0,
          etag: typeof etag === 'string' ? etag : undefined,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.setTimeout(PART_TIMEOUT_MS, () => req.destroy(new Error('no progress for 10 minutes')));
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length) {
        const slice = body.subarray(offset, offset + SLICE_BYTES);
        offset += slice.length;
        const more = req.write(slice, (err) => {
          if (!err) onBytes(slice.length);
        });
        if (!more) {
          req.once('drain', writeMore);
          return;
        }
      }
      req.end();
    };
    writeMore();
  });
}
