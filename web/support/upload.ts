/**
 * A release package from the browser: hashed as it is read (web/common/sha256.ts),
 * then PUT straight to S3 with the presigned part URLs the uploads route gave
 * (never through the API), one XMLHttpRequest per part for its progress. A
 * failed part is tried again a few times; if it still fails, the upload stops
 * with the parts already stored kept, and `upload()` called again sends only
 * the missing ones. What it returns is the `desktop`/`mobile` entry of the
 * publish body; the server then verifies sizes and hashes from the stored bytes.
 */
import { Sha256 } from '../common/sha256';
import type { PublishInput, StagedUpload } from './api';

/** Bytes read per step while hashing: the page stays responsive and memory flat. */
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;
/** Parts in flight at once. */
const PART_CONCURRENCY = 3;
/** Tries of one part before the upload stops and the person is offered Riprova. */
const PART_ATTEMPTS = 3;

/** SHA-256 (hex) of a file, read chunk by chunk; `onBytes` gets the bytes hashed so far. */
export async function hashFile(file: Blob, onBytes: (done: number) => void): Promise<string> {
  const hash = new Sha256();
  for (let at = 0; at < file.size; at += HASH_CHUNK_BYTES) {
    const chunk = new Uint8Array(await file.slice(at, at + HASH_CHUNK_BYTES).arrayBuffer());
    hash.update(chunk);
    onBytes(Math.min(file.size, at + chunk.length));
  }
  return hash.hex();
}

/** Why a part could not be stored (status 0: no answer — network, CORS, offline). */
export class PartFailedError extends Error {
  constructor(
    readonly partNumber: number,
    readonly status: number,
  ) {
    super(`part ${partNumber} was not stored (HTTP ${status || 'no answer'})`);
    this.name = 'PartFailedError';
  }
}

/** One package's upload: the staged upload the API started and the ETags of the parts stored so far. */
export class PackageUpload {
  private readonly etags = new Map<number, string>();
  private readonly loaded = new Map<number, number>();

  constructor(
    readonly version: string,
    readonly file: File,
    readonly sha256: string,
    readonly staged: StagedUpload,
  ) {}

  /** Bytes stored so far (parts done plus those in flight). */
  get sent(): number {
    let n = 0;
    for (const b of this.loaded.values()) n += b;
    return n;
  }

  /** True when the presigned URLs expire within `marginMs`: a new staged upload is needed, not Riprova. */
  expiresWithin(marginMs: number): boolean {
    return Date.parse(this.staged.expiresAt) - Date.now() < marginMs;
  }

  /**
   * Sends the parts not yet stored; throws PartFailedError when one fails
   * PART_ATTEMPTS times. Then no further part starts, the parts in flight are
   * aborted, and it throws only once every worker has stopped — so a Riprova
   * never runs beside a previous attempt.
   */
  async upload(onProgress: (sent: number) => void): Promise<void> {
    const todo = this.staged.parts.filter((p) => !this.etags.has(p.partNumber));
    const inFlight = new Set<XMLHttpRequest>();
    let stopped = false;
    const worker = async () => {
      for (let part = todo.shift(); part && !stopped; part = todo.shift()) {
        try {
          await this.sendPart(part, onProgress, inFlight, () => stopped);
        } catch (error) {
          stopped = true;
          for (const xhr of inFlight) xhr.abort();
          throw error;
        }
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(PART_CONCURRENCY, todo.length) }, worker));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The publish body's entry for this package (after `upload()` resolved). */
  ref(): PublishInput['desktop'] {
    const { staged } = this;
    return {
      uploadKey: staged.uploadKey,
      ...(staged.uploadId ? { uploadId: staged.uploadId, parts: [...this.etags].map(([partNumber, etag]) => ({ partNumber, etag })) } : {}),
      sha256: this.sha256,
      size: this.file.size,
      filename: this.file.name,
    };
  }

  private async sendPart(
    part: { partNumber: number; url: string },
    onProgress: (sent: number) => void,
    inFlight: Set<XMLHttpRequest>,
    stopped: () => boolean,
  ): Promise<void> {
    const start = (part.partNumber - 1) * this.staged.partSize;
    // No type on the slice: the PUT then carries no Content-Type, which the presigned URL did not sign.
    const body = this.file.slice(start, Math.min(this.file.size, start + this.staged.partSize), '');
    for (let attempt = 1; ; attempt++) {
      try {
        const etag = await put(part.url, body, inFlight, (n) => {
          this.loaded.set(part.partNumber, n);
          onProgress(this.sent);
        });
        this.etags.set(part.partNumber, etag);
        this.loaded.set(part.partNumber, body.size);
        onProgress(this.sent);
        return;
      } catch (error) {
        this.loaded.delete(part.partNumber);
        onProgress(this.sent);
        // Another part failed for good meanwhile: this one stops too (Riprova sends it).
        if (attempt >= PART_ATTEMPTS || stopped()) throw error;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  }
}

/** One presigned PUT; resolves with the part's ETag (exposed by the bucket's CORS rule). Listed in `inFlight` until it ends. */
function put(url: string, body: Blob, inFlight: Set<XMLHttpRequest>, onLoaded: (bytes: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const partNumber = Number(new URL(url).searchParams.get('partNumber') ?? 1);
    inFlight.add(xhr);
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onLoaded(e.loaded);
    xhr.onloadend = () => inFlight.delete(xhr);
    xhr.onload = () => {
      const etag = xhr.getResponseHeader('ETag');
      if (xhr.status >= 200 && xhr.status < 300 && etag) resolve(etag);
      else reject(new PartFailedError(partNumber, xhr.status));
    };
    xhr.onerror = () => reject(new PartFailedError(partNumber, 0));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = xhr.onerror;
    xhr.send(body);
  });
}
