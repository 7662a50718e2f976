/**
 * AWS Signature Version 4 for the pipeline routes (release publishing), which API
 * Gateway guards with its IAM authorizer: the same signer the AWS SDK uses
 * (@smithy/signature-v4), over plain `fetch` requests. The local gateway verifies
 * with this same code (local/sigv4-verify.ts).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { MophasClientError } from './http';

/** AWS credentials (an access key pair, with a session token when temporary). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Credentials, or a provider of them (e.g. `fromNodeProviderChain()` of @aws-sdk/credential-providers). */
export type AwsCredentialsSource = AwsCredentials | (() => Promise<AwsCredentials>);

/** The service name API Gateway's IAM authorizer checks in the signature's scope. */
export const API_SIGNING_SERVICE = 'execute-api';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 / HMAC-SHA256 from node:crypto, in the shape the signer takes. */
class NodeSha256 {
  private hash!: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.reset();
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

/** A request as the signer sees it. */
export interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  /** The path exactly as sent (percent-encoded). */
  path: string;
  query?: Record<string, string | string[]>;
  /** Headers to sign, lower-case names; `host` must be one of them. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Signs a request; returns its headers with `authorization`, `x-amz-date` (and the session token) added. */
export async function signRequest(
  request: SignableRequest,
  options: { credentials: AwsCredentialsSource; region: string; date?: Date },
): Promise<Record<string, string>> {
  const credentials = typeof options.credentials === 'function' ? await options.credentials() : options.credentials;
  const signer = new SignatureV4({ credentials, region: options.region, service: API_SIGNING_SERVICE, sha256: NodeSha256 });
  const signed = await signer.sign({ ...request, query: request.query ?? {} }, { signingDate: options.date });
  return signed.headers as Record<string, string>;
}

/**
 * The HttpClient `authenticate` hook for pipeline routes: signs method, URL and
 * body of each request. Returns the headers to send (every signed one but `host`,
 * which fetch sets to the same value).
 */
export function sigV4Authenticator(options: { credentials: AwsCredentialsSource; region: string }) {
  return async (request: { method: string; url: string; body?: string }): Promise<Record<string, string>> => {
    const url = new URL(request.url);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const seen = query[k];
      query[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
    }
    let headers: Record<string, string>;
    try {
      headers = await signRequest(
        {
          method: request.method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query,
          headers: { host: url.host, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: request.body,
        },
        options,
      );
    } catch (error) {
      throw new MophasClientError(
        `cannot sign the request with AWS credentials (${(error as Error).message}): configure credentials (AWS_PROFILE, environment, SSO) for the publishing identity`,
        'NO_AWS_CREDENTIALS',
        { cause: error },
      );
    }
    const { host: _host, ...rest } = headers;
    return rest;
  };
}

/**
 * The region of an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com`),
 * or undefined for a custom domain or the local stack.
 */
export function apiRegion(apiUrl: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(apiUrl).hostname)?.[1];
}
