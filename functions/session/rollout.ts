import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { SYSTEM_ACTOR } from '../../shared/db/audit';
import { getRollout, readWaveCounters, updateRollout, waveCounterItem } from '../../shared/db/rollout';
import { sessionConflict } from '../../shared/db/session';
import { logger } from '../../shared/observability';
import { MAX_WAVES } from '../../shared/rollout/plan';
import { haltIfThresholdReached, recordSuccessIfReached, totalsOf, type Rollout } from '../../shared/rollout/rollout';
import { waveOf } from '../../shared/rollout/waves';
import type { Session } from '../../shared/session/state-machine';
import { notifySupport, rolloutHaltNotification } from '../../shared/support/notify';

/**
 * What the admin window's transitions do for a release's rollout
 * (docs/rollout.md): Avvia/Forza count `started` in the customer's wave (and
 * remember the wave in the session), an abnormal termination counts `failed`,
 * Aggiornamento concluso counts `concluded` — each in the same transaction as
 * the session change, so exactly once. The transition that counted then checks
 * the thresholds: a failure may halt the rollout (and tell support), a
 * conclusion may meet the open wave's success threshold.
 */

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The rollout of the release a session installs (undefined when it has none). */
export const rolloutOf = (session: Session): Promise<Rollout | undefined> =>
  session.targetVersion ? getRollout(session.targetVersion) : Promise.resolve(undefined);

/** True when Alturas withdrew the release. */
export const isWithdrawn = (rollout: Rollout | undefined) => rollout?.status === 'withdrawn';

/** 409 for Avvia/Forza (or a START UPDATE resend) on a withdrawn release: it explains, in both languages, and offers Chiudi aggiornamento. */
export function withdrawnConflict(session: Session) {
  const version = session.targetVersion ?? '';
  return sessionConflict(
    session,
    `Alturas has withdrawn release ${version}: it can no longer be installed. Click Close update to end this update; the mobile devices resume normal work.`,
    'RELEASE_WITHDRAWN',
    `Alturas ha ritirato la versione ${version}: non è più possibile installarla. Clic su Chiudi aggiornamento per chiudere la procedura; i dispositivi mobile riprenderanno la normale attività.`,
    { releaseWithdrawn: true },
  );
}

/** Avvia/Forza: the wave the customer is counted in, and the counter item for the session's transaction. */
export function countStarted(session: Session, rollout: Rollout | undefined): { rolloutWave?: number; items: TransactItem[] } {
  if (!rollout?.plan || !session.targetVersion) return { items: [] };
  const wave = waveOf(rollout.plan, session.customerId);
  return { rolloutWave: wave, items: [waveCounterItem(session.targetVersion, wave, 'started')] };
}

/** The counter item for an outcome of a session counted at its start (none for sessions outside a rollout). */
export function countOutcome(session: Session, field: 'failed' | 'concluded'): TransactItem[] {
  if (session.rolloutWave === undefined || !session.targetVersion) return [];
  return [waveCounterItem(session.targetVersion, session.rolloutWave, field)];
}

/**
 * After a failure was counted: halts the rollout when the error threshold is
 * reached, and the transition that halted it tells support. Never fails the
 * admin's request (the session change is already done): a missed check is
 * made again by the next failure counted.
 */
export async function afterFailure(session: Session): Promise<void> {
  const version = session.targetVersion;
  if (session.rolloutWave === undefined || !version) return;
  try {
    const counters = await readWaveCounters(version, MAX_WAVES + 1);
    const result = await updateRollout(version, { actor: SYSTEM_ACTOR }, (settled) => {
      const halted = haltIfThresholdReached(settled, totalsOf(counters), new Date());
      if (!halted?.halt) return undefined;
      return {
        rollout: halted,
        audit: {
          action: 'rollout.halted',
          details: { ...halted.halt, threshold: halted.plan?.errorThreshold, customerId: session.customerId, sessionId: session.sessionId },
        },
      };
    });
    const { halt, plan } = result.rollout;
    if (result.written && halt && plan) {
      logger.warn('rollout halted by its error threshold', { version, ...halt });
      // The halt is recorded and audited; the topic message is the wake-up for support (retried by SNS).
      await notifySupport(...rolloutHaltNotification(version, halt, plan.errorThreshold)).catch((error: unknown) =>
        logger.error('rollout halt notification failed', { version, error: error as Error }),
      );
    }
  } catch (error) {
    logger.error('rollout halt check failed', { version, error: error as Error });
  }
}

/** After a conclusion was counted: records that the open wave met its success threshold, if it did. */
export async function afterConclude(session: Session): Promise<void> {
  const version = session.targetVersion;
  if (session.rolloutWave === undefined || !version) return;
  try {
    const counters = await readWaveCounters(version, MAX_WAVES + 1);
    await updateRollout(version, { actor: SYSTEM_ACTOR }, (settled) => {
      const succeeded = recordSuccessIfReached(settled, counters, new Date());
      if (!succeeded) return undefined;
      const wave = succeeded.openWave!;
      return { rollout: succeeded, audit: { action: 'rollout.wave-succeeded', details: { wave, concluded: counters[wave]?.concluded } } };
    });
  } catch (error) {
    logger.error('rollout success check failed', { version, error: error as Error });
  }
}
