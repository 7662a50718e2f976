/**
 * A published release (SPEC FEED-2). Immutable once published.
 */
export interface PackageInfo {
  /** S3 object key under the packages bucket, e.g. `packages/03.01.00_030/desktop.exe`. */
  readonly key: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the package bytes. */
  readonly sha256: string;
}

export interface Release {
  readonly version: string;
  readonly desktop: PackageInfo;
  readonly mobile: PackageInfo;
  /** "Dettagli aggiornamento": link to the mOphas fix wiki page for this version. */
  readonly notesUrl: string;
  /** CODE-*: the release needs a confirmation code before install. */
  readonly requiresConfirmationCode: boolean;
  /** ISO-8601 UTC. */
  readonly publishedAt: string;
  /** Value of the catalog version counter when this release was published. */
  readonly catalogVersion: number;
}

/** Public view of a release: what any caller may see (no object keys). */
export function publicRelease(r: Release) {
  return {
    version: r.version,
    notesUrl: r.notesUrl,
    requiresConfirmationCode: r.requiresConfirmationCode,
    publishedAt: r.publishedAt,
    desktop: { size: r.desktop.size, sha256: r.desktop.sha256 },
    mobile: { size: r.mobile.size, sha256: r.mobile.sha256 },
  };
}
