import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { staffSignIn } from '../auth/sign-in';

/*
 * The staff user pool, read by the support function only (its own module so the
 * other bundles do not carry the Cognito client). The endpoint comes from the
 * SDK's AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, which the local stack points
 * at cognito-local.
 */
export const cognito = new CognitoIdentityProviderClient({});

/** A pool user as the support routes need it. */
export interface PoolUser {
  username: string;
  sub: string;
  enabled: boolean;
  groups: string[];
}

/** A user of the staff pool and its groups, or undefined when there is no such user. */
export async function getPoolUser(username: string): Promise<PoolUser | undefined> {
  const UserPoolId = staffSignIn().userPoolId;
  try {
    const [user, groups] = await Promise.all([
      cognito.send(new AdminGetUserCommand({ UserPoolId, Username: username })),
      cognito.send(new AdminListGroupsForUserCommand({ UserPoolId, Username: username, Limit: 60 })),
    ]);
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    if (!user.Username || !sub) return undefined;
    return {
      username: user.Username,
      sub,
      enabled: user.Enabled !== false,
      groups: (groups.Groups ?? []).map((g) => g.GroupName ?? '').filter(Boolean),
    };
  } catch (error) {
    if (error instanceof UserNotFoundException || (error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}
