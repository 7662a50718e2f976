/**
 * The local stand-in for API Gateway's IAM authorizer on the pipeline routes:
 * verifies an AWS SigV4 signature against the local pipeline's access key (an
 * IAM user that exists only in the local stack), with the same signer the
 * clients use (client/sigv4.ts), and names the identity like IAM would.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { API_SIGNING_SERVICE, signRequest, type AwsCredentials } from '../client/sigv4';

/** The IAM identity behind the local pipeline key (registered as a pipeline principal). */
export const LOCAL_PIPELINE_ARN = 'arn:aws:iam::000000000000:user/mophas-local-pipeline';

/** Signatures older or newer than this are refused, as AWS does. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** What API Gateway puts in `requestContext.authorizer.iam` for a verified caller. */
export interface IamIdentity {
  accessKey: string;
  accountId: string;
  callerId: string;
  userArn: string;
  userId: string;
  principalOrgId: null;
  cognitoIdentity: null;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const amzDate = (value: string | undefined) => {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
};

/**
 * Verifies the request's signature; returns the identity, or undefined when API
 * Gateway would refuse the request (no or malformed signature, unknown key, wrong
 * region or service, clock skew over 15 minutes, any signed byte changed).
 */
export async function verifySigV4(
  request: { method: string; path: string; query: string; headers: Record<string, string>; body?: Buffer },
  expected: { credentials: AwsCredentials; region: string; identityArn: string; now?: number },
): Promise<IamIdentity | undefined> {
  const match = AUTH.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const [, keyId, day, region, service, signedHeaderList] = match;
  const date = amzDate(request.headers['x-amz-date']);
  if (!date || keyId !== expected.credentials.accessKeyId || region !== expected.region || service !== API_SIGNING_SERVICE)
    return undefined;
  if (day !== request.headers['x-amz-date']!.slice(0, 8)) return undefined;
  if (Math.abs((expected.now ?? Date.now()) - date.getTime()) > MAX_SKEW_MS) return undefined;
  const names = signedHeaderList!.split(';');
  if (!names.includes('host')) return undefined;

  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value === undefined) return undefined;
    headers[name] = value;
  }
  // The signer takes a declared payload hash as it is: check it is the body's.
  const declared = headers['x-amz-content-sha256'];
  if (
    declared !== undefined &&
    declared !==
      createHash('sha256')
        .update(request.body ?? Buffer.alloc(0))
        .digest('hex')
  )
    return undefined;
  const [hostname, port] = (headers.host ?? '').split(':');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(request.query)) {
    const seen = query[k];
    query[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  const resigned = await signRequest(
    {
      method: request.method,
      protocol: 'http:',
      hostname: hostname ?? '',
      port: port ? Number(port) : undefined,
      path: request.path,
      query,
      headers,
      body: request.body && request.body.length > 0 ? new Uint8Array(request.body) : undefined,
    },
    { credentials: expected.credentials, region: expected.region, date },
  );
  const given = Buffer.from(request.headers.authorization!);
  const computed = Buffer.from(resigned.authorization ?? '');
  if (given.length !== computed.length || !timingSafeEqual(given, computed)) return undefined;
  const user = expected.identityArn.split('/').pop() ?? 'local';
  return {
    accessKey: keyId!,
    accountId: expected.identityArn.split(':')[4] ?? '000000000000',
    callerId: `AIDALOCAL${user.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    userArn: expected.identityArn,
    userId: `AIDALOCAL${user.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    principalOrgId: null,
    cognitoIdentity: null,
  };
}
