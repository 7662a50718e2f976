import { parseVersion } from '../../shared/domain/version';
import type { SupportApi } from './api';
import { CliError } from './errors';
import { formatBytes, inspectPackage, sha256File, type LocalPackage } from './files';
import type { Progress } from './progress';
import type { PublishedRelease, StagedUpload } from '../../client/types';
import { uploadFile } from './upload';

export interface PublishOptions {
  version: string;
  desktop: string;
  mobile: string;
  notesUrl: string;
  requiresCode: boolean;
  concurrency: number;
}

/** The publish route's answer: the public release and its catalog version. */
export type { PublishedRelease };

interface PreparedPackage extends LocalPackage {
  sha256: string;
}

/**
 * `publish-release`: checks the arguments and files locally, hashes each file,
 * uploads it straight to storage through presigned URLs (multipart for large
 * files), then asks the API to verify the uploads and publish the release.
 * Progress goes to `log`/`progress` (stderr); the result is returned.
 */
export async function publishRelease(
  api: SupportApi,
  options: PublishOptions,
  progress: Progress,
  log: (line: string) => void,
): Promise<PublishedRelease> {
  const version = parseVersion(options.version);
  if (!version.ok) throw new CliError(`version: ${version.message}`);
  checkNotesUrl(options.notesUrl);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 16) {
    throw new CliError('--concurrency must be a whole number from 1 to 16.');
  }
  const files = [await inspectPackage('desktop', options.desktop), await inspectPackage('mobile', options.mobile)];

  const prepared: PreparedPackage[] = [];
  for (const file of files) {
    progress.start(`hash ${file.kind}`, file.size);
    try {
      prepared.push({ ...file, sha256: await sha256File(file.path, (n) => progress.advance(n)) });
    } finally {
      progress.stop();
    }
  }

  const refs: Record<string, unknown> = {};
  for (const pkg of prepared) {
    // Started just before its bytes go up, so the presigned URLs are fresh.
    const upload = await api.call<StagedUpload>('POST', `/v1/support/releases/${encodeURIComponent(options.version)}/uploads`, {
      kind: pkg.kind,
      filename: pkg.filename,
      size: pkg.size,
      sha256: pkg.sha256,
    });
    const how = upload.uploadId ? `${upload.parts.length} parts of ${formatBytes(upload.partSize)}` : 'single request';
    log(`uploading ${pkg.kind} ${pkg.filename} (${formatBytes(pkg.size)}, ${how})`);
    progress.start(`upload ${pkg.kind}`, pkg.size);
    let uploaded;
    try {
      uploaded = await uploadFile(pkg.path, pkg.size, upload, { concurrency: options.concurrency, onBytes: (n) => progress.advance(n) });
    } finally {
      progress.stop();
    }
    if (uploaded.sha256 !== pkg.sha256) {
      throw new CliError(`${pkg.path} changed while it was being uploaded: make sure nothing writes to it and run the command again.`);
    }
    refs[pkg.kind] = {
      uploadKey: upload.uploadKey,
      ...(upload.uploadId ? { uploadId: upload.uploadId, parts: uploaded.parts } : {}),
      sha256: pkg.sha256,
      size: pkg.size,
      filename: pkg.filename,
    };
  }

  log('verifying the uploads and publishing…');
  return api.call<PublishedRelease>('POST', '/v1/support/releases', {
    version: options.version,
    notesUrl: options.notesUrl,
    requiresConfirmationCode: options.requiresCode,
    ...refs,
  });
}

function checkNotesUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    throw new CliError(`--notes-url "${value}" is not an https:// URL: pass the link to the release notes / manual page.`);
  }
}

/** The readable summary printed after a successful publication. */
export function summary(r: PublishedRelease, files: { desktop: string; mobile: string }): string {
  const width = Math.max(files.desktop.length, files.mobile.length);
  const size = (n: number) => formatBytes(n).padStart(10);
  return [
    `Published mOphas ${r.version} (catalog version ${r.catalogVersion}) at ${r.publishedAt}`,
    `  desktop  ${files.desktop.padEnd(width)}  ${size(r.desktop.size)}  sha256 ${r.desktop.sha256}`,
    `  mobile   ${files.mobile.padEnd(width)}  ${size(r.mobile.size)}  sha256 ${r.mobile.sha256}`,
    `  notes    ${r.notesUrl}`,
    `  confirmation code required: ${r.requiresConfirmationCode ? 'yes' : 'no'}`,
  ].join('\n');
}
