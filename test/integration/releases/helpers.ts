import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../../shared/aws/s3';
import { bucketName } from '../../../shared/config';
import type { TestApi } from '../../fixtures/api';

/**
 * A version code no other test file uses: `7X.YY.00_ZZZ`, random. The catalog
 * is shared by every test file of the run, so each test takes its own.
 */
export function uniqueVersion(): string {
  const d = (n: number, width: number) => String(Math.floor(Math.random() * n)).padStart(width, '0');
  return `7${d(10, 1)}.${d(100, 2)}.00_${d(1000, 3)}`;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
export const MiB = 1024 * 1024;
export const bytesOf = (size: number) => randomBytes(size);

export interface PackageRefBody {
  uploadKey: string;
  uploadId?: string;
  parts?: { partNumber: number; etag: string }[];
  sha256: string;
  size: number;
  filename: string;
}

/**
 * Uploads `bytes` the way a client must: ask the uploads route, PUT each part to
 * its presigned URL (exactly the part's bytes), collect the ETags. Returns the
 * package reference for the publish body (declaring the real size/hash unless overridden).
 */
export async function stagePackage(
  api: TestApi,
  version: string,
  kind: 'desktop' | 'mobile',
  filename: string,
  bytes: Buffer,
  declare: { sha256?: string; size?: number } = {},
): Promise<PackageRefBody> {
  const start = await api.call('POST', `/v1/support/releases/${version}/uploads`, {
    pipeline: true,
    body: { kind, filename, size: bytes.length, sha256: sha256(bytes) },
  });
  if (start.status !== 201) throw new Error(`uploads route: ${start.status} ${JSON.stringify(start.body)}`);
  const plan = start.body as { uploadKey: string; uploadId?: string; partSize: number; parts: { partNumber: number; url: string }[] };
  const parts: { partNumber: number; etag: string }[] = [];
  for (const part of plan.parts) {
    const body = bytes.subarray((part.partNumber - 1) * plan.partSize, part.partNumber * plan.partSize);
    const res = await fetch(part.url, { method: 'PUT', body });
    if (res.status !== 200) throw new Error(`PUT part ${part.partNumber}: ${res.status} ${await res.text()}`);
    parts.push({ partNumber: part.partNumber, etag: res.headers.get('etag') ?? '' });
  }
  return {
    uploadKey: plan.uploadKey,
    ...(plan.uploadId ? { uploadId: plan.uploadId, parts } : {}),
    sha256: declare.sha256 ?? sha256(bytes),
    size: declare.size ?? bytes.length,
    filename,
  };
}

/** The publish body for a version with two staged packages. */
export const publishBody = (version: string, desktop: PackageRefBody, mobile: PackageRefBody, requiresConfirmationCode = false) => ({
  version,
  notesUrl: `https://wiki.alturas.it/mophas-fix/${version}`,
  requiresConfirmationCode,
  desktop,
  mobile,
});

/** An object's bytes from the packages bucket. */
export async function readObject(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

/** An object's metadata, or undefined when there is none. */
export async function headObject(key: string) {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucketName(), Key: key }));
  } catch {
    return undefined;
  }
}
