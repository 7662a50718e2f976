import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';
import { PLATFORM_APPLICATION_ARN_PATTERN, PLATFORM_APPLICATION_PARAMETER, UpdateCloudStack } from '../../infra/stack';
import { ENV } from '../../shared/config';
import { TABLE_KEYS } from '../../shared/db/keys';
import { HTTP_FUNCTIONS, ROUTES, routeKey } from '../../shared/api';

/*
 * Security properties of the synthesized stack. The template is synthesized once,
 * without bundling, with the feature flags of
 * cdk.json, so the tests see what `cdk deploy` would deploy. Resources are found
 * by their properties, never by logical IDs.
 */

type Json = Record<string, any>;
interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Sid?: string;
  Principal?: unknown;
  Condition?: Json;
}

const SYNTH_TIMEOUT_MS = 180_000;

let template: Template;
let resources: Record<string, Json>;

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Logical ID of the Lambda whose POWERTOOLS_SERVICE_NAME names the given function folder. */
function functionId(name: string): string {
  const match = ofType('AWS::Lambda::Function').filter(
    ([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === `mophas-update-cloud-${name}`,
  );
  expect(match, `exactly one function for ${name}`).toHaveLength(1);
  return match[0]![0];
}

/** Every statement of every identity policy attached to the function's execution role. */
function roleStatements(name: string): Statement[] {
  const fn = resources[functionId(name)]!;
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  const statements: Statement[] = [];
  for (const [, policy] of ofType('AWS::IAM::Policy')) {
    if (asList<Json>(policy.Properties.Roles).some((r) => r.Ref === roleId)) {
      statements.push(...policy.Properties.PolicyDocument.Statement);
    }
  }
  for (const inline of asList<Json>(resources[roleId]!.Properties.Policies)) statements.push(...inline.PolicyDocument.Statement);
  return statements;
}

const actionsOf = (statements: Statement[]) => statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action));

/** Allow statements of identity policies and of every resource policy in the template. */
function allAllowStatements(): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(resources)) {
    const docs: Json[] = [];
    if (r.Properties?.PolicyDocument) docs.push(r.Properties.PolicyDocument);
    for (const inline of asList<Json>(r.Properties?.Policies)) if (inline.PolicyDocument) docs.push(inline.PolicyDocument);
    for (const doc of docs) {
      for (const statement of asList<Statement>(doc.Statement)) {
        if (statement.Effect === 'Allow') found.push({ owner: `${r.Type} ${id}`, statement });
      }
    }
  }
  return found;
}

beforeAll(() => {
  const cdkJson = JSON.parse(readFileSync(`${PROJECT_ROOT}/cdk.json`, 'utf8')) as { context: Record<string, unknown> };
  // Bundling is skipped here (the template is the same; the code asset is a placeholder) so the
  // fast tier stays fast; test/integration/cdk-synth.test.ts bundles every function for real.
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new UpdateCloudStack(app, 'TestUpdateCloud');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Json>;
}, SYNTH_TIMEOUT_MS);

describe('packages bucket', () => {
  it('blocks every form of public access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('encrypts objects at rest with S3-managed keys (readable through OAC) and keeps versions', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('denies every request that is not made over TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets CloudFront read objects under packages/ only, never logs/', () => {
    const notResource = new Capture();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            NotResource: notResource,
          }),
        ]),
      },
    });
    expect(JSON.stringify(notResource.asObject())).toContain('/packages/*');
  });
});

describe('data table', () => {
  it('keeps the table recoverable: PITR, KMS encryption at rest, deletion protection, retained on removal', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('uses the key schema, gsi1 and TTL attribute of shared/db/keys.ts', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.gsi1.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.gsi1.sortKey, AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE_KEYS.gsi1.indexName,
          KeySchema: [
            { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
    });
  });
});

describe('functions', () => {
  it('creates one function per HTTP function name plus the push worker', () => {
    for (const name of [...HTTP_FUNCTIONS, 'push']) functionId(name);
    template.resourceCountIs('AWS::Lambda::Function', HTTP_FUNCTIONS.length + 1);
  });

  it('runs every Lambda on nodejs22.x, arm64, with active X-Ray tracing and source maps', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler, id).toBe('index.handler');
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS, id).toBe('--enable-source-maps');
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE, id).toBe('MophasUpdateCloud');
    }
  });

  it('sends every Lambda log to a log group that expires after three months', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const logGroupRef = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect(logGroupRef, `${id} has its own log group`).toBeTypeOf('string');
      expect(resources[logGroupRef]!.Properties.RetentionInDays, id).toBe(90);
    }
    for (const [id, group] of ofType('AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays, `${id} retention`).toBeGreaterThan(0);
    }
  });
});

describe('least privilege', () => {
  it('grants no wildcard action (*, dynamodb:*, s3:*, sns:*, …) in any Allow statement', () => {
    const statements = allAllowStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const { owner, statement } of statements) {
      expect(statement.NotAction, owner).toBeUndefined();
      for (const action of asList(statement.Action)) {
        expect(action, owner).not.toBe('*');
        expect(action, owner).not.toMatch(/:\*$/);
      }
    }
  });

  it('allows Resource "*" only for the X-Ray trace upload actions', () => {
    for (const { owner, statement } of allAllowStatements()) {
      expect(statement.NotResource, owner).toBeUndefined();
      if (asList(statement.Resource).includes('*')) {
        expect(asList(statement.Action).sort(), owner).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
  });

  it('gives the not-found function no DynamoDB, S3, SNS or secret permission at all', () => {
    const actions = actionsOf(roleStatements('not-found'));
    expect(actions.filter((a) => !a.startsWith('xray:'))).toEqual([]);
    expect(resources[functionId('not-found')]!.Properties.Environment.Variables[ENV.tableName]).toBeUndefined();
  });

  it('lets the health function read the table but never write to it', () => {
    const actions = actionsOf(roleStatements('health'));
    expect(actions).toContain('dynamodb:GetItem');
    for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem']) {
      expect(actions).not.toContain(`dynamodb:${write}`);
    }
    expect(actions.some((a) => a.startsWith('secretsmanager:') || a.startsWith('sns:'))).toBe(false);
  });

  it('lets version-feed read the table, update items (download reports) and read exactly its two signing secrets', () => {
    const statements = roleStatements('version-feed');
    const actions = actionsOf(statements);
    expect(actions).toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    const env = resources[functionId('version-feed')]!.Properties.Environment.Variables;
    expect(env[ENV.tableName]).toBeDefined();
    const secretRefs = statements
      .filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => asList<Json>(s.Resource as Json | Json[]))
      .map((r) => r.Ref)
      .sort();
    expect(secretRefs).toEqual([env[ENV.feedSigningKeySecretArn].Ref, env[ENV.urlSigningKeySecretArn].Ref].sort());
    expect(env[ENV.codeMasterSecretArn]).toBeUndefined();
  });

  it('lets confirm-code write items (incl. transactions) and read only the code master secret', () => {
    const statements = roleStatements('confirm-code');
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']));
    expect(actions).not.toContain('dynamodb:Scan');
    const env = resources[functionId('confirm-code')]!.Properties.Environment.Variables;
    const secretRefs = statements
      .filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => asList<Json>(s.Resource as Json | Json[]))
      .map((r) => r.Ref);
    expect(secretRefs).toEqual([env[ENV.codeMasterSecretArn].Ref]);
  });

  it('writes to the table only on the table itself, never on its indexes', () => {
    for (const name of ['confirm-code', 'push']) {
      for (const statement of roleStatements(name)) {
        if (asList(statement.Action).includes('dynamodb:PutItem')) {
          expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
        }
      }
    }
  });

  it('lets the session function read its confirm-token secret and not the code master secret', () => {
    const statements = roleStatements('session');
    const env = resources[functionId('session')]!.Properties.Environment.Variables;
    const secretRefs = statements
      .filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => asList<Json>(s.Resource as Json | Json[]))
      .map((r) => r.Ref);
    expect(secretRefs).toEqual([env[ENV.confirmTokenSecretArn].Ref]);
    expect(env[ENV.codeMasterSecretArn]).toBeUndefined();
  });

  it("scopes the push worker to its platform application and that application's endpoints, and nothing on the support topic", () => {
    const statements = roleStatements('push');
    const create = statements.find((s) => asList(s.Action).includes('sns:CreatePlatformEndpoint'));
    expect(create?.Resource).toEqual({ Ref: PLATFORM_APPLICATION_PARAMETER });

    const endpoints = statements.find((s) => asList(s.Action).includes('sns:SetEndpointAttributes'));
    // No DeleteEndpoint: the code never deletes endpoints.
    expect(asList(endpoints?.Action).sort()).toEqual(['sns:GetEndpointAttributes', 'sns:Publish', 'sns:SetEndpointAttributes'].sort());
    const arn = JSON.stringify(endpoints?.Resource);
    expect(arn).toContain(':endpoint/GCM/');
    expect(arn).toContain(`"Ref":"${PLATFORM_APPLICATION_PARAMETER}"`);
    expect(arn).toMatch(/"\/\*"\]\]\}$/); // ends with /* after the application name

    const topicId = ofType('AWS::SNS::Topic')[0]![0];
    const publish = statements.filter((s) => asList(s.Action).includes('sns:Publish'));
    expect(publish.map((s) => s.Resource)).not.toContainEqual({ Ref: topicId });

    const env = resources[functionId('push')]!.Properties.Environment.Variables;
    expect(env[ENV.platformApplicationArn]).toEqual({ Ref: PLATFORM_APPLICATION_PARAMETER });
    expect(env[ENV.supportTopicArn]).toBeUndefined();
  });
});

describe('push fan-out', () => {
  it('consumes the push queue with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('push') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: Match.anyValue(),
    });
  });

  it('parks repeatedly failing jobs in an encrypted dead-letter queue', () => {
    const dlq = new Capture();
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: Match.anyValue() },
      SqsManagedSseEnabled: true,
    });
    expect(resources[dlq.asString()]!.Properties.SqsManagedSseEnabled).toBe(true);
  });
});

describe('package distribution', () => {
  it('reads the bucket through Origin Access Control, not an origin access identity', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const origins = new Capture();
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { Origins: origins } });
    for (const origin of origins.asArray() as Json[]) {
      expect(origin.OriginAccessControlId).toBeDefined();
      expect(origin.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
    }
  });

  it('serves only HTTPS, GET and HEAD, and checks the token on every viewer request', () => {
    const distribution = ofType('AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig;
    const behaviors: Json[] = [distribution.DefaultCacheBehavior, ...asList<Json>(distribution.CacheBehaviors)];
    expect(behaviors.map((b) => b.PathPattern)).toContain('packages/*');
    const edgeFunctionId = ofType('AWS::CloudFront::Function')[0]![0];
    for (const behavior of behaviors) {
      expect(behavior.ViewerProtocolPolicy).not.toBe('allow-all');
      expect(['https-only', 'redirect-to-https']).toContain(behavior.ViewerProtocolPolicy);
      expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
      expect(behavior.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [edgeFunctionId, 'FunctionARN'] } },
      ]);
    }
  });

  it('keeps the token query strings, headers and cookies out of the cache key', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        ParametersInCacheKeyAndForwardedToOrigin: {
          QueryStringsConfig: { QueryStringBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
        },
      },
    });
  });

  it('runs the edge check on cloudfront-js-2.0 with the signing-key store attached and its id injected', () => {
    const kvsId = ofType('AWS::CloudFront::KeyValueStore')[0]![0];
    const code = new Capture();
    template.hasResourceProperties('AWS::CloudFront::Function', {
      AutoPublish: true,
      FunctionConfig: {
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [kvsId, 'Arn'] } }],
      },
      FunctionCode: code,
    });
    const rendered = JSON.stringify(code.asObject());
    expect(rendered).toContain(JSON.stringify({ 'Fn::GetAtt': [kvsId, 'Id'] }));
    expect(rendered).not.toContain('__KVS_ID__');
  });

  it('never puts the URL signing key into the template', () => {
    const store = ofType('AWS::CloudFront::KeyValueStore')[0]![1];
    expect(store.Properties.ImportSource).toBeUndefined();
    for (const [id, secret] of ofType('AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString, id).toBeUndefined();
      expect(secret.Properties.GenerateSecretString, id).toBeDefined();
    }
  });
});

describe('HTTP API', () => {
  it("has a route for every entry of the shared route table, wired to that entry's function", () => {
    const routes = ofType('AWS::ApiGatewayV2::Route');
    for (const spec of ROUTES) {
      const found = routes.filter(([, r]) => r.Properties.RouteKey === routeKey(spec));
      expect(found, routeKey(spec)).toHaveLength(1);
      const integrationId: string = found[0]![1].Properties.Target['Fn::Join'][1][1].Ref;
      const uri = resources[integrationId]!.Properties.IntegrationUri;
      expect(uri['Fn::GetAtt'][0], routeKey(spec)).toBe(functionId(spec.fn));
    }
  });

  it('sends every unmatched request ($default) to the not-found function', () => {
    const route = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === '$default');
    expect(route).toBeDefined();
    const integrationId: string = route![1].Properties.Target['Fn::Join'][1][1].Ref;
    expect(resources[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0]).toBe(functionId('not-found'));
    expect(ofType('AWS::ApiGatewayV2::Route')).toHaveLength(ROUTES.length + 1);
  });

  it('invokes the functions with payload format 2.0', () => {
    for (const [id, integration] of ofType('AWS::ApiGatewayV2::Integration')) {
      expect(integration.Properties.IntegrationType, id).toBe('AWS_PROXY');
      expect(integration.Properties.PayloadFormatVersion, id).toBe('2.0');
    }
  });

  it('throttles the $default stage and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
  });

  it('gives every unauthenticated route its own lower throttle', () => {
    const stage = ofType('AWS::ApiGatewayV2::Stage')[0]![1] as {
      Properties: { RouteSettings: Record<string, { ThrottlingRateLimit: number }>; DefaultRouteSettings: { ThrottlingRateLimit: number } };
    };
    const publicKeys = ROUTES.filter((r) => r.auth === 'public')
      .map(routeKey)
      .sort();
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual(publicKeys);
    for (const key of publicKeys)
      expect(stage.Properties.RouteSettings[key]!.ThrottlingRateLimit).toBeLessThan(
        stage.Properties.DefaultRouteSettings.ThrottlingRateLimit,
      );
  });
});

describe('support topic and parameters', () => {
  it('encrypts the support topic with KMS and refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('takes the SNS platform application ARN as a parameter that accepts only GCM application ARNs', () => {
    template.hasParameter(PLATFORM_APPLICATION_PARAMETER, { Type: 'String', AllowedPattern: PLATFORM_APPLICATION_ARN_PATTERN });
    const pattern = new RegExp(PLATFORM_APPLICATION_ARN_PATTERN);
    expect(pattern.test('arn:aws:sns:eu-south-1:123456789012:app/GCM/mophas-mobile')).toBe(true);
    expect(pattern.test('arn:aws:sns:eu-south-1:123456789012:app/APNS/mophas-mobile')).toBe(false);
    expect(pattern.test('arn:aws:sns:eu-south-1:123456789012:mophas-support')).toBe(false);
    expect(pattern.test('*')).toBe(false);
  });

  it('outputs the API URL, package domain, bucket, table and support topic', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Json);
    expect(outputs).toEqual(expect.arrayContaining(['ApiUrl', 'PackagesDomainName', 'PackagesBucketName', 'TableName', 'SupportTopicArn']));
  });
});
