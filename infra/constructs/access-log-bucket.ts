import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefixes of the log bucket, one per source. */
export const ACCESS_LOG_PREFIXES = {
  /** S3 server access logs of the packages bucket (every GET CloudFront makes, every upload). */
  packagesBucket: 's3/packages/',
  /** CloudFront standard logs of the package distribution (who downloaded which package, from where). */
  distribution: 'cloudfront/packages/',
} as const;

export interface AccessLogBucketProps {
  /**
   * How long access logs are kept before they expire.
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
  /**
   * What happens to the logs when the bucket leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket access logs are delivered to: S3 server access logs and CloudFront
 * standard logs. Private (Block Public Access), encrypted with S3-managed keys
 * (the only encryption S3 server access logging delivers to), TLS ≥ 1.2 only,
 * and every object expires after the retention.
 *
 * CloudFront standard logging (legacy, the kind a regional stack can configure)
 * writes with an ACL grant to its log-delivery account, so this bucket keeps ACLs
 * enabled (`BucketOwnerPreferred`: the bucket owner still owns every object);
 * S3 server access logging is authorised by the bucket policy instead.
 */
export class AccessLogBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(365);
    if (!Token.isUnresolved(retention.toDays()) && retention.toDays() < 1) {
      throw new Error('AccessLogBucket: retention must be at least one day');
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: retention },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
  }
}
