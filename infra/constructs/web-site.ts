import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CONSOLE_SIGN_IN_ORIGINS_AWS, consoleContentSecurityPolicy, WINDOW_CONTENT_SECURITY_POLICY } from '../../web/headers';

/** Path pattern of the API on the distribution (same origin as the pages: no CORS). */
export const API_PATH_PATTERN = 'v1/*';
/** Path pattern of the support console's files (`/support` itself is redirected by the default behaviour). */
export const CONSOLE_PATH_PATTERN = 'support/*';

/**
 * `/desktop` → `/desktop/` (and `/support` → `/support/`), and a folder path →
 * its index.html: S3 behind origin access control has no index documents of its own.
 */
const INDEX_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  if (request.uri === '/desktop' || request.uri === '/support') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: request.uri + '/' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

export interface WebSiteProps {
  /**
   * How long old versions of the page files are kept (a bad deploy can be rolled back).
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * The hosted update window (issue 12): a private, versioned S3 bucket of static
 * pages (web/ built by `npm run build:web`, deployed with `aws s3 sync`, see
 * docs/infrastructure.md) read by CloudFront through origin access control.
 *
 * `behavior` is the distribution's default behaviour (pages at /desktop/,
 * served with the window's security headers); `serveApi()` adds the `/v1/*`
 * behaviour to the HTTP API on the same distribution — uncached, every method,
 * every viewer header but Host — so the page and the API share one origin.
 */
export class WebSite extends Construct {
  public readonly bucket: s3.Bucket;
  /** The distribution's default behaviour: the pages. */
  public readonly behavior: cloudfront.BehaviorOptions;
  public readonly indexFunction: cloudfront.Function;
  public readonly headers: cloudfront.ResponseHeadersPolicy;
  /** The support console's headers (made by `serveConsole`): the window's, its CSP also allowing the hosted sign-in and uploads. */
  public consoleHeaders?: cloudfront.ResponseHeadersPolicy;
  private readonly securityHeaders: (contentSecurityPolicy: string) => cloudfront.ResponseSecurityHeadersBehavior;

  constructor(scope: Construct, id: string, props: WebSiteProps = {}) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-old-page-versions', noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30) },
      ],
    });

    this.indexFunction = new cloudfront.Function(this, 'IndexRewrite', {
      comment: 'mOphas pages: /desktop → /desktop/, /support → /support/, folders → index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(INDEX_FUNCTION_CODE),
    });

    const securityHeaders = (this.securityHeaders = (contentSecurityPolicy: string): cloudfront.ResponseSecurityHeadersBehavior => ({
      contentSecurityPolicy: { contentSecurityPolicy, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
    }));
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'mOphas window pages: own scripts and API only, never framed, no referrer',
      securityHeadersBehavior: securityHeaders(WINDOW_CONTENT_SECURITY_POLICY),
    });

    this.behavior = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [cloudfront.AccessLevel.READ] }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      // The files are uploaded with Cache-Control: no-cache: edges revalidate, a deploy shows at once.
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      compress: true,
      responseHeadersPolicy: this.headers,
      functionAssociations: [{ function: this.indexFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    };
  }

  /**
   * Serves the support console's files (`/support/…`) like the default
   * behaviour, with the console's headers: its CSP lets it call the hosted
   * sign-in's token endpoint and PUT release packages to `uploadOrigins`
   * (the packages bucket's presigned URLs, docs/console.md).
   */
  serveConsole(distribution: cloudfront.Distribution, uploadOrigins: readonly string[] = []): void {
    this.consoleHeaders = new cloudfront.ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      comment: 'mOphas support console: as the window, plus the hosted sign-in token endpoint and package uploads',
      securityHeadersBehavior: this.securityHeaders(consoleContentSecurityPolicy([...CONSOLE_SIGN_IN_ORIGINS_AWS, ...uploadOrigins])),
    });
    const { origin, ...options } = this.behavior;
    distribution.addBehavior(CONSOLE_PATH_PATTERN, origin, { ...options, responseHeadersPolicy: this.consoleHeaders });
  }

  /**
   * Routes `/v1/*` of the distribution to the HTTP API: never cached, every
   * method, every viewer header except Host (API Gateway answers to its own
   * host name; with caching disabled the Authorization header goes through).
   */
  serveApi(distribution: cloudfront.Distribution, api: apigwv2.IHttpApi): void {
    // apiEndpoint is https://<id>.execute-api.<region>.amazonaws.com: the origin wants the host alone.
    const host = Fn.select(2, Fn.split('/', api.apiEndpoint));
    distribution.addBehavior(
      API_PATH_PATTERN,
      new origins.HttpOrigin(host, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
      {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
      },
    );
  }
}
