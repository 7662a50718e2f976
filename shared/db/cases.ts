import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { badRequest } from '../errors';
import { queryPrefix } from './query';
import { customerKeys, gsi1Keys, TABLE_KEYS } from './keys';
import { stripKeys, type TransactItem } from './table';

/**
 * Support cases (SES-10 "Invio segnalazione all'assistenza"): the admin's
 * *Send report to support* files one with the failed session's details and log;
 * support closes it when it resolves the failed update.
 *
 * Stored at `CUST#<customerId>` / `CASE#<caseId>`. While open, the item also
 * carries `gsi1pk = OPEN_CASES`, `gsi1sk = <createdAt>#<customerId>` (a sparse
 * index entry): closing removes them, so support's open-case list is one Query.
 */

export type CaseStatus = 'open' | 'resolved';

/** What the admin's report to support files (SES-10). */
export interface NewSupportCase {
  customerId: string;
  /** The update session the case is about. */
  sessionId: string;
  targetVersion?: string;
  fromVersion?: string;
  /** The desktop's description of the abnormal termination. */
  failureMessage?: string;
  /** S3 key of the desktop's log (under `logs/`); never a presigned URL. */
  failureLogKey?: string;
  /** Username of the admin who sent the report. */
  reportedBy: string;
  /** Free text the admin added to the report. */
  message?: string;
}

/** A support case as stored (keys and index attributes stripped). */
export interface SupportCase extends NewSupportCase {
  /** Time-sortable id (ULID: 48-bit milliseconds + 80 random bits, Crockford base32). */
  caseId: string;
  status: CaseStatus;
  createdAt: string;
  resolvedAt?: string;
  /** Support principal id that resolved the case. */
  resolvedBy?: string;
  resolution?: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID: 10 characters of millisecond time then 16 random ones. Ids sort by
 * creation time as plain strings (so `CASE#` items of a customer sort newest
 * last), and 80 random bits make collisions within one millisecond negligible.
 */
export function newCaseId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[bytes[i]! % 32];
  return time + random;
}

/**
 * Builds a new open case and the TransactWrite item that stores it, so the
 * caller writes it atomically with the session transition that records the
 * report (e.g. `saveSession(current, {...current, supportCaseId: item.case.caseId}, audit, [item.put])`).
 * The put refuses to overwrite an existing case.
 */
export function createSupportCase(input: NewSupportCase, at: Date = new Date()): { case: SupportCase; put: TransactItem } {
  const createdAt = at.toISOString();
  const supportCase: SupportCase = {
    caseId: newCaseId(at.getTime()),
    customerId: input.customerId,
    sessionId: input.sessionId,
    targetVersion: input.targetVersion,
    fromVersion: input.fromVersion,
    failureMessage: input.failureMessage,
    failureLogKey: input.failureLogKey,
    reportedBy: input.reportedBy,
    message: input.message,
    status: 'open',
    createdAt,
  };
  return {
    case: supportCase,
    put: {
      Put: {
        TableName: tableName(),
        Item: {
          ...customerKeys.supportCase(input.customerId, supportCase.caseId),
          type: 'supportCase',
          ...supportCase,
          [TABLE_KEYS.gsi1.partitionKey]: gsi1Keys.openCases,
          [TABLE_KEYS.gsi1.sortKey]: `${createdAt}#${input.customerId}`,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/**
 * The TransactWrite item that closes an open case: it leaves the open-case
 * index and records who resolved it, when and how. Fails the transaction when
 * the case does not exist or is no longer open (closed concurrently).
 */
export function closeCaseItem(
  customerId: string,
  caseId: string,
  close: { resolvedAt: string; resolvedBy: string; resolution: string },
): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.supportCase(customerId, caseId),
      UpdateExpression: 'SET #status = :resolved, resolvedAt = :at, resolvedBy = :by, resolution = :resolution REMOVE #gpk, #gsk',
      ConditionExpression: 'attribute_exists(pk) AND #status = :open',
      ExpressionAttributeNames: { '#status': 'status', '#gpk': TABLE_KEYS.gsi1.partitionKey, '#gsk': TABLE_KEYS.gsi1.sortKey },
      ExpressionAttributeValues: {
        ':resolved': 'resolved',
        ':open': 'open',
        ':at': close.resolvedAt,
        ':by': close.resolvedBy,
        ':resolution': close.resolution,
      },
    },
  };
}

/** One page of a list: `cursor` is present while more items may follow. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** The most index queries one page may take when a filter discards items. */
const MAX_QUERIES_PER_PAGE = 10;

/**
 * One page of a sparse gsi1 partition, newest first (`ascending`: by sort key,
 * e.g. the customer list by id), keeping only items that pass `keep` (an agent's customers). Each query asks for just the items still
 * missing, so a page never overshoots and its cursor resumes exactly after the
 * last item read. With a filter a page may be short (even empty) while
 * `cursor` is set: callers continue until no cursor is returned.
 */
export async function queryGsi1Page(
  partition: string,
  options: { limit: number; cursor?: string; ascending?: boolean; keep?: (item: Record<string, unknown>) => boolean },
): Promise<Page<Record<string, unknown>>> {
  const items: Record<string, unknown>[] = [];
  let startKey = options.cursor ? decodeGsi1Cursor(options.cursor, partition) : undefined;
  for (let round = 0; round < MAX_QUERIES_PER_PAGE && items.length < options.limit; round++) {
    const page = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: '#gpk = :partition',
        ExpressionAttributeNames: { '#gpk': TABLE_KEYS.gsi1.partitionKey },
        ExpressionAttributeValues: { ':partition': partition },
        ScanIndexForward: options.ascending ?? false,
        Limit: options.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if (!options.keep || options.keep(item)) items.push(item);
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, cursor: startKey ? encodeCursor(startKey) : undefined };
}

const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * Decodes a gsi1 page cursor; a cursor that is malformed or belongs to another
 * list is refused with 400 naming the `cursor` field.
 */
export function decodeGsi1Cursor(cursor: string, partition: string): Record<string, string> {
  const invalid = () =>
    badRequest('INVALID_CURSOR', 'The page cursor is not valid for this list: start again from the first page.', {
      issues: [{ field: 'cursor', problem: 'not a cursor returned by this list' }],
    });
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const k = key as Record<string, unknown>;
  const names = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, TABLE_KEYS.gsi1.partitionKey, TABLE_KEYS.gsi1.sortKey] as const;
  if (Object.keys(k).length !== names.length) throw invalid();
  for (const name of names) {
    const value = k[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > 512) throw invalid();
  }
  if (k[TABLE_KEYS.gsi1.partitionKey] !== partition || !(k[TABLE_KEYS.partitionKey] as string).startsWith('CUST#')) throw invalid();
  return {
    [TABLE_KEYS.partitionKey]: k[TABLE_KEYS.partitionKey] as string,
    [TABLE_KEYS.sortKey]: k[TABLE_KEYS.sortKey] as string,
    [TABLE_KEYS.gsi1.partitionKey]: partition,
    [TABLE_KEYS.gsi1.sortKey]: k[TABLE_KEYS.gsi1.sortKey] as string,
  };
}

/** Strips table keys, index attributes and the item type. */
function toCase(item: Record<string, unknown>): SupportCase {
  return stripKeys<SupportCase>(item);
}

/**
 * Open cases across customers, newest first (Query gsi1 `OPEN_CASES`),
 * optionally only those of the customers `customerFilter` accepts (agents).
 */
export async function listOpenCases(
  limit: number,
  cursor?: string,
  customerFilter?: (customerId: string) => boolean,
): Promise<Page<SupportCase>> {
  const page = await queryGsi1Page(gsi1Keys.openCases, {
    limit,
    cursor,
    keep: customerFilter ? (item) => customerFilter(String(item.customerId)) : undefined,
  });
  return { items: page.items.map(toCase), cursor: page.cursor };
}

/** Every case of one customer, open and resolved, newest first. */
export async function listCustomerCases(customerId: string): Promise<SupportCase[]> {
  const items = await queryPrefix<Record<string, unknown>>(customerKeys.profile(customerId).pk, customerKeys.casePrefix, {
    newestFirst: true,
    consistent: true,
  });
  return items.map(toCase);
}
