import { describe, expect, it } from 'vitest';
import { authenticate, iamIdentity } from '../../../shared/auth/authenticate';
import { putPipelinePrincipal } from '../../../shared/db/credentials';
import type { HttpEvent } from '../../../shared/http/handler';

/** An API Gateway event as the IAM authorizer leaves it. */
const iamEvent = (userArn: string) => ({ headers: {}, requestContext: { authorizer: { iam: { userArn } } } }) as unknown as HttpEvent;

describe('pipeline identities fail closed', () => {
  it('refuses an IAM caller that is not a registered pipeline identity, even though IAM let it in', async () => {
    await expect(authenticate(iamEvent('arn:aws:iam::123456789012:role/SomeCiRole'), 'pipeline')).rejects.toMatchObject({
      statusCode: 403,
    });
  });

  it('refuses a pipeline route reached without an IAM identity', async () => {
    const event = { headers: { authorization: 'Bearer x' }, requestContext: {} } as unknown as HttpEvent;
    await expect(authenticate(event, 'pipeline')).rejects.toMatchObject({ statusCode: 401 });
  });

  it('keys assumed roles without the session name the caller chooses', async () => {
    expect(iamIdentity('arn:aws:sts::123456789012:assumed-role/ReleasePipeline/any-session')).toBe(
      'arn:aws:sts::123456789012:assumed-role/ReleasePipeline',
    );
    expect(iamIdentity('arn:aws:iam::123456789012:user/ci')).toBe('arn:aws:iam::123456789012:user/ci');
    const role = `arn:aws:sts::123456789012:assumed-role/Pipeline-${Date.now()}`;
    await putPipelinePrincipal(role, 'test pipeline');
    for (const session of ['build-1', 'a-different-one']) {
      expect(await authenticate(iamEvent(`${role}/${session}`), 'pipeline')).toEqual({ kind: 'pipeline', id: role });
    }
  });

  it('never takes a person route from an IAM identity', async () => {
    const arn = `arn:aws:iam::123456789012:user/ci-${Date.now()}`;
    await putPipelinePrincipal(arn, 'test pipeline');
    await expect(authenticate(iamEvent(arn), 'support')).rejects.toMatchObject({ statusCode: 401 });
  });
});
