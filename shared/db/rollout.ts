import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import {
  COUNTER_FIELDS,
  emptyCounters,
  settle,
  unrestricted,
  type CounterField,
  type Rollout,
  type RolloutStep,
  type WaveCounters,
} from '../rollout/rollout';
import { auditPutItem, CATALOG_AUDIT_SCOPE, SYSTEM_ACTOR, type AuditActor } from './audit';
import { catalogKeys, rolloutKeys } from './keys';
import { queryPrefix } from './query';

/**
 * The one owner of the stored rollout shapes: the rollout item in the catalog
 * (`CATALOG`/`ROLLOUT#<version>`) and the per-wave counters
 * (`ROLLOUT#<version>`/`WAVE#<nn>`). docs/rollout.md and docs/data-model.md
 * describe both.
 */

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A rollout item as read from the table (the catalog query hands these over too). */
export function toRollout(item: Record<string, unknown>): Rollout {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as unknown as Rollout;
}

/** A release's stored rollout (strongly consistent), or undefined when none was ever written. */
export async function getRollout(version: string): Promise<Rollout | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: catalogKeys.rollout(version), ConsistentRead: true }));
  return Item ? toRollout(Item) : undefined;
}

/** The rollout was written by someone else since it was read (the conditional write lost). */
export class RolloutChanged extends Error {
  constructor(readonly current: Rollout | undefined) {
    super('The rollout changed since it was read');
    this.name = 'RolloutChanged';
  }
}

/** A change to a settled rollout, with the audit line that explains it. */
export interface RolloutChange {
  rollout: Rollout;
  audit: { action: string; details?: Record<string, unknown> };
}

/**
 * Reads a release's rollout, settles it at `now` (the time-based steps due),
 * applies `change`, and writes the result in one transaction that
 *  1. puts the rollout only if its `revision` is still the one read,
 *  2. bumps the catalog version by the steps recorded plus one, so the feed's
 *     cache reloads and the catalog version it signs keeps moving forward
 *     (shared/rollout/rollout.ts, `pendingSteps`), and
 *  3. audits every step (actor `system`) and the change.
 * `change` returning undefined writes nothing. With `expectedRevision` (a
 * person acting on what they saw) a different revision is a conflict at once;
 * without it (the service's own decisions) a lost race is re-read and retried.
 * @throws RolloutChanged when the rollout moved and the caller cannot retry.
 */
export async function updateRollout(
  version: string,
  options: { actor: AuditActor; expectedRevision?: number; now?: () => Date; attempts?: number },
  change: (settled: Rollout, stored: Rollout | undefined) => RolloutChange | undefined,
): Promise<{ rollout: Rollout; written: boolean; steps: RolloutStep[] }> {
  const attempts = options.attempts ?? (options.expectedRevision === undefined ? 5 : 1);
  for (let attempt = 1; ; attempt++) {
    const stored = await getRollout(version);
    if (options.expectedRevision !== undefined && (stored?.revision ?? 0) !== options.expectedRevision) throw new RolloutChanged(stored);
    const now = options.now?.() ?? new Date();
    const settled = stored ? settle(stored, now) : { rollout: unrestricted(version, now), steps: [] };
    const next = change(settled.rollout, stored);
    if (!next) return { rollout: settled.rollout, written: false, steps: settled.steps };
    try {
      const saved = await write(stored, next, settled.steps, options.actor, now);
      return { rollout: saved, written: true, steps: settled.steps };
    } catch (error) {
      if (!(error instanceof RolloutChanged) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
    }
  }
}

async function write(stored: Rollout | undefined, change: RolloutChange, steps: RolloutStep[], actor: AuditActor, now: Date) {
  const at = now.toISOString();
  const saved: Rollout = {
    ...change.rollout,
    revision: (stored?.revision ?? 0) + 1,
    updatedAt: at,
    updatedBy: `${actor.kind}:${actor.id}`,
  };
  const audit = (action: string, who: AuditActor, details: Record<string, unknown>) =>
    auditPutItem({
      customerId: CATALOG_AUDIT_SCOPE,
      action,
      actor: who,
      outcome: 'ok',
      details: { version: saved.version, revision: saved.revision, ...details },
      at,
    });
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...catalogKeys.rollout(saved.version), type: 'rollout', ...saved },
        ConditionExpression: stored ? 'revision = :revision' : 'attribute_not_exists(pk)',
        ExpressionAttributeValues: stored ? { ':revision': stored.revision } : undefined,
      },
    },
    {
      Update: {
        TableName: tableName(),
        Key: catalogKeys.head(),
        UpdateExpression: 'ADD catalogVersion :n SET updatedAt = :at',
        // A rollout exists only for a published release, so the head does too.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': steps.length + 1, ':at': at },
      },
    },
    ...steps.map((step) => audit('rollout.wave-opened', SYSTEM_ACTOR, { wave: step.wave, openedAt: step.at, automatic: true })),
    audit(change.audit.action, actor, change.audit.details ?? {}),
  ];
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    // The rollout moved (condition), or a publication/another rollout wrote the head at the same instant.
    if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict')) {
      throw new RolloutChanged(await getRollout(saved.version));
    }
    throw error;
  }
  return saved;
}

/** The put of a release's first rollout item, for the publication transaction (plan given at publication). */
export function newRolloutItem(rollout: Rollout): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...catalogKeys.rollout(rollout.version), type: 'rollout', ...rollout, revision: 1 },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The update adding one to a wave's counter (the item is created on first use). */
function counterUpdate(version: string, wave: number, field: CounterField) {
  return {
    TableName: tableName(),
    Key: rolloutKeys.wave(version, wave),
    UpdateExpression: 'SET #type = :type, version = :version, wave = :wave ADD #field :one',
    ExpressionAttributeNames: { '#type': 'type', '#field': field },
    ExpressionAttributeValues: { ':type': 'rolloutWave', ':version': version, ':wave': wave, ':one': 1 },
  };
}

/**
 * Transaction item adding one to a wave's counter, written with the session
 * transition that causes it: the count is exactly once (a repeated request
 * fails the session's version condition and counts nothing).
 */
export function waveCounterItem(version: string, wave: number, field: CounterField): TransactItem {
  return { Update: counterUpdate(version, wave, field) };
}

/** A release's per-wave counters (one Query of its partition), index = wave; missing waves are zero. */
export async function readWaveCounters(version: string, waves: number): Promise<WaveCounters[]> {
  const items = await queryPrefix<Record<string, unknown>>(rolloutKeys.partition(version), rolloutKeys.wavePrefix, { consistent: true });
  const counters = Array.from({ length: waves }, emptyCounters);
  for (const item of items) {
    const wave = Number(item.wave);
    if (!Number.isInteger(wave) || wave < 0 || wave >= waves) continue;
    for (const field of COUNTER_FIELDS) counters[wave]![field] = Number(item[field] ?? 0);
  }
  return counters;
}

/**
 * Counts a first-time event of a customer (release offered, installer
 * downloaded): `first` is a conditional update that fails when the event was
 * already recorded; only then does the wave counter move. Two plain updates,
 * not a transaction: when a wave opens, many customers are counted at once on
 * the same counter item, and updates to one item queue where transactions
 * would cancel each other. A crash between the two loses that one count, never
 * doubles it. True when counted now.
 */
export async function countFirst(first: UpdateCommandInput, version: string, wave: number, field: CounterField): Promise<boolean> {
  try {
    await ddb.send(new UpdateCommand(first));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
  await ddb.send(new UpdateCommand(counterUpdate(version, wave, field)));
  return true;
}
