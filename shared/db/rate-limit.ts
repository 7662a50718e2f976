import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { rateKeys } from './keys';

/** A fixed-window limit: at most `limit` events per `windowSeconds` for one scope. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

const windowOf = (rule: RateLimit, now: number) => String(Math.floor(now / 1000 / rule.windowSeconds));

/** Seconds until the current window ends (for Retry-After). */
export const retryAfterSeconds = (rule: RateLimit, now = Date.now()) => rule.windowSeconds - (Math.floor(now / 1000) % rule.windowSeconds);

/** True when the scope has already used up its events in the current window. */
export async function isRateLimited(scope: string, rule: RateLimit, now = Date.now()): Promise<boolean> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: rateKeys.counter(scope, windowOf(rule, now)) }));
  return (Item?.count ?? 0) >= rule.limit;
}

/**
 * Counts one event; returns false (and counts nothing) when the window is full.
 * Atomic: concurrent callers can never exceed the limit together.
 */
export async function consumeRate(scope: string, rule: RateLimit, now = Date.now()): Promise<boolean> {
  const window = windowOf(rule, now);
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: rateKeys.counter(scope, window),
        UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': rule.limit,
          ':ttl': (Number(window) + 2) * rule.windowSeconds,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** A slot taken with {@link reserveRate}: give it back when the attempt turned out not to count. */
export interface RateSlot {
  /** Returns the slot to its window (a success: only failures keep their slot). */
  release(): Promise<void>;
}

/**
 * Takes one slot before an attempt whose outcome is not known yet (a password to
 * verify): atomic, so parallel attempts can never exceed the limit together.
 * The caller releases the slot when the attempt succeeds, so the counter holds
 * failures plus attempts in flight — successes never lock anyone out.
 * Undefined when the window is full.
 */
export async function reserveRate(scope: string, rule: RateLimit, now = Date.now()): Promise<RateSlot | undefined> {
  if (!(await consumeRate(scope, rule, now))) return undefined;
  // Released into the window it was taken from, even if the attempt ends after the window turned.
  const Key = rateKeys.counter(scope, windowOf(rule, now));
  return {
    release: async () => {
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName(),
            Key,
            UpdateExpression: 'ADD #count :minusOne',
            ConditionExpression: '#count > :zero',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
