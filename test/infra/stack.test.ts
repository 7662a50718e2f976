import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_PREFIXES } from '../../infra/constructs/access-log-bucket';
import { PackageDistribution } from '../../infra/constructs/package-distribution';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';
import {
  ALARM_EMAIL_PARAMETER,
  PLATFORM_APPLICATION_ARN_PATTERN,
  PLATFORM_APPLICATION_PARAMETER,
  UpdateCloudStack,
  type UpdateCloudStackProps,
} from '../../infra/stack';
import { ENV } from '../../shared/config';
import { TABLE_KEYS } from '../../shared/db/keys';
import { HTTP_FUNCTIONS, ROUTES, routeKey } from '../../shared/api';
import { routeAuthorizer } from '../../shared/auth/principals';
import { STAFF_GROUPS, STAFF_PASSWORD_POLICY, STAFF_ROUTE_SCOPE } from '../../shared/auth/sign-in';
import { METRIC, METRIC_DIMENSIONS, METRICS_NAMESPACE, serviceNameOf } from '../../shared/metric-names';
import { SESSION_STATES } from '../../shared/session/state-machine';

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

/** The one CloudFront distribution (packages, window pages and the API on one origin). */
const distributionConfig = (): Json => {
  const distributions = ofType('AWS::CloudFront::Distribution');
  expect(distributions).toHaveLength(1);
  return distributions[0]![1].Properties.DistributionConfig;
};

/** The distribution's origin reading a bucket (by the bucket's logical id). */
const originOfBucket = (bucketId: string): Json => {
  const origin = (distributionConfig().Origins as Json[]).find((o) => o.DomainName?.['Fn::GetAtt']?.[0] === bucketId);
  expect(origin, `an origin for ${bucketId}`).toBeDefined();
  return origin!;
};

/** Logical id of a bucket by a lifecycle rule only it has (the packages bucket, the window pages bucket). */
const bucketWithLifecycle = (ruleId: string) =>
  ofType('AWS::S3::Bucket').find(([, b]) => asList<Json>(b.Properties.LifecycleConfiguration?.Rules).some((r) => r.Id === ruleId))![0];
const packagesBucketId = () => bucketWithLifecycle('expire-staging-uploads');
const webBucketId = () => bucketWithLifecycle('expire-old-page-versions');

/**
 * Synthesizes the stack with the feature flags of cdk.json. Bundling is skipped (the
 * template is the same; the code asset is a placeholder) so the fast tier stays fast;
 * test/integration/cdk-synth.test.ts bundles every function for real.
 */
function synth(props?: UpdateCloudStackProps): Template {
  const cdkJson = JSON.parse(readFileSync(`${PROJECT_ROOT}/cdk.json`, 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new UpdateCloudStack(app, 'TestUpdateCloud', props));
}

beforeAll(() => {
  template = synth();
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

describe('packages bucket CORS (the console uploads release packages from the browser)', () => {
  it("allows only PUT, from CloudFront's domains (the console's), and lets the page read each part's ETag", () => {
    const rules = resources[packagesBucketId()]!.Properties.CorsConfiguration.CorsRules as Json[];
    expect(rules).toEqual([
      {
        Id: 'console-release-uploads',
        AllowedMethods: ['PUT'],
        AllowedOrigins: ['https://*.cloudfront.net'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3000,
      },
    ]);
    // No other bucket is reachable from a browser.
    const withCors = ofType('AWS::S3::Bucket').filter(([, b]) => b.Properties.CorsConfiguration !== undefined);
    expect(withCors.map(([id]) => id)).toEqual([packagesBucketId()]);
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
  it('reads every bucket through Origin Access Control, never an origin access identity', () => {
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    for (const origin of distributionConfig().Origins as Json[]) {
      if (!origin.S3OriginConfig) continue;
      expect(origin.OriginAccessControlId, origin.Id).toBeDefined();
      expect(origin.S3OriginConfig.OriginAccessIdentity ?? '').toBe('');
    }
  });

  it('serves packages over HTTPS only, GET and HEAD, with the token checked on every viewer request', () => {
    const packages = asList<Json>(distributionConfig().CacheBehaviors).filter((b) => b.PathPattern === 'packages/*');
    expect(packages).toHaveLength(1);
    const tokenCheckId = ofType('AWS::CloudFront::Function').find(([, f]) => f.Properties.FunctionConfig.KeyValueStoreAssociations)![0];
    for (const behavior of packages) {
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
      expect(behavior.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [tokenCheckId, 'FunctionARN'] } },
      ]);
      expect(behavior.TargetOriginId).toBe(originOfBucket(packagesBucketId()).Id);
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

describe('window pages and the API on one origin', () => {
  it('serves the window pages from their own private bucket as the default behaviour, through origin access control', () => {
    const web = resources[webBucketId()]!.Properties;
    expect(web.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(web.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const origin = originOfBucket(webBucketId());
    expect(origin.OriginAccessControlId).toBeDefined();
    const defaultBehavior = distributionConfig().DefaultCacheBehavior;
    expect(defaultBehavior.TargetOriginId).toBe(origin.Id);
    expect(defaultBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(defaultBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    // The packages bucket is never the default origin: reachable only through the signed-URL behaviour.
    expect(defaultBehavior.TargetOriginId).not.toBe(originOfBucket(packagesBucketId()).Id);
  });

  it("lets only this distribution's CloudFront read the pages bucket, and nobody write to it", () => {
    const policies = ofType('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === webBucketId());
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].Properties.PolicyDocument.Statement as Statement[];
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0]!.Condition)).toContain('AWS:SourceArn');
    expect(statements.some((st) => st.Effect === 'Deny' && JSON.stringify(st.Condition).includes('aws:SecureTransport'))).toBe(true);
  });

  it('rewrites /desktop/ to its index.html and sends the window security headers (CSP: own scripts and API only)', () => {
    const defaultBehavior = distributionConfig().DefaultCacheBehavior;
    const association = (defaultBehavior.FunctionAssociations as Json[])[0]!;
    expect(association.EventType).toBe('viewer-request');
    const fn = resources[association.FunctionARN['Fn::GetAtt'][0]]!.Properties;
    expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.FunctionCode).toContain("request.uri += 'index.html'");
    const headers = resources[defaultBehavior.ResponseHeadersPolicyId.Ref]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("connect-src 'self'");
    expect(headers.ContentSecurityPolicy.ContentSecurityPolicy).toContain("frame-ancestors 'none'");
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
  });

  it('serves the support console from the same bucket with its own CSP, which also allows the hosted sign-in', () => {
    const consoleBehaviors = asList<Json>(distributionConfig().CacheBehaviors).filter((b) => b.PathPattern === 'support/*');
    expect(consoleBehaviors).toHaveLength(1);
    const behavior = consoleBehaviors[0]!;
    expect(behavior.TargetOriginId).toBe(distributionConfig().DefaultCacheBehavior.TargetOriginId);
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect((behavior.FunctionAssociations as Json[])[0]!.EventType).toBe('viewer-request');
    const csp =
      resources[behavior.ResponseHeadersPolicyId.Ref]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
    // connect-src: the hosted sign-in, and the packages bucket's regional endpoint the console's uploads PUT to.
    expect(csp.ContentSecurityPolicy).toEqual({
      'Fn::Join': [
        '',
        [
          expect.stringContaining("connect-src 'self' https://*.amazoncognito.com https://"),
          { 'Fn::GetAtt': [packagesBucketId(), 'RegionalDomainName'] },
          expect.stringContaining("; font-src 'self'"),
        ],
      ],
    });
    expect(JSON.stringify(csp.ContentSecurityPolicy)).toContain("script-src 'self'");
  });

  it('sends /v1/* to the HTTP API uncached, with every method and every viewer header but Host', () => {
    const api = asList<Json>(distributionConfig().CacheBehaviors).filter((b) => b.PathPattern === 'v1/*');
    expect(api).toHaveLength(1);
    const behavior = api[0]!;
    expect(behavior.AllowedMethods.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    // Managed policies: CachingDisabled and AllViewerExceptHostHeader.
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(behavior.FunctionAssociations).toBeUndefined();
    const origin = (distributionConfig().Origins as Json[]).find((o) => o.Id === behavior.TargetOriginId)!;
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    const apiId = ofType('AWS::ApiGatewayV2::Api')[0]![0];
    expect(JSON.stringify(origin.DomainName)).toContain(apiId);
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

  it('outputs the API URL, package domain, buckets, window URL, distribution, table and support topic', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Json);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'PackagesDomainName',
        'PackagesBucketName',
        'WebBucketName',
        'WindowUrl',
        'DistributionId',
        'TableName',
        'SupportTopicArn',
      ]),
    );
  });
});

/** The bucket the packages bucket writes its server access logs to. */
const logBucketId = (): string => resources[packagesBucketId()]!.Properties.LoggingConfiguration.DestinationBucketName.Ref;
const bucketPolicyOf = (bucketId: string): Statement[] =>
  ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![1].Properties.PolicyDocument.Statement;

describe('access logs', () => {
  it('logs every request to the packages bucket into a separate log bucket', () => {
    const packages = resources[packagesBucketId()]!;
    expect(packages.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logBucketId() },
      LogFilePrefix: ACCESS_LOG_PREFIXES.packagesBucket,
    });
    expect(logBucketId()).not.toBe(packagesBucketId());
  });

  it('keeps the log bucket private, encrypted, TLS-only, retained, and expires every log', () => {
    const logs = resources[logBucketId()]!;
    expect(logs.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(logs.DeletionPolicy).toBe('Retain');
    const expiring = (logs.Properties.LifecycleConfiguration.Rules as Json[]).filter(
      (r) => r.ExpirationInDays > 0 && r.Status === 'Enabled',
    );
    expect(expiring, 'a rule expiring every object (no prefix)').toEqual([expect.not.objectContaining({ Prefix: expect.anything() })]);
    const policy = bucketPolicyOf(logBucketId());
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }));
  });

  it('lets only S3 log delivery for the packages bucket write there, under its prefix', () => {
    const allows = bucketPolicyOf(logBucketId()).filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [packagesBucketId(), 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
    expect(JSON.stringify(allows[0]!.Resource)).toContain(`/${ACCESS_LOG_PREFIXES.packagesBucket}*`);
  });

  it('sends CloudFront standard logs (no cookies) to the log bucket in the Regions CloudFront delivers to', () => {
    const condition = new Capture();
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Logging: {
          'Fn::If': [
            condition,
            {
              Bucket: { 'Fn::GetAtt': [logBucketId(), 'RegionalDomainName'] },
              Prefix: ACCESS_LOG_PREFIXES.distribution,
              IncludeCookies: false,
            },
            { Ref: 'AWS::NoValue' },
          ],
        },
      },
    });
    const regions = JSON.stringify(template.toJSON().Conditions[condition.asString()]);
    for (const region of ['us-east-1', 'eu-central-1', 'eu-west-1']) expect(regions).toContain(`"${region}"`);
    // CloudFront does not deliver standard logs to buckets in opt-in Regions such as Milan.
    expect(regions).not.toContain('"eu-south-1"');
    // CloudFront (legacy standard logging) writes with an ACL grant: the log bucket keeps ACLs, owned by the bucket owner.
    expect(resources[logBucketId()]!.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
  });
});

describe('TLS and the packages domain', () => {
  const DOMAIN = {
    domainName: 'updates.example.it',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1234-4321-abcd-0123456789ab',
  };

  it("without a custom domain serves on CloudFront's domain and builds package URLs from it", () => {
    const config = ofType('AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig;
    expect(config.Aliases).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
    const distributionId = ofType('AWS::CloudFront::Distribution')[0]![0];
    expect(resources[functionId('version-feed')]!.Properties.Environment.Variables[ENV.packageBaseUrl]).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
    });
  });

  it(
    'with a custom domain serves it with its ACM certificate over SNI, TLSv1.2_2021 at least, and signs URLs for it',
    () => {
      const withDomain = synth({ packagesDomain: DOMAIN });
      withDomain.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: {
          Aliases: [DOMAIN.domainName],
          ViewerCertificate: {
            AcmCertificateArn: DOMAIN.certificateArn,
            SslSupportMethod: 'sni-only',
            MinimumProtocolVersion: 'TLSv1.2_2021',
          },
        },
      });
      withDomain.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ [ENV.packageBaseUrl]: `https://${DOMAIN.domainName}` }) },
      });
      // The console is served on the same domain: only it may PUT package parts from a browser.
      withDomain.hasResourceProperties('AWS::S3::Bucket', {
        CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'], AllowedOrigins: [`https://${DOMAIN.domainName}`] })] },
      });
    },
    SYNTH_TIMEOUT_MS,
  );

  it('refuses a certificate outside us-east-1 and a malformed domain name', () => {
    const distribution = (customDomain: { domainName: string; certificateArn: string }) => () =>
      new PackageDistribution(new Stack(new App(), 'Cdn'), 'Packages', { customDomain });
    expect(distribution({ ...DOMAIN, certificateArn: DOMAIN.certificateArn.replace('us-east-1', 'eu-south-1') })).toThrow(/us-east-1/);
    expect(distribution({ ...DOMAIN, domainName: 'https://updates.example.it/' })).toThrow(/host name/);
  });
});

/** Alarms whose metrics include one with these properties. */
function alarmsWatching(match: (metric: Json) => boolean): Json[] {
  return ofType('AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties)
    .filter((a) => [a, ...asList<Json>(a.Metrics)].some((m) => match(m.MetricStat?.Metric ?? m)));
}
const dimension = (metric: Json, name: string) => asList<Json>(metric.Dimensions).find((d) => d.Name === name)?.Value;

describe('alarms', () => {
  it('alarms on the 5xx rate of every HTTP function: (answered 5xx + Lambda errors) ÷ invocations', () => {
    for (const name of HTTP_FUNCTIONS) {
      const alarms = alarmsWatching(
        (m) => m.MetricName === METRIC.serverErrors && dimension(m, METRIC_DIMENSIONS.service) === serviceNameOf(name),
      );
      expect(alarms, name).toHaveLength(1);
      const alarm = alarms[0]!;
      const metrics = alarm.Metrics as Json[];
      const expression = metrics.find((m) => m.Expression)!.Expression as string;
      const idOf = (metricName: string) => metrics.find((m) => m.MetricStat?.Metric.MetricName === metricName)!;
      for (const lambdaMetric of ['Errors', 'Invocations']) {
        expect(idOf(lambdaMetric).MetricStat.Metric).toMatchObject({
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        });
      }
      expect(expression).toContain(`/ ${idOf('Invocations').Id}`);
      expect(expression).toContain(idOf('Errors').Id);
      expect(expression).toContain(idOf(METRIC.serverErrors).Id);
      expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 5, TreatMissingData: 'notBreaching' });
    }
  });

  it('alarms on throttles of every function, the push worker included', () => {
    for (const name of [...HTTP_FUNCTIONS, 'push']) {
      const alarms = alarmsWatching((m) => m.MetricName === 'Throttles' && dimension(m, 'FunctionName')?.Ref === functionId(name));
      expect(alarms, name).toEqual([expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })]);
    }
  });

  it('alarms as soon as a push job lands in the dead-letter queue', () => {
    const dlq = new Capture();
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } } });
    const alarms = alarmsWatching(
      (m) => m.MetricName === 'ApproximateNumberOfMessagesVisible' && dimension(m, 'QueueName')?.['Fn::GetAtt']?.[0] === dlq.asString(),
    );
    expect(alarms).toEqual([expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })]);
  });

  it("alarms on every failed update (a session entering 'failed')", () => {
    const alarms = alarmsWatching(
      (m) =>
        m.Namespace === METRICS_NAMESPACE &&
        m.MetricName === METRIC.sessionTransitions &&
        dimension(m, METRIC_DIMENSIONS.service) === serviceNameOf('session') &&
        dimension(m, METRIC_DIMENSIONS.state) === 'failed',
    );
    expect(alarms).toEqual([expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })]);
    expect(alarms[0]!.Metrics[0].MetricStat.Stat).toBe('Sum');
  });

  it('notifies the alarm topic of every alarm and recovery; the topic uses a rotating customer-managed key CloudWatch may use', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(2 * HTTP_FUNCTIONS.length + 3);
    const topicRef = alarms[0]![1].Properties.AlarmActions[0];
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([topicRef]);
      expect(alarm.Properties.OKActions, id).toEqual([topicRef]);
    }
    const topic = resources[topicRef.Ref]!;
    const keyId: string = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = resources[keyId]!;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const topicPolicy = ofType('AWS::SNS::TopicPolicy').find(([, p]) => p.Properties.Topics[0].Ref === topicRef.Ref)![1];
    const statements: Statement[] = topicPolicy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
      }),
    ]);
  });

  it('subscribes the optional alarm email only when one is given', () => {
    const parameter = template.toJSON().Parameters[ALARM_EMAIL_PARAMETER];
    expect(parameter).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(parameter.AllowedPattern);
    expect(['', 'ops@example.it'].every((v) => pattern.test(v))).toBe(true);
    expect(['ops', 'ops@', 'a b@example.it'].some((v) => pattern.test(v))).toBe(false);
    const [, subscription] = ofType('AWS::SNS::Subscription').find(([, s]) => s.Properties.Endpoint?.Ref === ALARM_EMAIL_PARAMETER)!;
    expect(subscription.Properties.Protocol).toBe('email');
    expect(template.toJSON().Conditions[subscription.Condition]).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: ALARM_EMAIL_PARAMETER }, ''] }],
    });
  });
});

describe('dashboard', () => {
  /** The dashboard's widgets, with CloudFormation references rendered as `<ref>`. */
  function widgets(): Json[] {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0]!;
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : '<ref>')).join('')).widgets;
  }
  const widget = (title: string) => widgets().find((w) => w.properties.title === title)!.properties;
  const expressions = (title: string): string[] => widget(title).metrics.map((m: Json[]) => m[0]!.expression ?? '');

  it('shows the desktop startup checks', () => {
    expect(widget('Desktop startup checks (feed)').metrics).toEqual([
      [METRICS_NAMESPACE, METRIC.feedChecks, METRIC_DIMENSIONS.service, serviceNameOf('version-feed'), expect.anything()],
    ]);
  });

  it('shows the sessions entering each state, whichever function moves them', () => {
    const shown = expressions('Sessions entering each state');
    expect(shown).toHaveLength(SESSION_STATES.length);
    for (const state of SESSION_STATES) {
      expect(shown).toContainEqual(
        expect.stringContaining(`MetricName="${METRIC.sessionTransitions}" ${METRIC_DIMENSIONS.state}="${state}"`),
      );
    }
  });

  it('shows push outcomes and the dead-letter queue', () => {
    const push = widget('Push outcomes (devices)');
    const shown = expressions('Push outcomes (devices)').join('\n');
    for (const metric of [METRIC.pushSent, METRIC.pushFailed, METRIC.pushQueuedDevices]) expect(shown).toContain(`MetricName="${metric}"`);
    expect(JSON.stringify(push.metrics)).toContain('ApproximateNumberOfMessagesVisible');
  });

  it('shows the 5xx rate of every HTTP function, Lambda errors and throttles, and every alarm', () => {
    const rates = JSON.stringify(widget('5xx rate per function (%)').metrics);
    for (const name of HTTP_FUNCTIONS) expect(rates, name).toContain(`"${serviceNameOf(name)}"`);
    const lambda = JSON.stringify(widget('Lambda errors and throttles').metrics);
    expect(lambda).toContain('"Errors"');
    expect(lambda).toContain('"Throttles"');
    const alarms = widgets().find((w) => w.type === 'alarm')!;
    expect(alarms.properties.alarms).toHaveLength(ofType('AWS::CloudWatch::Alarm').length);
  });
});

/** A function's bundle, tree-shaken as deployed (the SDK left external): only code it can run. */
async function bundledCode(name: string): Promise<string> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', name, 'handler.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('item deletes', () => {
  it(
    'grants DeleteItem exactly to the functions whose code deletes items',
    async () => {
      // A DeleteItem call, or a Delete inside a TransactWriteItems.
      const deletes = /new (DeleteCommand|DeleteItemCommand)\(|\bDelete:\s*\{/;
      const deleting: string[] = [];
      for (const name of [...HTTP_FUNCTIONS, 'push']) {
        const codeDeletes = deletes.test(await bundledCode(name));
        if (codeDeletes) deleting.push(name);
        expect(actionsOf(roleStatements(name)).includes('dynamodb:DeleteItem'), name).toBe(codeDeletes);
      }
      expect(deleting, 'the check finds the deletes that exist (logout)').toContain('users');
    },
    SYNTH_TIMEOUT_MS,
  );

  it('gives confirm-code and support no DeleteItem', () => {
    for (const name of ['confirm-code', 'support']) expect(actionsOf(roleStatements(name))).not.toContain('dynamodb:DeleteItem');
  });
});

describe('push queue grant', () => {
  it('lets only the session function send to the push queue: SendMessage on that queue, its URL in PUSH_QUEUE_URL', () => {
    const [queueId] = ofType('AWS::SQS::Queue').find(([, q]) => q.Properties.RedrivePolicy)!;
    const send = roleStatements('session').filter((s) => asList(s.Action).includes('sqs:SendMessage'));
    expect(send).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
    expect(resources[functionId('session')]!.Properties.Environment.Variables[ENV.pushQueueUrl]).toEqual({ Ref: queueId });
    for (const name of [...HTTP_FUNCTIONS.filter((n) => n !== 'session'), 'push']) {
      expect(actionsOf(roleStatements(name)), name).not.toContain('sqs:SendMessage');
    }
  });
});

describe('sign-in for Alturas staff and agents', () => {
  const pool = () => {
    const pools = ofType('AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    return pools[0]!;
  };
  const clientNamed = (name: string) => {
    const found = ofType('AWS::Cognito::UserPoolClient').filter(([, c]) => c.Properties.ClientName === name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  };
  const routesOf = (kind: 'jwt' | 'iam' | 'none') => ROUTES.filter((r) => routeAuthorizer(r.auth) === kind).map(routeKey);
  const routeResource = (key: string) => ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === key)![1];

  it('lets only administrators create people, offers TOTP MFA and enforces the password policy', () => {
    const [, resource] = pool();
    const props = resource.Properties;
    expect(props.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(props.MfaConfiguration).toBe('OPTIONAL');
    expect(props.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(props.Policies.PasswordPolicy).toEqual({
      MinimumLength: STAFF_PASSWORD_POLICY.minLength,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: STAFF_PASSWORD_POLICY.tempPasswordValidityDays,
    });
    expect(props.UsernameConfiguration).toEqual({ CaseSensitive: false });
    expect(props.DeletionProtection).toBe('ACTIVE');
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('has the groups staff and agent in that pool', () => {
    const [poolId] = pool();
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual([STAFF_GROUPS.agent, STAFF_GROUPS.staff]);
    for (const g of groups) expect(g.UserPoolId).toEqual({ Ref: poolId });
  });

  it('gives the browser console the authorization-code flow only and the command line password sign-in only, neither with a secret', () => {
    const [, cli] = clientNamed('mophas-support-cli');
    expect(cli.Properties.GenerateSecret).toBe(false);
    expect(cli.Properties.ExplicitAuthFlows.sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
    expect(cli.Properties.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(cli.Properties.EnableTokenRevocation).toBe(true);
    expect(cli.Properties.PreventUserExistenceErrors).toBe('ENABLED');

    const [, browser] = clientNamed('mophas-support-console');
    expect(browser.Properties.GenerateSecret).toBe(false);
    expect(browser.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(browser.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(browser.Properties.AllowedOAuthScopes).toContain(STAFF_ROUTE_SCOPE);
    expect(browser.Properties.SupportedIdentityProviders).toContain('COGNITO');
    // The console comes back to /support/ on the stack's own distribution (or the local stack), nowhere else.
    const [distributionId] = ofType('AWS::CloudFront::Distribution')[0]!;
    expect(browser.Properties.CallbackURLs).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/support/']] },
      'http://localhost:3000/support/',
    ]);
  });

  it('puts the JWT authorizer of the staff pool on every route for people, accepting access tokens of its two clients only', () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer').filter(([, a]) => a.Properties.AuthorizerType === 'JWT');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    const [poolId] = pool();
    const issuer = JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer);
    expect(issuer).toContain('cognito-idp.');
    expect(issuer).toContain(JSON.stringify({ Ref: poolId }));
    expect(
      authorizer.Properties.JwtConfiguration.Audience.sort((x: Json, y: Json) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    ).toEqual([clientNamed('mophas-support-cli')[0], clientNamed('mophas-support-console')[0]].sort().map((id) => ({ Ref: id })));
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);

    const personRoutes = routesOf('jwt');
    expect(personRoutes.length).toBeGreaterThan(5);
    // Every human support route, rollouts and withdrawal included; only publishing (IAM) and the public sign-in settings are not.
    const supportRoutes = ROUTES.filter((r) => r.path.startsWith('/v1/support/') && r.auth !== 'pipeline' && r.auth !== 'public');
    expect(personRoutes.sort()).toEqual(supportRoutes.map(routeKey).sort());
    expect(personRoutes).toEqual(
      expect.arrayContaining([
        'GET /v1/support/releases/{version}/rollout',
        'POST /v1/support/releases/{version}/withdraw',
        // Publishing from the console: staff signed in, its own paths beside the pipeline's IAM ones.
        'POST /v1/support/console/releases',
        'POST /v1/support/console/releases/{version}/uploads',
      ]),
    );
    for (const key of personRoutes) {
      const route = routeResource(key);
      expect(route.Properties.AuthorizationType, key).toBe('JWT');
      expect(route.Properties.AuthorizerId, key).toEqual({ Ref: authorizerId });
      // ID tokens carry no scope: only access tokens pass.
      expect(route.Properties.AuthorizationScopes, key).toEqual([STAFF_ROUTE_SCOPE]);
    }
  });

  it('keeps the pipeline routes (release publishing) on IAM, and every other route without an API Gateway authorizer', () => {
    const pipeline = routesOf('iam');
    expect(pipeline.sort()).toEqual(['POST /v1/support/releases', 'POST /v1/support/releases/{version}/uploads']);
    for (const key of pipeline) expect(routeResource(key).Properties.AuthorizationType, key).toBe('AWS_IAM');
    for (const key of routesOf('none')) {
      expect(routeResource(key).Properties.AuthorizationType ?? 'NONE', key).toBe('NONE');
    }
  });

  it('tells exactly the functions behind people routes how staff sign in', () => {
    const withSignIn = ofType('AWS::Lambda::Function')
      .filter(([, f]) => f.Properties.Environment?.Variables?.[ENV.staffSignIn] !== undefined)
      .map(([, f]) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME as string)
      .sort();
    const expected = [...new Set(ROUTES.filter((r) => routeAuthorizer(r.auth) === 'jwt').map((r) => `mophas-update-cloud-${r.fn}`))].sort();
    expect(withSignIn).toEqual(expected);
  });

  it('lets only the support function look people up in the staff pool, and no function create, change or delete people', () => {
    const [poolId] = pool();
    const support = roleStatements('support').filter((s) => asList(s.Action).some((a) => a.startsWith('cognito-idp:')));
    expect(support).toHaveLength(1);
    expect(asList(support[0]!.Action).sort()).toEqual(['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser']);
    expect(support[0]!.Resource).toEqual({ 'Fn::GetAtt': [poolId, 'Arn'] });
    for (const name of HTTP_FUNCTIONS.filter((n) => n !== 'support')) {
      expect(
        actionsOf(roleStatements(name)).filter((a) => a.startsWith('cognito-idp:')),
        name,
      ).toEqual([]);
    }
  });

  it('outputs the pool and its two app clients', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Json);
    expect(outputs).toEqual(expect.arrayContaining(['StaffUserPoolId', 'StaffCliClientId', 'StaffConsoleClientId']));
  });
});
