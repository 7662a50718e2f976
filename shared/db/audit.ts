import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import type { Principal } from '../auth/principals';
import { badRequest } from '../errors';
import { auditKeys, gsi1Keys } from './keys';
import { stripKeys } from './table';

/**
 * Audit partition for catalog actions (publications, rollouts, withdrawals).
 * Not a customer id (those never contain `@`), so it cannot collide with one;
 * the entries also appear in the cross-customer audit view of their day.
 */
export const CATALOG_AUDIT_SCOPE = '@catalog';

/** Who acted: a principal, or `system` for what the service decides on its own (a rollout's automatic halt or wave). */
export type AuditActor = { kind: Principal['kind'] | 'system'; id: string };

/** The actor of the service's own decisions. */
export const SYSTEM_ACTOR: AuditActor = { kind: 'system', id: 'rollout' };

/** One audit record: who did what, when, on which customer, from which state. */
export interface AuditEntry {
  customerId: string;
  at: string;
  eventId: string;
  /** Stable action name, e.g. `code.challenge.created`, `session.start`. */
  action: string;
  actor: AuditActor;
  /** Outcome of the action. */
  outcome: 'ok' | 'refused' | 'failed';
  /** Session state before the action, where there is one. */
  fromState?: string;
  toState?: string;
  /** Safe-to-show details (never codes, secrets or tokens). */
  details?: Record<string, unknown>;
}

/** A readable id for the principal behind an action. */
export function actorOf(p: Principal): AuditEntry['actor'] {
  switch (p.kind) {
    case 'user':
      return { kind: 'user', id: p.username };
    case 'device':
      return { kind: 'device', id: p.serial };
    case 'support':
      return { kind: 'support', id: p.id };
    case 'pipeline':
      return { kind: 'pipeline', id: p.id };
    case 'desktop':
      return { kind: 'desktop', id: p.credentialId };
    default:
      return { kind: 'public', id: 'anonymous' };
  }
}

/** Builds the item for an audit entry (to put alone or inside a transaction). */
export function auditItem(entry: Omit<AuditEntry, 'at' | 'eventId'> & { at?: string }) {
  const at = entry.at ?? new Date().toISOString();
  const eventId = randomUUID();
  return {
    ...auditKeys.entry(entry.customerId, at, eventId),
    gsi1pk: gsi1Keys.auditDay(at.slice(0, 10)),
    gsi1sk: `${at}#${eventId}`,
    type: 'audit',
    ...entry,
    at,
    eventId,
  };
}

/** Transaction item putting an audit entry (with the change it records). */
export const auditPutItem = (entry: Omit<AuditEntry, 'at' | 'eventId'> & { at?: string }) => ({
  Put: { TableName: tableName(), Item: auditItem(entry) },
});

/** Writes one audit entry on its own. */
export async function writeAudit(entry: Omit<AuditEntry, 'at' | 'eventId'>): Promise<void> {
  await ddb.send(new PutCommand({ TableName: tableName(), Item: auditItem(entry) }));
}

/** A customer's audit trail, newest first, paginated by an opaque cursor. */
export async function listAudit(
  customerId: string,
  options: { limit?: number; cursor?: string; action?: string } = {},
): Promise<{ entries: AuditEntry[]; cursor?: string }> {
  const page = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditKeys.partition(customerId), ...(options.action ? { ':prefix': options.action } : {}) },
      FilterExpression: options.action ? 'begins_with(#action, :prefix)' : undefined,
      ExpressionAttributeNames: options.action ? { '#action': 'action' } : undefined,
      ScanIndexForward: false,
      Limit: options.limit ?? 100,
      ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, auditKeys.partition(customerId)) : undefined,
    }),
  );
  const entries = (page.Items ?? []).map((item) => stripKeys<AuditEntry>(item));
  const cursor = page.LastEvaluatedKey ? Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') : undefined;
  return { entries, cursor };
}

/** Decodes a page cursor; refuses one that is malformed or points into another partition. */
function decodeCursor(cursor: string, partition: string): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('INVALID_CURSOR', 'The page cursor is not valid: start again from the first page.');
  }
  const k = key as Record<string, unknown> | null;
  if (!k || typeof k !== 'object' || k.pk !== partition || typeof k.sk !== 'string') {
    throw badRequest('INVALID_CURSOR', 'The page cursor is not valid: start again from the first page.');
  }
  return { pk: k.pk, sk: k.sk };
}
