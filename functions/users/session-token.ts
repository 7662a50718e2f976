import { randomBytes } from 'node:crypto';
import { userToken } from '../../shared/auth/authenticate';
import type { Workstation } from '../../shared/auth/principals';
import { putUserToken } from '../../shared/db/credentials';
import type { UserItem } from '../../shared/db/users';
import { sha256Hex } from '../../shared/domain/secrets';

/** What a new user session answers: the login and the window's ticket exchange alike. */
export interface UserSessionAnswer {
  token: string;
  expiresAt: string;
  username: string;
  role: UserItem['role'];
  workstation: Workstation;
  mustChangePassword: boolean;
}

/**
 * Issues a user session token bound to one user and workstation, stored hashed
 * with the user's current token generation (a password, role or reset change
 * ends it). The one way sessions are made: login and the window's ticket exchange.
 */
export async function startUserSession(user: UserItem, workstation: Workstation, expiresAt: number): Promise<UserSessionAnswer> {
  const tokenId = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  await putUserToken(tokenId, {
    customerId: user.customerId,
    username: user.username,
    role: user.role,
    workstation,
    mustChangePassword: user.mustChangePassword,
    secretHash: sha256Hex(secret),
    expiresAt,
    generation: user.tokenGeneration ?? 0,
  });
  return {
    token: userToken(tokenId, secret, user.customerId, user.username),
    expiresAt: new Date(expiresAt).toISOString(),
    username: user.username,
    role: user.role,
    workstation,
    mustChangePassword: user.mustChangePassword,
  };
}
