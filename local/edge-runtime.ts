/**
 * Runs the real CloudFront Function file (functions/package-edge/index.js) in Node,
 * as CloudFront's cloudfront-js-2.0 runtime would: the file's single
 * `import cf from 'cloudfront'` is replaced by an injected stub whose kvs() serves
 * the URL signing key, `require('crypto')` is node:crypto, and the clock can be
 * fixed. Shared by test/edge/package-edge.test.ts and the local CDN (local/cdn.ts),
 * so the code checked by the tests is the code the local stack runs.
 */
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { URL_SIGNING_KVS_KEY } from '../shared/domain/package-url';

export const EDGE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions/package-edge/index.js');
/** The one import line the function file must start with. */
export const EDGE_IMPORT_LINE = "import cf from 'cloudfront';";

/** A CloudFront Functions header / query string / cookie value. */
export interface CfValue {
  value: string;
  multiValue?: { value: string }[];
}
export interface EdgeRequest {
  method: string;
  uri: string;
  querystring: Record<string, CfValue>;
  headers: Record<string, CfValue>;
  cookies: Record<string, CfValue>;
}
export interface EdgeResponse {
  statusCode: number;
  statusDescription: string;
  headers: Record<string, CfValue>;
  body: { encoding: string; data: string };
}
export interface EdgeEvent {
  version: '1.0';
  context: { eventType: 'viewer-request'; distributionId: string; requestId: string };
  viewer: { ip: string };
  request: EdgeRequest;
}
export type EdgeHandler = (event: unknown) => Promise<EdgeRequest | EdgeResponse>;

export interface EdgeRuntimeOptions {
  /**
   * What the KeyValueStore holds under url-signing-key (base64url text); an Error
   * makes get() reject, as when the key is missing from the store.
   */
  readonly kvsValue: string | Error;
  /** Fixed clock in epoch seconds; omitted → the real clock. */
  readonly nowSeconds?: number;
  /** Called on every kvs get (tests assert how the function reads the store). */
  readonly onKvsGet?: (key: string, options: { format?: string } | undefined) => void;
  /** The function source; omitted → read from EDGE_FILE. */
  readonly source?: string;
}

export interface LoadedEdge {
  readonly handler: EdgeHandler;
  /** Ids passed to cf.kvs(), in order. */
  readonly kvsIds: string[];
  /** Keys read from the store, in order. */
  readonly kvsKeys: string[];
}

let cachedSource: string | undefined;
/** The function file's text (read once). */
export function edgeSource(): string {
  cachedSource ??= readFileSync(EDGE_FILE, 'utf8');
  return cachedSource;
}

/**
 * Evaluates the edge function with a stubbed runtime and returns its handler.
 *
 * @throws Error when the file does not contain the expected import line.
 */
export function loadEdgeFunction(options: EdgeRuntimeOptions): LoadedEdge {
  const source = options.source ?? edgeSource();
  if (!source.includes(EDGE_IMPORT_LINE)) throw new Error(`${EDGE_FILE} must contain ${EDGE_IMPORT_LINE}`);
  const kvsIds: string[] = [];
  const kvsKeys: string[] = [];
  const { kvsValue } = options;
  const cf = {
    kvs(id: string) {
      kvsIds.push(id);
      return {
        async get(key: string, opts?: { format?: string }) {
          kvsKeys.push(key);
          options.onKvsGet?.(key, opts);
          if (kvsValue instanceof Error) throw kvsValue;
          if (key !== URL_SIGNING_KVS_KEY) throw new Error(`Key ${key} not found`);
          return kvsValue;
        },
      };
    },
  };
  const requireStub = (name: string) => {
    if (name === 'crypto') return crypto;
    throw new Error(`module ${name} is not available in CloudFront Functions`);
  };
  const clock = options.nowSeconds === undefined ? Date : { now: () => options.nowSeconds! * 1000 };
  const body = `'use strict';\n${source.replace(EDGE_IMPORT_LINE, '')}\nreturn handler;`;
  const factory = new Function('cf', 'require', 'Buffer', 'Date', body) as (...args: unknown[]) => EdgeHandler;
  const handler = factory(cf, requireStub, Buffer, clock);
  return { handler, kvsIds, kvsKeys };
}

/** True when the edge function answered itself instead of passing the request on. */
export function isEdgeResponse(result: EdgeRequest | EdgeResponse): result is EdgeResponse {
  return 'statusCode' in result;
}
