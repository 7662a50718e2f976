/**
 * The few helpers every adapter of the one table shares, each defined once: the
 * transaction item type, TransactWriteItems with conflict retries, BatchGetItem
 * with its unprocessed-key retries, and stripping the table's own attributes from
 * an item.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, TransactWriteCommand, type BatchGetCommandOutput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { AppError } from '../errors';
import { TABLE_KEYS, type ItemKey } from './keys';

/** One item of a TransactWriteItems request (Put, Update, Delete or ConditionCheck). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Outcome of a transaction: written, or cancelled with one reason code per item (`None`, `ConditionalCheckFailed`, …). */
export type TransactOutcome = { ok: true } | { ok: false; reasons: string[] };

/** Attempts of a transaction DynamoDB keeps cancelling only for conflicts with concurrent ones. */
const MAX_CONFLICT_ATTEMPTS = 8;

/** DynamoDB kept cancelling a transaction for conflicts with concurrent ones: the caller retries later. */
export const busy = () =>
  new AppError(
    503,
    'TRY_AGAIN',
    'The service is busy: please retry in a few seconds.',
    undefined,
    'Il servizio è momentaneamente occupato: riprovare tra qualche secondo.',
  );

/**
 * TransactWriteItems that retries when DynamoDB cancels it only for conflicts with
 * concurrent transactions on the same items (e.g. 200 devices whose transactions all
 * condition-check the one session item, or add to the one customer summary), with
 * full-jitter exponential backoff, at most MAX_CONFLICT_ATTEMPTS times (then 503
 * TRY_AGAIN). A failed condition is returned to the caller, which knows what it means.
 *
 * Each attempt carries its own ClientRequestToken, serialised once per send: when
 * the SDK retries a send (500, throttling, a dropped connection) whose first try
 * may have committed, DynamoDB recognises the token and applies it once, so a
 * non-idempotent item in the transaction (an `ADD`) never counts twice. A
 * cancelled attempt wrote nothing, so the next one gets a new token.
 */
export async function transact(items: TransactItem[]): Promise<TransactOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }));
      return { ok: true };
    } catch (error) {
      const name = (error as Error).name;
      const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      const conflictOnly =
        name === 'TransactionConflictException' ||
        (name === 'TransactionCanceledException' && reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed'));
      if (conflictOnly) {
        if (attempt >= MAX_CONFLICT_ATTEMPTS) throw busy();
        await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
        continue;
      }
      if (name === 'TransactionCanceledException') return { ok: false, reasons };
      throw error;
    }
  }
}

/** True when the transaction was cancelled because the condition of item `index` failed. */
export const failedAt = (outcome: TransactOutcome, index: number) => !outcome.ok && outcome.reasons[index] === 'ConditionalCheckFailed';

/**
 * For writes whose only expected refusal is item `index`'s condition: `true` when
 * applied, `false` when that condition did not hold; any other refusal is thrown.
 */
export function appliedUnlessConditionFailed(outcome: TransactOutcome, index = 0): boolean {
  if (outcome.ok) return true;
  if (failedAt(outcome, index)) return false;
  throw new Error(`transaction cancelled: ${outcome.reasons.join(', ')}`);
}

/** Rounds of BatchGetItem for keys DynamoDB left unprocessed (throttling) before giving up. */
const MAX_BATCH_ROUNDS = 6;
/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_KEYS = 100;

export interface BatchGetOptions {
  /** Strongly consistent reads. @default false */
  consistent?: boolean;
  /** ProjectionExpression and the names it uses; include `pk` and `sk` to match items to keys. */
  projection?: { expression: string; names?: Record<string, string> };
}

/**
 * Reads `keys` with BatchGetItem, 100 keys a call, retrying unprocessed keys with
 * exponential backoff; throws when some stay unprocessed. Returns the items found
 * (in no particular order; missing keys are simply absent).
 */
export async function batchGetAll(keys: readonly ItemKey[], options: BatchGetOptions = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + BATCH_GET_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_BATCH_ROUNDS) throw new Error('BatchGetItem left keys unprocessed after retries');
      if (round > 0) await sleep(Math.min(1000, 10 * 2 ** round));
      const out: BatchGetCommandOutput = await ddb.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: {
              Keys: pending,
              ConsistentRead: options.consistent,
              ProjectionExpression: options.projection?.expression,
              ExpressionAttributeNames: options.projection?.names,
            },
          },
        }),
      );
      items.push(...(out.Responses?.[tableName()] ?? []));
      pending = out.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    }
  }
  return items;
}

/** The item of `items` stored under `key`, if any. */
export const findItem = (items: readonly Record<string, unknown>[], key: ItemKey) => items.find((i) => i.pk === key.pk && i.sk === key.sk);

const TABLE_ATTRIBUTES = new Set<string>([
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  TABLE_KEYS.gsi1.partitionKey,
  TABLE_KEYS.gsi1.sortKey,
  'type',
]);

/** An item without the table's own attributes (keys, index keys, `type`): the entity as its module declares it. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const entity: Record<string, unknown> = {};
  for (const name of Object.keys(item)) if (!TABLE_ATTRIBUTES.has(name)) entity[name] = item[name];
  return entity as T;
}
