import {
  CreateTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { UPLOAD_CORS } from '../shared/domain/upload-limits';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type ExplicitAuthFlowsType,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreatePlatformApplicationCommand, CreateTopicCommand } from '@aws-sdk/client-sns';
import { dynamo } from '../shared/aws/dynamodb';
import { s3 } from '../shared/aws/s3';
import { sns } from '../shared/aws/sns';
import { TABLE_KEYS } from '../shared/db/keys';
import {
  CONSOLE_SCOPES,
  LOCAL_CONSOLE_URL,
  STAFF_GROUPS,
  STAFF_PASSWORD_POLICY,
  STAFF_TOKEN_VALIDITY,
  type StaffGroup,
  type StaffSignInConfig,
} from '../shared/auth/sign-in';

/** Waits until DynamoDB Local answers ListTables. */
export async function waitForDynamo(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await dynamo.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** Creates the single table (same keys, index and TTL as infra/) when it is missing. */
export async function ensureTable(tableName: string): Promise<'created' | 'exists'> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { partitionKey, sortKey, gsi1, ttlAttribute } = TABLE_KEYS;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.indexName,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
  );
  return 'created';
}

/**
 * Local pages that may PUT release packages with presigned URLs: the gateway
 * on any local port (tests start gateways on free ports).
 */
export const LOCAL_UPLOAD_ORIGINS = ['http://127.0.0.1:*', 'http://localhost:*'];

/** Creates the packages bucket when it is missing, and sets its CORS rule for the console's uploads (as the stack does). */
export async function ensureBucket(bucket: string): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists';
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    outcome = 'exists';
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    outcome = 'created';
  }
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            ID: 'console-release-uploads',
            AllowedMethods: [...UPLOAD_CORS.allowedMethods],
            AllowedOrigins: LOCAL_UPLOAD_ORIGINS,
            ExposeHeaders: [...UPLOAD_CORS.exposedHeaders],
            MaxAgeSeconds: UPLOAD_CORS.maxAgeSeconds,
          },
        ],
      },
    }),
  );
  return outcome;
}

/** Creates the FCM platform application and the support topic (both idempotent in SNS). */
export async function ensureSns(names: { platformApplication: string; supportTopic: string }) {
  const app = await sns.send(
    new CreatePlatformApplicationCommand({ Name: names.platformApplication, Platform: 'GCM', Attributes: { PlatformCredential: 'local' } }),
  );
  const topic = await sns.send(new CreateTopicCommand({ Name: names.supportTopic }));
  return { platformApplicationArn: app.PlatformApplicationArn!, supportTopicArn: topic.TopicArn! };
}

/** Registers an IAM identity for the pipeline routes (release publishing fails closed otherwise). */
export async function ensurePipelinePrincipal(identity: string): Promise<void> {
  const { putPipelinePrincipal } = await import('../shared/db/credentials');
  await putPipelinePrincipal(identity, 'local build pipeline (stands in for an IAM user)');
}

/** Names of the local staff pool and its app clients (found again by name after a restart). */
export const LOCAL_POOL = { name: 'mophas-staff', cliClient: 'mophas-support-cli', consoleClient: 'mophas-support-console' };

/**
 * Creates (or finds, after a restart) the staff user pool in cognito-local with
 * the deployed pool's settings (shared/auth/sign-in.ts): admin-created users
 * only, optional TOTP MFA, the password policy, the two app clients and the
 * groups — all through the Cognito API, as an admin would. Returns how to sign in.
 */
export async function ensureStaffPool(
  cognitoUrl: string,
  region: string,
  options: { consoleCallbackUrls?: string[] } = {},
): Promise<StaffSignInConfig> {
  const { cognito } = await import('../shared/aws/cognito');
  const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === LOCAL_POOL.name)?.Id;
  if (!userPoolId) {
    const p = STAFF_PASSWORD_POLICY;
    const created = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: LOCAL_POOL.name,
        MfaConfiguration: 'OPTIONAL',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameConfiguration: { CaseSensitive: false },
        Policies: {
          PasswordPolicy: {
            MinimumLength: p.minLength,
            RequireLowercase: p.requireLowercase,
            RequireUppercase: p.requireUppercase,
            RequireNumbers: p.requireDigits,
            RequireSymbols: p.requireSymbols,
            TemporaryPasswordValidityDays: p.tempPasswordValidityDays,
          },
        },
      }),
    );
    userPoolId = created.UserPool!.Id!;
  }
  const existing = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  const clientId = async (name: string, flows: ExplicitAuthFlowsType[]) => {
    const found = existing.UserPoolClients?.find((c) => c.ClientName === name)?.ClientId;
    if (found) return found;
    const v = STAFF_TOKEN_VALIDITY;
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: name,
        GenerateSecret: false,
        ExplicitAuthFlows: flows,
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AccessTokenValidity: v.accessMinutes,
        IdTokenValidity: v.idMinutes,
        RefreshTokenValidity: v.refreshHours,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'hours' },
      }),
    );
    return created.UserPoolClient!.ClientId!;
  };
  const clients = {
    cli: await clientId(LOCAL_POOL.cliClient, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    console: await clientId(LOCAL_POOL.consoleClient, ['ALLOW_REFRESH_TOKEN_AUTH']),
  };
  // The browser console's hosted sign-in (cognito-local's /oauth2 pages), as the deployed console client has it;
  // set at every start, so the callback follows the gateway's port.
  const v = STAFF_TOKEN_VALIDITY;
  await cognito.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientId: clients.console,
      ClientName: LOCAL_POOL.consoleClient,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: v.accessMinutes,
      IdTokenValidity: v.idMinutes,
      RefreshTokenValidity: v.refreshHours,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'hours' },
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: [...CONSOLE_SCOPES],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: options.consoleCallbackUrls ?? [LOCAL_CONSOLE_URL],
      LogoutURLs: options.consoleCallbackUrls ?? [LOCAL_CONSOLE_URL],
    }),
  );
  for (const [group, description] of [
    [STAFF_GROUPS.staff, 'Alturas support staff: every customer'],
    [STAFF_GROUPS.agent, 'Agents: only the customers staff assign to them'],
  ] as const) {
    try {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group, Description: description }));
    } catch (error) {
      if ((error as Error).name !== 'GroupExistsException') throw error;
    }
  }
  return { region, userPoolId, issuer: `${cognitoUrl}/${userPoolId}`, clients, endpoint: cognitoUrl, hostedSignIn: cognitoUrl };
}

/**
 * A person in the staff pool with a permanent password, in `group` (or in none): created when
 * missing (no invitation e-mail), the password reset to `password` otherwise.
 * This is how the first staff user is bootstrapped (docs/operations.md does the
 * same with the AWS CLI); every later person is added by staff the same way.
 */
export async function ensurePoolUser(
  userPoolId: string,
  person: { username: string; password: string; group?: StaffGroup; email?: string },
) {
  const { cognito } = await import('../shared/aws/cognito');
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: person.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: person.email ?? `${person.username}@alturas.example` },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'UsernameExistsException') throw error;
  }
  await cognito.send(
    new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: person.username, Password: person.password, Permanent: true }),
  );
  if (person.group) {
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: person.username, GroupName: person.group }));
  }
}
