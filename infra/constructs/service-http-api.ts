import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HTTP_FUNCTIONS, ROUTES, routeKey, type HttpFunctionName, type RouteContract } from '../../shared/api';
import { routeAuthorizer } from '../../shared/auth/principals';
import type { JwtAuthorizerSettings } from '../../shared/auth/sign-in';

export interface ServiceHttpApiProps {
  /** The Lambda behind each HTTP function name; every name in HTTP_FUNCTIONS must be present. */
  readonly functions: Readonly<Record<HttpFunctionName, lambda.IFunction>>;
  /**
   * The route table to expose.
   * @default ROUTES, the contract table (shared/api)
   */
  readonly routes?: readonly RouteContract[];
  /**
   * The JWT authorizer of the routes for people on the Alturas side (`staff`,
   * `support`): the staff user pool's issuer, its app clients and the required
   * scope (StaffSignIn.authorizer). Required when the table has such routes.
   */
  readonly staffSignIn?: JwtAuthorizerSettings;
  /**
   * Steady-state request rate allowed per route (requests per second): every
   * workstation of every customer checks the feed at start, so this is generous.
   * @default 1000
   */
  readonly rateLimit?: number;
  /**
   * Burst allowed per route (every workstation starts at 8 o'clock).
   * @default 2000
   */
  readonly burstLimit?: number;
  /**
   * Rate for routes anyone may call without a credential (health, catalog, feed
   * keys, code check, device registration), so one client cannot use up the API.
   * @default 50 (burst 100)
   */
  readonly publicRateLimit?: number;
  /**
   * Retention of the access log.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** JSON access log line; no query strings or bodies (they may carry codes or tokens). */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * The HTTP API: one route per entry of the shared route table, each to the
 * function named by `route.fn` (one integration per function, shared by its
 * routes), and `$default` → `not-found`, which answers JSON 404/405 for anything
 * unmatched. The `$default` stage carries throttling and a JSON access log.
 */
export class ServiceHttpApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceHttpApiProps) {
    super(scope, id);
    for (const name of HTTP_FUNCTIONS) {
      if (!props.functions[name]) throw new Error(`ServiceHttpApi: no function given for "${name}"`);
    }
    const rateLimit = props.rateLimit ?? 1000;
    const burstLimit = props.burstLimit ?? 2000;
    const publicRateLimit = props.publicRateLimit ?? 50;
    if (rateLimit <= 0 || burstLimit <= 0) throw new Error('ServiceHttpApi: throttling limits must be positive');

    const integrations = new Map<HttpFunctionName, HttpLambdaIntegration>();
    const integrationFor = (name: HttpFunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}-integration`, props.functions[name]);
        integrations.set(name, integration);
      }
      return integration;
    };

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'mOphas Update Cloud HTTP API',
      // Created below with throttling and access logs.
      createDefaultStage: false,
      defaultIntegration: integrationFor('not-found'),
    });

    // The build pipeline signs with its IAM identity (SigV4); people sign in with the staff user pool (JWT);
    // every other route carries the project's own credentials, checked in the function.
    const iamAuthorizer = new HttpIamAuthorizer();
    const jwt = props.staffSignIn;
    const jwtAuthorizer = jwt
      ? new HttpJwtAuthorizer('StaffJwt', jwt.issuer, { jwtAudience: [...jwt.audience], authorizerName: 'staff-user-pool' })
      : undefined;
    const seen = new Set<string>();
    for (const route of props.routes ?? ROUTES) {
      const key = routeKey(route);
      if (seen.has(key)) throw new Error(`ServiceHttpApi: duplicate route ${key}`);
      seen.add(key);
      const kind = routeAuthorizer(route.auth);
      if (kind === 'jwt' && !jwtAuthorizer) throw new Error(`ServiceHttpApi: route ${key} is for people but no staffSignIn was given`);
      new apigwv2.HttpRoute(this, `Route-${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, '-')}`, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
        integration: integrationFor(route.fn),
        authorizer: kind === 'iam' ? iamAuthorizer : kind === 'jwt' ? jwtAuthorizer : undefined,
        // ID tokens carry no scope: only access tokens pass.
        authorizationScopes: kind === 'jwt' ? [...jwt!.scopes] : undefined,
      });
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    // Unauthenticated routes get their own, lower throttle (per route, not per caller).
    const publicRoutes = (props.routes ?? ROUTES).filter((r) => r.auth === 'public');
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries(
      publicRoutes.map((r) => [routeKey(r), { ThrottlingRateLimit: publicRateLimit, ThrottlingBurstLimit: publicRateLimit * 2 }]),
    );
  }

  /** Base URL of the API (the `$default` stage), ending in `/`. */
  public get url(): string {
    return this.stage.url;
  }
}
