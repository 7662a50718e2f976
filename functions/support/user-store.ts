import type { Role } from '../../shared/auth/principals';
import { tableName } from '../../shared/config';
import type { auditItem } from '../../shared/db/audit';
import { customerKeys } from '../../shared/db/keys';
import { appliedUnlessConditionFailed, transact } from '../../shared/db/table';
import type { UserItem } from '../../shared/db/users';

/**
 * Support's writes to desktop users, each in one transaction with its audit
 * entry so a change is never made without its record (and vice versa).
 */

type AuditItem = ReturnType<typeof auditItem>;

/** Creates the user with its audit entry; `false` when the username already exists. */
export async function putNewUser(user: UserItem & { createdBy: string }, audit: AuditItem): Promise<boolean> {
  return appliedUnlessConditionFailed(
    await transact([
      {
        Put: {
          TableName: tableName(),
          Item: { ...customerKeys.user(user.customerId, user.username), type: 'user', ...user },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: tableName(), Item: audit } },
    ]),
  );
}

export interface UserChanges {
  role?: Role;
  /** A new scrypt hash: the user must change the password at the next login. */
  passwordHash?: string;
}

/** Applies a role change and/or password reset with its audit entry; `false` when the user does not exist. */
export async function updateUserItem(
  customerId: string,
  username: string,
  changes: UserChanges,
  by: { id: string; at: string },
  audit: AuditItem,
): Promise<boolean> {
  const sets = ['updatedAt = :at', 'updatedBy = :by'];
  const values: Record<string, unknown> = { ':at': by.at, ':by': by.id, ':one': 1 };
  if (changes.role) {
    sets.push('#role = :role');
    values[':role'] = changes.role;
  }
  if (changes.passwordHash) {
    sets.push('passwordHash = :hash', 'mustChangePassword = :true', 'passwordResetAt = :at');
    values[':hash'] = changes.passwordHash;
    values[':true'] = true;
  }
  return appliedUnlessConditionFailed(
    await transact([
      {
        Update: {
          TableName: tableName(),
          Key: customerKeys.user(customerId, username),
          // Every session issued before this change ends (authenticate compares the generation).
          UpdateExpression: `SET ${sets.join(', ')} ADD tokenGeneration :one`,
          ConditionExpression: 'attribute_exists(pk)',
          ...(changes.role ? { ExpressionAttributeNames: { '#role': 'role' } } : {}),
          ExpressionAttributeValues: values,
        },
      },
      { Put: { TableName: tableName(), Item: audit } },
    ]),
  );
}
