import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { authenticate, supportIdentity } from '../../../shared/auth/authenticate';
import { ddb } from '../../../shared/aws/clients';
import { tableName } from '../../../shared/config';
import { credentialKeys } from '../../../shared/db/keys';
import type { HttpEvent } from '../../../shared/http/handler';

/** An API Gateway event as the IAM authorizer leaves it. */
const iamEvent = (userArn: string) => ({ headers: {}, requestContext: { authorizer: { iam: { userArn } } } }) as unknown as HttpEvent;

describe('support identities fail closed', () => {
  it('refuses an IAM caller that is neither registered staff nor agent, even though IAM let it in', async () => {
    await expect(authenticate(iamEvent('arn:aws:iam::123456789012:role/SomeCiRole'))).rejects.toMatchObject({ statusCode: 403 });
  });

  it('keys assumed roles without the session name the caller chooses', async () => {
    expect(supportIdentity('arn:aws:sts::123456789012:assumed-role/AgentRossi/any-session')).toBe(
      'arn:aws:sts::123456789012:assumed-role/AgentRossi',
    );
    expect(supportIdentity('arn:aws:iam::123456789012:user/alice')).toBe('arn:aws:iam::123456789012:user/alice');
    const role = `arn:aws:sts::123456789012:assumed-role/Agent-${Date.now()}`;
    await ddb.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...credentialKeys.supportPrincipal(role), type: 'supportPrincipal', customers: ['c-1'] },
      }),
    );
    for (const session of ['first', 'a-different-one']) {
      expect(await authenticate(iamEvent(`${role}/${session}`))).toEqual({ kind: 'support', id: role, customers: ['c-1'] });
    }
  });

  it('gives registered staff every customer', async () => {
    const arn = `arn:aws:iam::123456789012:user/staff-${Date.now()}`;
    await ddb.send(
      new PutCommand({ TableName: tableName(), Item: { ...credentialKeys.supportPrincipal(arn), type: 'supportPrincipal', staff: true } }),
    );
    expect(await authenticate(iamEvent(arn))).toEqual({ kind: 'support', id: arn, customers: '*' });
  });
});
