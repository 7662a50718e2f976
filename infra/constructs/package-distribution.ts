import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PACKAGE_PATH_PREFIX } from '../../shared/domain/package-url';
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

  constructor(scope: Construct, id: string, props: PackageDistributionProps = {}) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: OAC reads them without a KMS key policy for CloudFront.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Publishing uploads land in staging/ and are copied to packages/ once verified.
        { id: 'expire-staging-uploads', prefix: 'staging/', expiration: Duration.days(3) },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
        },
      ],
    });

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
      defaultBehavior: behavior,
      additionalBehaviors: { [`${BUCKET_PREFIXES.packages}*`]: behavior },
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
    });

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
