import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Aws, CfnCondition, Duration, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UPLOAD_CORS } from '../../shared/domain/upload-limits';
import { PACKAGE_PATH_PREFIX } from '../../shared/domain/package-url';
import { ACCESS_LOG_PREFIXES, AccessLogBucket } from './access-log-bucket';
import { PROJECT_ROOT } from './service-function';

/** The edge function's source, a single self-contained cloudfront-js-2.0 file. */
export const PACKAGE_EDGE_SOURCE = path.join(PROJECT_ROOT, 'functions', 'package-edge', 'index.js');
/** Placeholder in the edge source replaced by the KeyValueStore id at synth time. */
export const KVS_ID_PLACEHOLDER = '__KVS_ID__';

/** S3 key prefixes of the packages bucket. */
export const BUCKET_PREFIXES = {
  /** Installer packages, served by the CDN with signed URLs. */
  packages: PACKAGE_PATH_PREFIX.slice(1),
  /** Desktop update logs (SES-6/SES-10); never served by the CDN. */
  logs: 'logs/',
} as const;

/**
 * Regions whose S3 buckets receive CloudFront standard logs: the Regions enabled by
 * default. CloudFront does not deliver them to buckets in opt-in Regions (eu-south-1
 * Milan among them), so the distribution's logging is on only when the stack is
 * deployed in one of these (an allow-list: a Region added later stays off rather
 * than silently losing logs). The S3 server access logs work everywhere.
 */
export const CLOUDFRONT_LOG_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/** A custom domain for the packages CDN (production uses one: see docs/infrastructure.md). */
export interface PackageCustomDomain {
  /** Host name the desktops download from, e.g. `updates.example.it`; its DNS points at the distribution's domain. */
  readonly domainName: string;
  /** ARN of an ACM certificate for `domainName`, issued in us-east-1 (where CloudFront reads certificates). */
  readonly certificateArn: string;
}

const DOMAIN_NAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate\/[0-9a-f-]{36}$/;

export interface PackageDistributionProps {
  /**
   * Edge locations to serve from. Customers are in Italy; PRICE_CLASS_100 covers Europe.
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * How long an edge keeps a package. Package paths carry the version and a
   * published release is immutable, so this can be long.
   * @default Duration.days(7)
   */
  readonly packageCacheTtl?: Duration;
  /**
   * How long old object versions are kept after being overwritten or deleted.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Bucket receiving the packages bucket's S3 server access logs and the
   * distribution's standard logs (see {@link ACCESS_LOG_PREFIXES}).
   * @default - a new {@link AccessLogBucket}
   */
  readonly logBucket?: s3.IBucket;
  /**
   * Serve under a custom domain with its ACM certificate, TLSv1.2_2021 at least.
   * Without one CloudFront's default certificate is used, which still accepts TLSv1.
   * @default - the CloudFront domain only
   */
  readonly customDomain?: PackageCustomDomain;
  /**
   * What the distribution serves outside `packages/*` (the window pages,
   * WebSite). Packages stay reachable only through the signed-URL behaviour.
   * @default the packages behaviour, whose edge check answers 404 outside /packages/
   */
  readonly defaultBehavior?: cloudfront.BehaviorOptions;
  /**
   * Origins whose pages may PUT package bytes into the bucket with presigned
   * URLs (the support console's publishing, docs/releases.md): the bucket's
   * CORS rule allows PUT from them and exposes ETag. The console is served by
   * this same distribution, but the bucket cannot name the distribution's
   * generated domain (CloudFormation would see a cycle: the distribution's
   * origin is the bucket), so without a custom domain the rule names
   * CloudFront's domains; the presigned URL's signature is what admits a PUT.
   * @default - `https://<customDomain>` when given, else `https://*.cloudfront.net`
   */
  readonly uploadOrigins?: readonly string[];
}

/**
 * Package distribution (SPEC PKG-1): a private, versioned S3 bucket read by
 * CloudFront through Origin Access Control, and a viewer-request CloudFront
 * Function that admits only short-lived signed URLs (key in a CloudFront
 * KeyValueStore, put there by ops — never in the template). Range requests go
 * straight through to S3, so downloads are resumable and never touch a Lambda.
 */
export class PackageDistribution extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** Holds `url-signing-key` (base64url); ops set it with `aws cloudfront-keyvaluestore put-key`. */
  public readonly keyValueStore: cloudfront.KeyValueStore;
  public readonly edgeFunction: cloudfront.Function;
  /** Where the access logs go. */
  public readonly logBucket: s3.IBucket;
  /** `https://<custom domain or CloudFront domain>`: the base of every package URL. */
  public readonly baseUrl: string;
  /** `https://<bucket>.s3.<region>.amazonaws.com`: where presigned upload URLs point (the console's CSP allows it). */
  public readonly uploadEndpoint: string;

  constructor(scope: Construct, id: string, props: PackageDistributionProps = {}) {
    super(scope, id);
    const domain = props.customDomain;
    if (domain && !Token.isUnresolved(domain.domainName) && !DOMAIN_NAME_PATTERN.test(domain.domainName)) {
      throw new Error(`PackageDistribution: customDomain.domainName must be a lower-case host name, got "${domain.domainName}"`);
    }
    if (domain && !Token.isUnresolved(domain.certificateArn) && !CERTIFICATE_ARN_PATTERN.test(domain.certificateArn)) {
      throw new Error('PackageDistribution: customDomain.certificateArn must be an ACM certificate ARN in us-east-1 (CloudFront)');
    }
    this.logBucket = props.logBucket ?? new AccessLogBucket(this, 'AccessLogs').bucket;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: OAC reads them without a KMS key policy for CloudFront.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: ACCESS_LOG_PREFIXES.packagesBucket,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Publishing uploads land in staging/ and are copied to packages/ once verified.
        { id: 'expire-staging-uploads', prefix: 'staging/', expiration: Duration.days(3) },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
        },
      ],
      // The console uploads release packages from the browser with presigned part URLs (S3 checks the signature);
      // CORS only lets the console's page send them and read each part's ETag for the multipart completion.
      cors: [
        {
          id: 'console-release-uploads',
          allowedMethods: UPLOAD_CORS.allowedMethods.map((m) => s3.HttpMethods[m]),
          allowedOrigins: [...(props.uploadOrigins ?? [domain ? `https://${domain.domainName}` : 'https://*.cloudfront.net'])],
          exposedHeaders: [...UPLOAD_CORS.exposedHeaders],
          maxAge: UPLOAD_CORS.maxAgeSeconds,
        },
      ],
    });
    this.uploadEndpoint = `https://${this.bucket.bucketRegionalDomainName}`;

    this.keyValueStore = new cloudfront.KeyValueStore(this, 'SigningKeys', {
      comment: 'mOphas package URL signing key (url-signing-key, base64url); set by ops, not by CloudFormation',
    });

    const source = readFileSync(PACKAGE_EDGE_SOURCE, 'utf8');
    if (source.split(KVS_ID_PLACEHOLDER).length !== 2) {
      throw new Error(`${PACKAGE_EDGE_SOURCE} must contain the placeholder ${KVS_ID_PLACEHOLDER} exactly once`);
    }
    this.edgeFunction = new cloudfront.Function(this, 'TokenCheck', {
      comment: 'Admits only signed, unexpired package URLs (PKG-1)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
      code: cloudfront.FunctionCode.fromInline(source.replace(KVS_ID_PLACEHOLDER, this.keyValueStore.keyValueStoreId)),
    });

    const ttl = props.packageCacheTtl ?? Duration.days(7);
    // The cache key is the path alone: the token (exp, sig) differs per download and
    // is stripped by the edge function anyway; no headers or cookies either.
    const packageCachePolicy = new cloudfront.CachePolicy(this, 'PackageCachePolicy', {
      comment: 'mOphas packages: path only, no query string/headers/cookies',
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      minTtl: Duration.seconds(0),
      defaultTtl: ttl,
      maxTtl: ttl,
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });

    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    const behavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: packageCachePolicy,
      // Installers are already compressed; compressing would also defeat byte ranges.
      compress: false,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      functionAssociations: [{ function: this.edgeFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'mOphas installer packages (signed URLs)',
      // The default behaviour runs the same function, which answers 404 outside /packages/:
      // no path of the bucket is reachable without going through the token check.
      defaultBehavior: props.defaultBehavior ?? behavior,
      additionalBehaviors: { [`${BUCKET_PREFIXES.packages}*`]: behavior },
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      ...(domain && {
        domainNames: [domain.domainName],
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
        minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        sslSupportMethod: cloudfront.SSLMethod.SNI,
      }),
    });
    this.baseUrl = `https://${domain?.domainName ?? this.distribution.distributionDomainName}`;

    // Standard logs (who downloaded what, from where), where CloudFront can deliver them.
    const logsDelivered = new CfnCondition(this, 'StandardLogsDelivered', {
      expression: Fn.conditionOr(...CLOUDFRONT_LOG_REGIONS.map((region) => Fn.conditionEquals(Aws.REGION, region))),
    });
    (this.distribution.node.defaultChild as cloudfront.CfnDistribution).addPropertyOverride(
      'DistributionConfig.Logging',
      Fn.conditionIf(
        logsDelivered.logicalId,
        { Bucket: this.logBucket.bucketRegionalDomainName, Prefix: ACCESS_LOG_PREFIXES.distribution, IncludeCookies: false },
        Aws.NO_VALUE,
      ),
    );

    // Defence in depth: even with a valid token CloudFront may read nothing but packages.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsPackagesOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        notResources: [this.bucket.arnForObjects(`${BUCKET_PREFIXES.packages}*`)],
      }),
    );
  }
}
