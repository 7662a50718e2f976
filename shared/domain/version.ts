/**
 * mOphas version codes (SPEC FEED-1): `MM.mm.pp_bbb`, e.g. `03.01.00_030` —
 * major.minor.patch_build, each part numeric and zero-padded to a fixed width.
 * Because every part has a fixed width, the canonical string sorts the same way
 * as the numbers, which the catalog's DynamoDB sort key relies on.
 */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly build: number;
  /** The canonical string, e.g. `03.01.00_030`. */
  readonly code: string;
}

const VERSION_PATTERN = /^(\d{2})\.(\d{2})\.(\d{2})_(\d{3})$/;

export type VersionParse = { ok: true; version: Version } | { ok: false; message: string };

/** Parses a version code; the failure message says what is wrong and shows the expected shape. */
export function parseVersion(input: unknown): VersionParse {
  if (typeof input !== 'string') {
    return { ok: false, message: 'A version code must be a string like 03.01.00_030.' };
  }
  const match = VERSION_PATTERN.exec(input);
  if (!match) {
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    return {
      ok: false,
      message: `"${shown}" is not a version code: expected major.minor.patch_build with 2.2.2_3 digits, like 03.01.00_030.`,
    };
  }
  const [, major, minor, patch, build] = match.map(Number) as [number, number, number, number, number];
  return { ok: true, version: { major, minor, patch, build, code: input } };
}

/** Parses a version code or throws an Error with the parse message. */
export function toVersion(input: string): Version {
  const parsed = parseVersion(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.version;
}

/** Orders two versions numerically part by part: negative if a < b, 0 if equal, positive if a > b. */
export function compareVersions(a: Version | string, b: Version | string): number {
  const va = typeof a === 'string' ? toVersion(a) : a;
  const vb = typeof b === 'string' ? toVersion(b) : b;
  return va.major - vb.major || va.minor - vb.minor || va.patch - vb.patch || va.build - vb.build;
}

/** True when `input` is a well-formed version code. */
export const isVersionCode = (input: unknown): input is string => parseVersion(input).ok;
