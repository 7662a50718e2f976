import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../shared/db/keys';

export interface DataTableProps {
  /**
   * What happens to the table when it leaves the stack. Customer sessions and the
   * audit trail must survive a mistaken `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuse DeleteTable while set.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The single DynamoDB table (docs/data-model.md): `pk`/`sk` strings, sparse GSI
 * `gsi1` (`gsi1pk`/`gsi1sk`, all attributes projected), TTL on `ttl`, on-demand
 * capacity, point-in-time recovery and KMS encryption. Key names come from
 * `shared/db/keys.ts`, the same module the code builds keys with.
 *
 * A plain `dynamodb.Table`: `TableV2` would synthesize AWS::DynamoDB::GlobalTable.
 */
export class DataTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-managed KMS key: encrypted at rest with a key in this account, and the
      // functions need no extra kms:* grant.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.indexName,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
