import { JwtVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtAuthorizerSettings } from './sign-in';

/**
 * The JWT authorizer's check, as API Gateway (HTTP API) runs it on the routes
 * for people: the local gateway runs exactly this with the settings that
 * describe the deployed authorizer (shared/auth/sign-in.ts), so a token the
 * deployed API refuses is refused locally too.
 *
 * API Gateway's rules (developer guide, "Control access to HTTP APIs with JWT
 * authorizers"): the token comes from `Authorization`, with or without `Bearer `;
 * its signature must verify with the issuer's JWKS (RSA); `iss` must equal the
 * issuer; `aud`, or `client_id` when there is no `aud`, must be one of the
 * audience; `exp` after now, `nbf` and `iat` before now; `scope` must include one
 * of the route's scopes.
 */

/** Why a token was refused (for logs and tests; callers answer 401 without saying which). */
export class TokenRefused extends Error {
  override name = 'TokenRefused';
}

/** Small clock tolerance, as API Gateway allows for clock drift. */
const GRACE_SECONDS = 5;

type Verifier = { verify(token: string): Promise<JwtPayload> };
const verifiers = new Map<string, Verifier>();

/**
 * JWKS fetched with the platform `fetch` (the library's own fetcher speaks HTTPS
 * only; the local issuer is plain HTTP), cached per issuer like API Gateway does,
 * refetched when a token names an unknown key.
 */
const jwksCache = new SimpleJwksCache({
  fetcher: {
    async fetch(uri: string) {
      const res = await fetch(uri, { signal: AbortSignal.timeout(5000) });
      if (res.status !== 200) throw new Error(`JWKS ${uri} answered HTTP ${res.status}`);
      return res.arrayBuffer();
    },
  },
});

function verifierFor(settings: JwtAuthorizerSettings): Verifier {
  const key = JSON.stringify(settings);
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = JwtVerifier.create(
      {
        issuer: settings.issuer,
        jwksUri: settings.jwksUri,
        // API Gateway's audience rule (aud, else client_id) is checked below.
        audience: null,
        scope: [...settings.scopes],
        graceSeconds: GRACE_SECONDS,
        customJwtCheck: ({ payload }) => {
          const audience = payload.aud ?? payload.client_id;
          const values = Array.isArray(audience) ? audience : [audience];
          if (!values.some((a) => typeof a === 'string' && settings.audience.includes(a))) throw new TokenRefused('audience');
          if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + GRACE_SECONDS) throw new TokenRefused('iat');
        },
      },
      { jwksCache },
    );
    verifiers.set(key, verifier);
  }
  return verifier;
}

/** The token from an `Authorization` value: the whole value, or what follows `Bearer `. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const token = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
  return token.length > 0 ? token : undefined;
}

/**
 * Verifies a token against the authorizer's settings; returns its claims.
 * @throws TokenRefused (or the library's error) when API Gateway would refuse it
 */
export async function verifyJwt(token: string, settings: JwtAuthorizerSettings): Promise<JwtPayload> {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new TokenRefused('not a JWT');
  return verifierFor(settings).verify(token);
}

/** Seeds the key cache (tests that sign their own tokens, with no JWKS endpoint). */
export function cacheJwks(settings: JwtAuthorizerSettings, jwks: { keys: unknown[] }): void {
  jwksCache.addJwks(settings.jwksUri, jwks as never);
}
