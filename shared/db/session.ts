import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import type { ErrorCode } from '../api/error-catalogue';
import { conflict } from '../errors';
import { countSessionTransition } from '../observability';
import { allowedActions, initialSession, type Session, type SessionAction, type SessionContext } from '../session/state-machine';
import { auditPutItem, type AuditEntry } from './audit';
import { customerKeys, gsi1Keys } from './keys';
import { stripKeys, type TransactItem } from './table';

/** The customer's session (strongly consistent), or a never-opened one. */
export async function getSession(customerId: string): Promise<Session> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: customerKeys.session(customerId), ConsistentRead: true }));
  if (!Item) return initialSession(customerId, new Date(0).toISOString());
  return stripKeys<Session>(Item);
}

/** The 409 every refused or lost transition returns: current state and what is allowed in it. */
export function sessionConflict(
  session: Session,
  message: string,
  code: ErrorCode = 'SESSION_CONFLICT',
  messageIt?: string,
  context?: SessionContext,
) {
  return conflict(
    code,
    message,
    {
      session: { sessionId: session.sessionId, state: session.state, version: session.version },
      allowedActions: allowedActions(session.state, context),
    },
    messageIt,
  );
}

/**
 * Writes the next session as one transaction with its audit entry and any other
 * items, only if nobody changed the session since `current` was read
 * (`version` unchanged). Concurrent or repeated requests apply once; the others
 * get a 409 with the session as it now is (SES-11).
 */
export async function saveSession(
  current: Session,
  next: Session,
  audit: { action: SessionAction | string; actor: AuditEntry['actor']; details?: Record<string, unknown> },
  extraItems: TransactItem[] = [],
): Promise<Session> {
  const saved: Session = { ...next, version: current.version + 1, updatedAt: new Date().toISOString() };
  const failed = saved.state === 'failed' || saved.state === 'reactivated';
  const item = {
    ...customerKeys.session(current.customerId),
    type: 'session',
    ...saved,
    // Support's "failed updates" list: a sparse index entry only while the session is failed.
    ...(failed ? { gsi1pk: gsi1Keys.failedSessions, gsi1sk: `${saved.updatedAt}#${saved.customerId}` } : {}),
  };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName(),
        Item: item,
        ConditionExpression: current.version === 0 ? 'attribute_not_exists(pk) OR version = :zero' : 'version = :expected',
        ExpressionAttributeValues: current.version === 0 ? { ':zero': 0 } : { ':expected': current.version },
      },
    },
    auditPutItem({
      customerId: current.customerId,
      action: `session.${audit.action}`,
      actor: audit.actor,
      outcome: 'ok',
      fromState: current.state,
      toState: saved.state,
      details: { sessionId: saved.sessionId, version: saved.version, ...audit.details },
      at: saved.updatedAt,
    }),
    ...extraItems,
  ];
  try {
    await sendRetryingConflicts(items);
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      const now = await getSession(current.customerId);
      throw sessionConflict(now, 'The update session changed meanwhile (another admin or a repeated request): here is its current state.');
    }
    // Another item's condition failed: the caller's extra items explain it.
    throw Object.assign(error as Error, { sessionItemOk: true });
  }
  // Every transition passes here (admin window and support), so this is where it is counted.
  if (saved.state !== current.state) countSessionTransition(saved.state);
  return saved;
}

/**
 * Sends the transaction, again (up to 3 times) when DynamoDB cancelled it only
 * because another transaction held one of its items at that instant — e.g. two
 * customers of one rollout wave counted at once (shared/db/rollout.ts). A
 * cancelled transaction applied nothing, so sending it again cannot apply twice.
 */
async function sendRetryingConflicts(items: TransactItem[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const onlyConflicts =
        (error as Error).name === 'TransactionCanceledException' &&
        reasons.some((r) => r.Code === 'TransactionConflict') &&
        reasons.every((r) => r.Code === 'None' || r.Code === 'TransactionConflict' || r.Code === undefined);
      if (!onlyConflicts || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 15 * attempt + Math.random() * 25));
    }
  }
}

/** A copy of a finished session, kept for support (`SESSION#<id>`). */
export function archiveItem(session: Session): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...customerKeys.pastSession(session.customerId, session.sessionId), type: 'pastSession', ...session },
    },
  };
}
