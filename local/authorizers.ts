/**
 * API Gateway's authorizers, locally: before a route's function runs, the route
 * table says which authorizer guards it (shared/auth/principals.ts
 * routeAuthorizer). People's routes get the JWT check with the settings that
 * describe the deployed JWT authorizer (issuer, audience, scopes, JWKS of the
 * staff pool — cognito-local here); pipeline routes get SigV4 verified against
 * the local pipeline key. A refused request never reaches the function and gets
 * API Gateway's own answer (`{"message":"Unauthorized"}` / `{"message":"Forbidden"}`);
 * an accepted one carries `requestContext.authorizer` as in AWS.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { JwtInvalidScopeError } from 'aws-jwt-verify/error';
import { gatewayClaims, tokenScopes } from '../shared/auth/claims';
import { bearerToken, verifyJwt } from '../shared/auth/jwt';
import { routeAuthorizer } from '../shared/auth/principals';
import { jwtAuthorizerSettings, staffSignIn } from '../shared/auth/sign-in';
import { optionalEnv, requireEnv, SECRET_VALUE_ENV } from '../shared/config';
import type { RouteContract } from '../shared/api';
import { LOCAL_PIPELINE_ARN, verifySigV4 } from './sigv4-verify';

/** API Gateway's answer when an authorizer refuses a request. */
export interface GatewayRefusal {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const refusal = (statusCode: 401 | 403, wwwAuthenticate?: string): GatewayRefusal => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...(wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {}) },
  body: JSON.stringify({ message: statusCode === 401 ? 'Unauthorized' : 'Forbidden' }),
});

/**
 * Runs the route's authorizer on the event (which it completes with
 * `requestContext.authorizer`); returns the refusal to answer instead, if any.
 */
export async function runAuthorizer(
  route: RouteContract,
  event: APIGatewayProxyEventV2,
  body?: Buffer,
): Promise<GatewayRefusal | undefined> {
  const context = event.requestContext as unknown as { authorizer?: Record<string, unknown> };
  switch (routeAuthorizer(route.auth)) {
    case 'jwt': {
      const token = bearerToken(event.headers.authorization);
      if (!token) return refusal(401);
      try {
        const payload = await verifyJwt(token, jwtAuthorizerSettings(staffSignIn()));
        context.authorizer = { jwt: { claims: gatewayClaims(payload), scopes: tokenScopes(payload) } };
        return undefined;
      } catch (error) {
        if (error instanceof JwtInvalidScopeError) return refusal(403, 'Bearer scope="" error="insufficient_scope"');
        return refusal(401, 'Bearer scope="" error="invalid_token" error_description="the token is not valid"');
      }
    }
    case 'iam': {
      const accessKeyId = optionalEnv(SECRET_VALUE_ENV.localPipelineAccessKeyId);
      const secretAccessKey = optionalEnv(SECRET_VALUE_ENV.localPipelineSecretAccessKey);
      if (!accessKeyId || !secretAccessKey) return refusal(403);
      const identity = await verifySigV4(
        {
          method: event.requestContext.http.method,
          path: event.rawPath,
          query: event.rawQueryString,
          headers: event.headers as Record<string, string>,
          body,
        },
        { credentials: { accessKeyId, secretAccessKey }, region: requireEnv('AWS_REGION'), identityArn: LOCAL_PIPELINE_ARN },
      );
      if (!identity) return refusal(403);
      context.authorizer = { iam: identity };
      return undefined;
    }
    case 'none':
      return undefined;
  }
}
