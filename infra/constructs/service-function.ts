import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StaffSignInConfig } from '../../shared/auth/sign-in';
import { ENV } from '../../shared/config';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE, serviceNameOf } from '../../shared/metric-names';
import { LAMBDA_BUNDLE } from '../bundling';

/** Repository root: handlers live in `<root>/functions/<name>/handler.ts`. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** An environment variable name from the shared ENV table (so infra and code cannot drift). */
export type EnvVarName = (typeof ENV)[keyof typeof ENV];

/**
 * How a function may use the table: `readUpdate` adds only UpdateItem (e.g. the
 * read-mostly feed); `readWrite` puts, updates and condition-checks items;
 * `readWriteDelete` may also delete them — only for code that deletes.
 */
export type TableAccess = 'read' | 'readUpdate' | 'readWrite' | 'readWriteDelete';

/** How a function may use the bucket. */
export type BucketAccess = 'read' | 'write' | 'readWrite';

/** Item reads: single item, query (table and indexes), batch get. Also what TransactGetItems needs. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'] as const;
/**
 * Item writes. TransactWriteItems has no IAM action of its own: it is authorised
 * per contained operation (Put/Update/Delete/ConditionCheck).
 */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] as const;
/** Item deletes, granted only with `readWriteDelete`. */
export const TABLE_DELETE_ACTIONS = ['dynamodb:DeleteItem'] as const;

export interface ServiceFunctionProps {
  /**
   * Function folder under `functions/`; the entry point is `functions/<name>/handler.ts`
   * exporting `handler`. Also names the Powertools service.
   */
  readonly name: string;
  /**
   * Description shown in the Lambda console.
   * @default - `mOphas Update Cloud: <name>`
   */
  readonly description?: string;
  /**
   * Memory in MB (CPU scales with it).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Maximum run time. HTTP API integrations give up after 30 s, so HTTP functions stay well below.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's CloudWatch logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Reserved concurrency, to cap a function's share of the account.
   * @default - no reservation
   */
  readonly reservedConcurrentExecutions?: number;
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * The project's one Lambda shape: Node.js 22 on arm64, X-Ray tracing, ESM bundle
 * built by the local esbuild (no Docker) with source maps, a log group with
 * retention, and Powertools settings.
 *
 * Resources are wired only through the `bind*` methods, which set the
 * environment variable the code reads (names from `shared/config.ts` ENV) and
 * the least-privilege IAM grant in one call, so neither can be forgotten or drift.
 */
export class ServiceFunction extends NodejsFunction {
  /** Folder name under `functions/`. */
  public readonly serviceName: string;
  private readonly boundEnv = new Map<string, string>();

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    if (!NAME_PATTERN.test(props.name)) {
      throw new Error(`ServiceFunction name must be a lower-case folder name, got "${props.name}"`);
    }
    const entry = path.join(PROJECT_ROOT, 'functions', props.name, 'handler.ts');
    if (!existsSync(entry)) {
      throw new Error(`ServiceFunction "${props.name}": entry point ${entry} does not exist`);
    }
    if (props.memorySize !== undefined && (props.memorySize < 128 || props.memorySize > 10_240)) {
      throw new Error(`ServiceFunction "${props.name}": memorySize must be 128–10240 MB`);
    }

    // A sibling of the function (not a child): it has to exist before super() runs.
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description ?? `mOphas Update Cloud: ${props.name}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceNameOf(props.name),
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        banner: LAMBDA_BUNDLE.banner,
        target: LAMBDA_BUNDLE.target,
        minify: LAMBDA_BUNDLE.minify,
        esbuildArgs: {
          '--alias': Object.entries(LAMBDA_BUNDLE.alias).map(([pkg, file]) => `${pkg}=${path.join(PROJECT_ROOT, file)}`),
        },
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // Ship the SDK versions package-lock.json pins, not whatever the runtime carries.
        bundleAwsSDK: true,
      },
    });
    this.serviceName = props.name;
  }

  /**
   * A custom metric this function emits (names in shared/metric-names.ts), selected
   * by the `service` dimension Powertools adds (its POWERTOOLS_SERVICE_NAME).
   */
  public customMetric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      ...options,
      dimensionsMap: { [METRIC_DIMENSIONS.service]: serviceNameOf(this.serviceName), ...options.dimensionsMap },
    });
  }

  /**
   * Points the function at the table (`TABLE_NAME`) and grants item-level access.
   * `read`: GetItem/Query/BatchGetItem on the table and its indexes.
   * `readWrite`: also Put/Update/ConditionCheckItem on the table (enough for TransactWriteItems without deletes);
   * `readWriteDelete`: also DeleteItem. Never table management, scans or streams.
   */
  public bindTable(table: dynamodb.ITable, access: TableAccess): this {
    this.setEnv(ENV.tableName, table.tableName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TableRead',
        actions: [...TABLE_READ_ACTIONS],
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );
    if (access !== 'read') {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'TableWrite',
          actions:
            access === 'readUpdate'
              ? ['dynamodb:UpdateItem']
              : [...TABLE_WRITE_ACTIONS, ...(access === 'readWriteDelete' ? TABLE_DELETE_ACTIONS : [])],
          resources: [table.tableArn],
        }),
      );
    }
    return this;
  }

  /**
   * Points the function at the packages bucket (`BUCKET_NAME`) and grants object
   * access under one key prefix only (no listing, no deletes: published packages are immutable).
   *
   * @param keyPrefix - e.g. `logs/`; @default '' (every key)
   */
  public bindBucket(bucket: s3.IBucket, access: BucketAccess, keyPrefix = ''): this {
    if (keyPrefix.startsWith('/') || keyPrefix.includes('*')) {
      throw new Error(`bindBucket: keyPrefix must be a plain S3 key prefix, got "${keyPrefix}"`);
    }
    this.setEnv(ENV.bucketName, bucket.bucketName);
    const actions: string[] = [];
    if (access !== 'write') actions.push('s3:GetObject');
    if (access !== 'read') actions.push('s3:PutObject', 's3:AbortMultipartUpload');
    this.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${keyPrefix}*`)] }));
    return this;
  }

  /**
   * Lets the function hand jobs to the push queue (`PUSH_QUEUE_URL`): `sqs:SendMessage`
   * on that queue only (it also authorises SendMessageBatch). Consuming is the
   * worker's event source, not a binding.
   */
  public bindPushQueue(queue: sqs.IQueue): this {
    this.setEnv(ENV.pushQueueUrl, queue.queueUrl);
    this.addToRolePolicy(new iam.PolicyStatement({ sid: 'PushQueueSend', actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /**
   * Where packages are downloaded from (`PACKAGE_BASE_URL`): the CDN's custom
   * domain or its CloudFront domain. Only a URL: signing uses the URL signing key secret.
   */
  public bindPackageBaseUrl(baseUrl: string): this {
    this.setEnv(ENV.packageBaseUrl, baseUrl);
    return this;
  }

  /** Lets the function publish to the support topic (`SUPPORT_TOPIC_ARN`), nothing else on it. */
  public bindSupportTopic(topic: sns.ITopic): this {
    this.setEnv(ENV.supportTopicArn, topic.topicArn);
    this.addToRolePolicy(new iam.PolicyStatement({ sid: 'SupportTopicPublish', actions: ['sns:Publish'], resources: [topic.topicArn] }));
    return this;
  }

  /**
   * Lets the function register devices with the SNS mobile-push platform
   * application (`PLATFORM_APPLICATION_ARN`) and manage/publish to the endpoints
   * of THAT application only.
   *
   * @param platformApplicationArn - `arn:<partition>:sns:<region>:<account>:app/GCM/<name>`
   *   (a token is fine: the endpoint ARN pattern is derived with Fn::Split/Fn::Select).
   */
  public bindPlatformApplication(platformApplicationArn: string): this {
    this.setEnv(ENV.platformApplicationArn, platformApplicationArn);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PlatformApplicationRegister',
        actions: ['sns:CreatePlatformEndpoint'],
        resources: [platformApplicationArn],
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PlatformEndpoints',
        actions: ['sns:GetEndpointAttributes', 'sns:SetEndpointAttributes', 'sns:Publish'],
        resources: [platformEndpointsArn(platformApplicationArn)],
      }),
    );
    return this;
  }

  /**
   * Gives the function one secret: its ARN in `envName` and read access
   * (GetSecretValue/DescribeSecret) to that secret only. The value is fetched at run time, never put in the template.
   */
  public bindSecret(envName: EnvVarName, secret: secretsmanager.ISecret): this {
    this.setEnv(envName, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /**
   * Tells the function how staff and agents sign in (`STAFF_SIGN_IN`: pool,
   * clients, issuer), which it needs to accept the claims the JWT authorizer
   * passes on. `readUsers` also lets it look people up in the pool
   * (AdminGetUser, AdminListGroupsForUser on that pool only: agent assignments
   * name real agents). It can never create, change or delete a person.
   */
  public bindStaffSignIn(signIn: { config: StaffSignInConfig; userPool: cognito.IUserPool }, options: { readUsers?: boolean } = {}): this {
    this.setEnv(ENV.staffSignIn, Stack.of(this).toJsonString(signIn.config));
    if (options.readUsers) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'StaffPoolRead',
          actions: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
          resources: [signIn.userPool.userPoolArn],
        }),
      );
    }
    return this;
  }

  /** Sets an environment variable once; binding the same name to a second value is a wiring bug. */
  private setEnv(name: EnvVarName, value: string): void {
    const previous = this.boundEnv.get(name);
    if (previous !== undefined && previous !== value) {
      throw new Error(`ServiceFunction "${this.serviceName}": ${name} is already bound to another resource`);
    }
    this.boundEnv.set(name, value);
    this.addEnvironment(name, value);
  }
}

/**
 * `arn:<partition>:sns:<region>:<account>:endpoint/GCM/<app name>/*` from the
 * platform application ARN `arn:<partition>:sns:<region>:<account>:app/GCM/<app name>`.
 * Works on a deploy-time token (CfnParameter) as well as on a literal.
 */
export function platformEndpointsArn(platformApplicationArn: string): string {
  // No assumedLength: keeps each piece a plain Fn::Select over Fn::Split in the template.
  const arnParts = Fn.split(':', platformApplicationArn);
  const appName = Fn.select(2, Fn.split('/', Fn.select(5, arnParts)));
  return Fn.join('', [
    'arn:',
    Fn.select(1, arnParts),
    ':sns:',
    Fn.select(3, arnParts),
    ':',
    Fn.select(4, arnParts),
    // Devices are Android (FCM, which SNS still calls GCM); the parameter's AllowedPattern pins the platform.
    ':endpoint/GCM/',
    appName,
    '/*',
  ]);
}
