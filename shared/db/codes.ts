import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { changeDeviceWith, DEVICE_EXISTS, type NoteText } from './devices';
import { customerKeys } from './keys';

/** Wrong answers after which a challenge or exchange is dead. */
export const MAX_CODE_ATTEMPTS = 5;

/** The open confirmation-code challenge of one customer for one release (CODE-1, CODE-4). */
export interface ChallengeItem {
  customerId: string;
  version: string;
  /** 12 data digits (check digits removed). */
  challenge: string;
  status: 'open' | 'used';
  attempts: number;
  createdAt: string;
  createdBy: string;
  /** Epoch ms. */
  expiresAt: number;
  usedAt?: string;
}

/** Per-customer state of one release. */
export interface ReleaseStateItem {
  customerId: string;
  version: string;
  confirmedAt?: string;
  confirmedBy?: string;
  desktopDownloadVerifiedAt?: string;
  /** When the feed first offered this release to the customer (counted once per rollout wave). */
  offeredAt?: string;
}

/**
 * The update recording a first-time event of a customer for a release (the
 * feed offered it, the installer was downloaded and verified): it fails with
 * ConditionalCheckFailedException when the event was already recorded, so the
 * first time is kept and whoever counts it counts it once.
 */
export function releaseStateFirst(customerId: string, version: string, field: 'offeredAt' | 'desktopDownloadVerifiedAt', at: string) {
  return {
    TableName: tableName(),
    Key: customerKeys.releaseState(customerId, version),
    UpdateExpression: 'SET #type = :type, customerId = :customer, version = :version, #field = :at',
    ConditionExpression: 'attribute_not_exists(#field)',
    ExpressionAttributeNames: { '#type': 'type', '#field': field },
    ExpressionAttributeValues: { ':type': 'releaseState', ':customer': customerId, ':version': version, ':at': at },
  };
}

/** The open manual lock/unlock exchange of one device (LOCK-1..3). */
export interface LockExchangeItem {
  customerId: string;
  serial: string;
  action: 'lock' | 'unlock';
  code1: string;
  code2: string;
  status: 'open' | 'used';
  attempts: number;
  createdAt: string;
  createdBy: string;
  expiresAt: number;
}

async function get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item as T | undefined;
}

export const getChallenge = (customerId: string, version: string) => get<ChallengeItem>(customerKeys.challenge(customerId, version));
export const getReleaseState = (customerId: string, version: string) =>
  get<ReleaseStateItem>(customerKeys.releaseState(customerId, version));
export const getLockExchange = (customerId: string, serial: string) => get<LockExchangeItem>(customerKeys.lockExchange(customerId, serial));

/**
 * Stores an open challenge or exchange with its audit entry, replacing (and so
 * voiding) the previous one; DynamoDB's TTL removes it a day after it expires.
 */
async function putOpen(
  key: { pk: string; sk: string },
  type: string,
  item: { expiresAt: number },
  audit: Record<string, unknown>,
): Promise<void> {
  await ddb.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName(), Item: { ...key, type, ...item, ttl: Math.ceil(item.expiresAt / 1000) + 86_400 } } },
        { Put: { TableName: tableName(), Item: audit } },
      ],
    }),
  );
}

/**
 * Takes one attempt on the customer's open, live challenge for a release and
 * returns it (attempts included) — one atomic write, no read first. Undefined
 * when there is none, or it is used, exhausted or expired (read it to say which).
 */
export async function reserveChallengeAttempt(customerId: string, version: string, now: number): Promise<ChallengeItem | undefined> {
  try {
    const result = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: customerKeys.challenge(customerId, version),
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: '#status = :open AND attempts < :max AND expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':one': 1, ':open': 'open', ':max': MAX_CODE_ATTEMPTS, ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as ChallengeItem;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** Stores a new challenge, replacing (and so voiding) any previous one for that customer/release. */
export const putChallenge = (item: ChallengeItem, audit: Record<string, unknown>) =>
  putOpen(customerKeys.challenge(item.customerId, item.version), 'challenge', item, audit);

/**
 * Takes one attempt on exactly this challenge or exchange, atomically and BEFORE
 * the answer is compared, so parallel guesses can never exceed the limit (a
 * re-opened window has a different challenge and is not touched). Returns the
 * attempts now used, or undefined when it changed, was used or is already dead.
 */
export async function reserveAttempt(
  key: { pk: string; sk: string },
  match: { attribute: 'challenge' | 'code1'; value: string },
): Promise<number | undefined> {
  try {
    const result = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: '#status = :open AND attempts < :max AND #match = :value',
        ExpressionAttributeNames: { '#status': 'status', '#match': match.attribute },
        ExpressionAttributeValues: { ':one': 1, ':open': 'open', ':max': MAX_CODE_ATTEMPTS, ':value': match.value },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return result.Attributes?.attempts as number;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/**
 * Transaction item marking an open challenge or exchange used: only if it is
 * still exactly the one verified (`match`), live, and within its attempts (the
 * successful attempt was reserved too, so up to MAX attempts may be used).
 */
function useOnceItem(key: { pk: string; sk: string }, match: { attribute: 'challenge' | 'code1'; value: string }, at: string) {
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #status = :used, usedAt = :at',
      ConditionExpression: '#status = :open AND attempts <= :max AND #match = :value AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status', '#match': match.attribute },
      ExpressionAttributeValues: {
        ':used': 'used',
        ':open': 'open',
        ':at': at,
        ':max': MAX_CODE_ATTEMPTS,
        ':value': match.value,
        ':now': Date.parse(at),
      },
    },
  };
}

/**
 * Marks the challenge used and the release confirmed for the customer, with the
 * audit entry, all or nothing. Fails (TransactionCanceledException) when the
 * challenge is no longer the open, live one that was verified.
 */
export async function confirmRelease(c: ChallengeItem, at: string, by: string, audit: Record<string, unknown>): Promise<void> {
  await ddb.send(
    new TransactWriteCommand({
      TransactItems: [
        useOnceItem(customerKeys.challenge(c.customerId, c.version), { attribute: 'challenge', value: c.challenge }, at),
        {
          Update: {
            TableName: tableName(),
            Key: customerKeys.releaseState(c.customerId, c.version),
            UpdateExpression:
              'SET #type = :type, customerId = :customer, version = :version, confirmedAt = if_not_exists(confirmedAt, :at), confirmedBy = if_not_exists(confirmedBy, :by)',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':type': 'releaseState', ':customer': c.customerId, ':version': c.version, ':at': at, ':by': by },
          },
        },
        { Put: { TableName: tableName(), Item: audit } },
      ],
    }),
  );
}

/** Stores a new lock/unlock exchange for a device, voiding any previous one. */
export const putLockExchange = (item: LockExchangeItem, audit: Record<string, unknown>) =>
  putOpen(customerKeys.lockExchange(item.customerId, item.serial), 'lockExchange', item, audit);

/**
 * Completes a verified exchange: the exchange is used once, the device row shows
 * Blocked (or not) with a note, and the audit entry lands — all or nothing.
 * False when the exchange was no longer the open one (or the row is gone).
 */
export async function completeLockExchange(
  x: LockExchangeItem,
  at: string,
  note: NoteText,
  audit: Record<string, unknown>,
  notesBefore: number,
): Promise<boolean> {
  const blocked = x.action === 'lock';
  const outcome = await changeDeviceWith(
    x.customerId,
    x.serial,
    { set: { blocked, blockedManually: blocked }, note, at },
    {
      condition: DEVICE_EXISTS,
      others: [
        useOnceItem(customerKeys.lockExchange(x.customerId, x.serial), { attribute: 'code1', value: x.code1 }, at),
        { Put: { TableName: tableName(), Item: audit } },
      ],
      notesBefore,
    },
  );
  return outcome.ok;
}
