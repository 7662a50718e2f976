import cf from 'cloudfront';
const crypto = require('crypto');

// CloudFront Function (runtime cloudfront-js-2.0), viewer-request event of the
// packages distribution. Self-contained on purpose: CloudFront Functions run one
// file with no bundling. It mirrors verifyPackageToken() in
// shared/domain/package-url.ts (test/edge/package-edge.test.ts keeps them in step):
//
//   sig = base64url(HMAC-SHA256(key, uri + "\n" + exp)), valid while now < exp
//
// The key is the base64url text stored under 'url-signing-key' in the associated
// KeyValueStore; the CDK stack substitutes the store's id for the KVS_ID placeholder.

const KVS_ID = '__KVS_ID__';
const KEY_NAME = 'url-signing-key';
const PREFIX = '/packages/';
const EXP_PATTERN = /^[0-9]{1,12}$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const kvs = cf.kvs(KVS_ID);

function reply(statusCode, statusDescription, code) {
  return {
    statusCode: statusCode,
    statusDescription: statusDescription,
    headers: {
      'content-type': { value: 'application/json' },
      'cache-control': { value: 'no-store' },
    },
    body: { encoding: 'text', data: '{"error":"' + code + '"}' },
  };
}

// Constant-time comparison of two ASCII strings of the same public length.
function sameText(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// One value per parameter: a repeated parameter is refused rather than guessed at.
function single(param) {
  if (param === undefined) return undefined;
  if (param.multiValue && param.multiValue.length > 1) return null;
  return param.value;
}

async function handler(event) {
  const request = event.request;
  const uri = request.uri;
  // Only packages are distributed; everything else in the bucket (desktop logs) stays private.
  if (uri.indexOf(PREFIX) !== 0) return reply(404, 'Not Found', 'NOT_FOUND');

  const query = request.querystring || {};
  const exp = single(query.exp);
  const sig = single(query.sig);
  if (exp === undefined || sig === undefined || exp === '' || sig === '') return reply(403, 'Forbidden', 'MISSING');
  if (exp === null || sig === null || !EXP_PATTERN.test(exp) || !SIG_PATTERN.test(sig)) {
    return reply(403, 'Forbidden', 'FORGED');
  }

  let keyText;
  try {
    keyText = await kvs.get(KEY_NAME, { format: 'string' });
  } catch (err) {
    // Fail closed: without the key nothing can be verified.
    return reply(503, 'Service Unavailable', 'SIGNING_KEY_UNAVAILABLE');
  }
  const key = Buffer.from(String(keyText).trim().replace(/=+$/, ''), 'base64url');
  if (key.length < 32) return reply(503, 'Service Unavailable', 'SIGNING_KEY_UNAVAILABLE');

  const expected = crypto.createHmac('sha256', key).update(uri + '\n' + exp).digest('base64url');
  if (!sameText(expected, sig)) return reply(403, 'Forbidden', 'FORGED');
  if (Math.floor(Date.now() / 1000) >= Number(exp)) return reply(403, 'Forbidden', 'EXPIRED');

  // The token is not part of the object: strip it so S3 and the cache key never see it.
  delete query.exp;
  delete query.sig;
  request.querystring = query;
  return request;
}
