import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { derivedSecret } from '../../shared/aws/secrets';
import type { UserPrincipal } from '../../shared/auth/principals';
import { ENV, optionalEnv, SECRET_VALUE_ENV } from '../../shared/config';
import { putDesktopLog } from '../../shared/storage/desktop-logs';
import { actorOf } from '../../shared/db/audit';
import { loadCatalog } from '../../shared/db/catalog';
import { getReleaseState } from '../../shared/db/codes';
import { getProfile, setDesktopVersionItem } from '../../shared/db/customers';
import { appendDeviceNote, getDevice, listDevices, listEnabledSerials, unblockDevices } from '../../shared/db/devices';
import { deviceSetUnchangedItem, getDeviceSetVersion } from '../../shared/db/device-set';
import { createSupportCase } from '../../shared/db/cases';
import { METRIC } from '../../shared/metric-names';
import { countMetric, countPushOutcome, logger } from '../../shared/observability';
import { disableTablet, enableTablet, listTablets, tabletNotFound } from '../../shared/tablets/authorisation';
import { caseNotification, notifySupport } from '../../shared/support/notify';
import { archiveItem, getSession, saveSession, sessionConflict } from '../../shared/db/session';
import { conflict, notFound } from '../../shared/errors';
import { nextRelease } from '../../shared/feed/next-release';
import { fanOut } from '../../shared/push/fanout';
import type { FanOutResult } from '../../shared/push/request';
import { enqueueFanOut } from '../../shared/push/queue';
import { sqsPushQueue } from '../../shared/push/sqs';
import type { PushCommand } from '../../shared/push/commands';
import { confirmToken, confirmTokenKey, verifyConfirmToken, type ConfirmBinding } from '../../shared/session/confirm-token';
import {
  isAllowed,
  isUpdated,
  nextState,
  startOrForce,
  type GridFilter,
  type Session,
  type SessionAction,
} from '../../shared/session/state-machine';
import { isOfferedTo } from '../../shared/rollout/rollout';
import { buildDeviceList, buildGrid, GRID_PROJECTION } from './grid';
import { afterConclude, afterFailure, countOutcome, countStarted, isWithdrawn, rolloutOf, withdrawnConflict } from './rollout';

/** Key of the two-step confirm tokens, derived from its secret (again only when it is rotated). */
const confirmKey = derivedSecret(SECRET_VALUE_ENV.confirmTokenSecret, ENV.confirmTokenSecretArn, confirmTokenKey);

/**
 * Saves a transition decided on the device list, only if the set of enabled
 * devices has not changed since `deviceSet` was read (a registration or a
 * re-enable meanwhile → 409, the admin looks at the grid again).
 */
async function saveOnDevices(
  current: Session,
  next: Session,
  deviceSet: number,
  audit: Parameters<typeof saveSession>[2],
  extra: Parameters<typeof saveSession>[3] = [],
) {
  try {
    return await saveSession(current, next, audit, [deviceSetUnchangedItem(current.customerId, deviceSet), ...(extra ?? [])]);
  } catch (error) {
    if ((error as { sessionItemOk?: boolean }).sessionItemOk) {
      throw sessionConflict(
        current,
        'The devices changed meanwhile (a device registered or was re-enabled): check the grid and confirm again.',
        'DEVICES_CHANGED',
      );
    }
    throw error;
  }
}

/** Refuses an action the current phase does not allow: 409 with the phase and what is allowed (SES-11). */
function requireAllowed(session: Session, action: SessionAction) {
  if (!isAllowed(session.state, action)) {
    throw sessionConflict(session, `"${action}" is not allowed while the session is ${session.state}.`, 'ACTION_NOT_ALLOWED');
  }
}

const binding = (session: Session, action: string, subject?: string): ConfirmBinding => ({
  customerId: session.customerId,
  sessionId: session.sessionId,
  version: session.version,
  action,
  subject,
});

/** Step two of a double confirmation: the token must match the session as it is now. */
async function requireConfirmation(session: Session, action: string, token: string, subject?: string) {
  if (!verifyConfirmToken(await confirmKey(), binding(session, action, subject), token)) {
    throw sessionConflict(
      session,
      'The confirmation is stale (the session changed since it was asked): confirm again.',
      'STALE_CONFIRMATION',
    );
  }
}

/**
 * Fleets up to this size are pushed inside the admin's request (the answer
 * carries the per-device summary); larger ones are handed to the SQS push
 * worker, and their outcomes appear in the grid as devices are reached.
 * @default 5000 (env PUSH_INLINE_LIMIT)
 */
const inlinePushLimit = () => Number(optionalEnv('PUSH_INLINE_LIMIT') ?? 5000);

/** Pushes a command to the customer's devices: inline, or through the push queue for large fleets. */
async function push(session: Session, command: PushCommand, lambda: Context, serials?: string[]) {
  const attempt = session.pushAttempts?.[command] ?? 1;
  const request = {
    customerId: session.customerId,
    sessionId: session.sessionId,
    sessionVersion: session.version,
    command,
    commandId: `${session.sessionId}:${command}:${attempt}`,
    targetVersion: session.targetVersion,
  };
  if (!serials) {
    const all = await listEnabledSerials(session.customerId);
    if (all.length > inlinePushLimit()) {
      const queued = await enqueueFanOut({ ...request, serials: undefined }, sqsPushQueue);
      countMetric(METRIC.pushQueuedDevices, queued.devices);
      return { complete: false, queued, counts: null, devices: [], ignored: [] };
    }
  }
  return summary(await fanOut({ ...request, serials }, { deadline: Date.now() + lambda.getRemainingTimeInMillis() }));
}

function summary(r: FanOutResult) {
  countPushOutcome(r.counts);
  return { complete: r.complete, counts: r.counts, devices: r.devices, ignored: r.ignored };
}
const view = (s: Session) => ({
  sessionId: s.sessionId,
  state: s.state,
  version: s.version,
  targetVersion: s.targetVersion ?? null,
  forced: Boolean(s.forced),
});

/** GET /v1/desktop/update: session + grid, with an ETag so a 30-second poll costs little when nothing changed. */
export async function grid(user: UserPrincipal, filter: GridFilter) {
  const [session, devices, profile] = await Promise.all([
    getSession(user.customerId),
    listDevices(user.customerId, { projection: GRID_PROJECTION }),
    getProfile(user.customerId),
  ]);
  // Only phase 1 depends on a withdrawal (Avvia/Forza give way to Chiudi aggiornamento).
  const releaseWithdrawn = session.state === 'preparing' && isWithdrawn(await rolloutOf(session));
  return buildGrid(session, devices, profile?.desktopVersion, filter, { releaseWithdrawn });
}

/** GET /v1/desktop/devices: Gestione Mobile — every tablet, enabled or not, with version and last sync. */
export async function mobileDevices(user: UserPrincipal) {
  const [devices, profile] = await Promise.all([listTablets(user.customerId), getProfile(user.customerId)]);
  return buildDeviceList(devices, profile?.desktopVersion);
}

/** Which release a new session installs: the next one, confirmed if it needs a code, downloaded and verified. */
async function targetRelease(customerId: string) {
  const profile = await getProfile(customerId);
  if (!profile?.desktopVersion) throw conflict('NO_DESKTOP_VERSION', 'The desktop version of this customer is unknown: contact support.');
  // The same offer as the feed's: withdrawn releases and releases outside the customer's open wave are skipped.
  const { releases, rollouts } = await loadCatalog();
  const now = new Date();
  const next = nextRelease(releases, profile.desktopVersion, (r) => isOfferedTo(rollouts.get(r.version), customerId, now));
  if (next.kind !== 'update') throw conflict('UP_TO_DATE', 'There is no update to install.', { desktopVersion: profile.desktopVersion });
  const state = await getReleaseState(customerId, next.release.version);
  if (next.release.requiresConfirmationCode && !state?.confirmedAt) {
    throw conflict(
      'CONFIRMATION_REQUIRED',
      'This update needs the confirmation code from support first.',
      { version: next.release.version },
      "Questo aggiornamento richiede prima il codice di conferma dell'assistenza.",
    );
  }
  if (!state?.desktopDownloadVerifiedAt) {
    throw conflict(
      'DOWNLOAD_NOT_VERIFIED',
      'The installer is still downloading: wait for the green notice.',
      { version: next.release.version },
      'Il pacchetto di installazione è ancora in download: attendere la notifica verde.',
    );
  }
  return { version: next.release.version, fromVersion: profile.desktopVersion };
}

/**
 * Send START UPDATE (SES-3/4): the first push opens the session (phase 1); later
 * ones resend to all or to one row. Returns the per-device summary.
 */
export async function sendStartUpdate(user: UserPrincipal, lambda: Context, serial?: string) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'send-start-update');
  // Devices are never asked to lock for a release Alturas withdrew: the admin closes the update instead.
  if (current.state === 'preparing' && isWithdrawn(await rolloutOf(current))) throw withdrawnConflict(current);
  if (serial && !(await getDevice(user.customerId, serial))) throw notFound(`Device ${serial}`);
  let next: Session;
  if (current.state === 'preparing') {
    next = { ...current, pushAttempts: { ...current.pushAttempts, START_UPDATE: (current.pushAttempts?.START_UPDATE ?? 1) + 1 } };
  } else {
    const target = await targetRelease(user.customerId);
    const at = new Date().toISOString();
    next = {
      customerId: user.customerId,
      sessionId: randomUUID(),
      state: 'preparing',
      version: current.version,
      targetVersion: target.version,
      fromVersion: target.fromVersion,
      forced: false,
      startedAt: at,
      startedBy: user.username,
      updatedAt: at,
      pushAttempts: { START_UPDATE: 1 },
    };
  }
  const saved = await saveSession(current, next, {
    action: 'send-start-update',
    actor: actorOf(user),
    details: { serial: serial ?? 'all' },
  });
  return { session: view(saved), summary: await push(saved, 'START_UPDATE', lambda, serial ? [serial] : undefined) };
}

/** Avvia aggiornamento (SES-5/6): only when every enabled device awaits the update. */
export async function startUpdate(user: UserPrincipal) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'start-update');
  const rollout = await rolloutOf(current);
  if (isWithdrawn(rollout)) throw withdrawnConflict(current);
  const deviceSet = await getDeviceSetVersion(user.customerId);
  const { canStart, notAwaiting } = startOrForce(await listDevices(user.customerId, { projection: GRID_PROJECTION }), current);
  if (!canStart) {
    throw sessionConflict(
      current,
      `${notAwaiting.length} device(s) are not awaiting the update: use Force update.`,
      'DEVICES_NOT_AWAITING',
    );
  }
  const counted = countStarted(current, rollout);
  const saved = await saveOnDevices(
    current,
    { ...current, state: nextState(current.state, 'start-update'), forced: false, rolloutWave: counted.rolloutWave },
    deviceSet,
    { action: 'start-update', actor: actorOf(user) },
    counted.items,
  );
  return { session: view(saved) };
}

const FORCE_WARNING = {
  it: 'Un dispositivo che continua a operare mentre è in corso un aggiornamento potrebbe andare in errore, perdere i dati non ancora trasmessi oppure bloccarsi in maniera anomala. Per proseguire clic su Forza.',
  en: 'A device that keeps working during the update may fail, lose the data it has not sent yet, or lock up. To continue, confirm Force.',
};

/**
 * Forza aggiornamento (SES-5): double authorisation. Without a token, answers
 * the devices at risk and a confirm token bound to this session state; with it,
 * moves to phase 2 (forced) and notes each device that was not awaiting.
 */
export async function forceUpdate(user: UserPrincipal, token?: string) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'force-update');
  const rollout = await rolloutOf(current);
  if (isWithdrawn(rollout)) throw withdrawnConflict(current);
  const deviceSet = await getDeviceSetVersion(user.customerId);
  const devices = await listDevices(user.customerId, { projection: GRID_PROJECTION });
  const { canStart, notAwaiting } = startOrForce(devices, current);
  if (canStart) throw sessionConflict(current, 'Every device awaits the update: use Start update.', 'ALL_DEVICES_AWAITING');
  if (!token) {
    return {
      confirmationRequired: true as const,
      confirmToken: confirmToken(await confirmKey(), binding(current, 'force-update')),
      notAwaiting: devices.filter((d) => notAwaiting.includes(d.serial)).map((d) => ({ serial: d.serial, operator: d.operator ?? null })),
      warning: FORCE_WARNING,
    };
  }
  await requireConfirmation(current, 'force-update', token);
  const counted = countStarted(current, rollout);
  const saved = await saveOnDevices(
    current,
    { ...current, state: nextState(current.state, 'force-update'), forced: true, rolloutWave: counted.rolloutWave },
    deviceSet,
    { action: 'force-update', actor: actorOf(user), details: { notAwaiting: notAwaiting.length } },
    counted.items,
  );
  const note = {
    it: 'Aggiornamento forzato mentre il dispositivo non era in attesa',
    en: 'Update forced while the device was not awaiting it',
  };
  const at = new Date(saved.updatedAt);
  await Promise.allSettled(notAwaiting.map((serial) => appendDeviceNote(user.customerId, serial, note, at)));
  return { session: view(saved) };
}

/** Phase 2 result (SES-6/10): success with the new version, or abnormal termination with the desktop's log. */
export async function reportOutcome(
  user: UserPrincipal,
  outcome: { result: 'success'; version: string } | { result: 'failed'; log: string; message?: string },
) {
  const current = await getSession(user.customerId);
  if (outcome.result === 'success') {
    requireAllowed(current, 'report-success');
    if (outcome.version !== current.targetVersion) {
      throw sessionConflict(
        current,
        `The session installs ${current.targetVersion}, not ${outcome.version}.`,
        'VERSION_MISMATCH',
        `L'aggiornamento in corso installa la versione ${current.targetVersion}, non la ${outcome.version}.`,
      );
    }
    const saved = await saveSession(
      current,
      { ...current, state: nextState(current.state, 'report-success') },
      { action: 'report-success', actor: actorOf(user), details: { installed: outcome.version } },
      [setDesktopVersionItem(user.customerId, outcome.version)],
    );
    return { session: view(saved) };
  }
  requireAllowed(current, 'report-failure');
  const key = await putDesktopLog(user.customerId, current.sessionId, outcome.log);
  const saved = await saveSession(
    current,
    { ...current, state: nextState(current.state, 'report-failure'), failureLogKey: key, failureMessage: outcome.message?.slice(0, 500) },
    {
      action: 'report-failure',
      actor: actorOf(user),
      details: { logKey: key },
    },
    countOutcome(current, 'failed'),
  );
  await afterFailure(saved);
  return { session: view(saved) };
}

/** Fine aggiornamento (SES-7): END UPDATE to all, or resent to one row. */
export async function sendEndUpdate(user: UserPrincipal, lambda: Context, serial?: string) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'send-end-update');
  if (serial && !(await getDevice(user.customerId, serial))) throw notFound(`Device ${serial}`);
  const attempt = (current.pushAttempts?.END_UPDATE ?? 0) + 1;
  const saved = await saveSession(
    current,
    { ...current, pushAttempts: { ...current.pushAttempts, END_UPDATE: attempt } },
    {
      action: 'send-end-update',
      actor: actorOf(user),
      details: { serial: serial ?? 'all' },
    },
  );
  return { session: view(saved), summary: await push(saved, 'END_UPDATE', lambda, serial ? [serial] : undefined) };
}

const CONCLUDE_WARNING = {
  it: "Uno o più dispositivi non risultano ancora aggiornati all'ultima versione. Una volta conclusa la procedura non sarà più possibile accedere alla finestra Gestione Aggiornamento: per allinearli sarà sufficiente chiedere agli operatori di avviare l'applicazione.",
  en: 'Some devices are not updated yet. Once concluded, the update window is no longer available: to align them, ask the operators to start the app.',
};

/** Aggiornamento concluso (SES-9): any time in phase 3; a second confirmation when devices are not updated. */
export async function conclude(user: UserPrincipal, token?: string) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'conclude');
  const deviceSet = await getDeviceSetVersion(user.customerId);
  const [devices, profile] = await Promise.all([
    listDevices(user.customerId, { projection: GRID_PROJECTION }),
    getProfile(user.customerId),
  ]);
  const notUpdated = devices.filter((d) => d.enabled && !isUpdated(d, profile?.desktopVersion));
  if (notUpdated.length > 0) {
    if (!token) {
      return {
        confirmationRequired: true as const,
        confirmToken: confirmToken(await confirmKey(), binding(current, 'conclude')),
        notUpdated: notUpdated.map((d) => ({
          serial: d.serial,
          operator: d.operator ?? null,
          installedVersion: d.installedVersion ?? null,
        })),
        warning: CONCLUDE_WARNING,
      };
    }
    await requireConfirmation(current, 'conclude', token);
  }
  const next: Session = { ...current, state: nextState(current.state, 'conclude') };
  const saved = await saveOnDevices(
    current,
    next,
    deviceSet,
    { action: 'conclude', actor: actorOf(user), details: { notUpdated: notUpdated.length } },
    [archiveItem(next), ...countOutcome(current, 'concluded')],
  );
  await afterConclude(saved);
  // Updated devices resume normal work: nothing stays Blocked into the next session.
  await unblockDevices(user.customerId, { it: 'Aggiornamento concluso: normale operatività', en: 'Update concluded: normal work' });
  return { session: view(saved) };
}

/**
 * Chiudi aggiornamento: ends a phase-1 session whose release Alturas withdrew
 * (docs/rollout.md). Nothing was installed: the session closes, the devices are
 * unblocked and woken with ERROR UPDATE (their check-in then says: normal
 * work), and the next startup looks for the next release that is offered.
 */
export async function closeUpdate(user: UserPrincipal, lambda: Context) {
  const current = await getSession(user.customerId);
  const releaseWithdrawn = isWithdrawn(await rolloutOf(current));
  if (!isAllowed(current.state, 'close-update', { releaseWithdrawn })) {
    throw sessionConflict(
      current,
      'Close update is only for an update in preparation whose release Alturas withdrew.',
      'ACTION_NOT_ALLOWED',
      'Chiudi aggiornamento è disponibile solo per un aggiornamento in preparazione la cui versione è stata ritirata da Alturas.',
      { releaseWithdrawn },
    );
  }
  const next: Session = {
    ...current,
    state: nextState(current.state, 'close-update'),
    pushAttempts: { ...current.pushAttempts, ERROR_UPDATE: (current.pushAttempts?.ERROR_UPDATE ?? 0) + 1 },
  };
  const saved = await saveSession(
    current,
    next,
    { action: 'close-update', actor: actorOf(user), details: { reason: 'release-withdrawn', release: current.targetVersion } },
    [archiveItem(next)],
  );
  await unblockDevices(user.customerId, {
    it: 'Aggiornamento chiuso: versione ritirata da Alturas',
    en: 'Update closed: release withdrawn by Alturas',
  });
  return { session: view(saved), summary: await push(saved, 'ERROR_UPDATE', lambda) };
}

/**
 * Riattiva i terminali mobile (SES-10): ERROR UPDATE to all. Nothing is unblocked
 * here: a device stays Blocked in the grid until it confirms the reactivation
 * (acknowledges ERROR UPDATE, or checks in and gets REACTIVATE) or is unlocked by
 * phone (SBLOCCO DEVICE) — the grid is how the admin finds the rows still to unlock.
 */
export async function reactivate(user: UserPrincipal, lambda: Context) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'reactivate-devices');
  const attempt = (current.pushAttempts?.ERROR_UPDATE ?? 0) + 1;
  const saved = await saveSession(
    current,
    { ...current, state: nextState(current.state, 'reactivate-devices'), pushAttempts: { ...current.pushAttempts, ERROR_UPDATE: attempt } },
    {
      action: 'reactivate-devices',
      actor: actorOf(user),
    },
  );
  return { session: view(saved), summary: await push(saved, 'ERROR_UPDATE', lambda) };
}

/**
 * Disable device (SES-8): double confirmation; the row leaves the grid, its
 * credential is revoked and the device can no longer work (shared/tablets).
 */
export async function disableDevice(user: UserPrincipal, serial: string, token?: string) {
  const [session, device] = await Promise.all([getSession(user.customerId), getDevice(user.customerId, serial)]);
  if (!device) throw tabletNotFound(serial);
  if (!device.enabled)
    throw conflict('DEVICE_DISABLED', 'This device is already disabled.', { serial }, 'Il dispositivo è già disabilitato.');
  if (!token) {
    return {
      confirmationRequired: true as const,
      confirmToken: confirmToken(await confirmKey(), binding(session, 'disable-device', serial)),
      warning: {
        it: 'Al dispositivo verrà tolta la spunta Abilitato e non potrà più operare; scomparirà dalla griglia. Si potrà riabilitarlo da Gestione Autorizzazioni Tablet.',
        en: 'The device loses its Enabled flag and can no longer work; it leaves the grid. It can be re-enabled from tablet authorisation management.',
      },
    };
  }
  await requireConfirmation(session, 'disable-device', token, serial);
  await disableTablet(user, user.customerId, serial, session.state);
  return { serial, enabled: false as const };
}

/**
 * Tablet authorisation management: (re-)enables a device and re-opens its
 * registration once, so a tablet that lost its credential can register again.
 */
export async function enableDevice(user: UserPrincipal, serial: string) {
  const session = await getSession(user.customerId);
  await enableTablet(user, user.customerId, serial, session.state);
  return { serial, enabled: true as const, registrationOpen: true as const };
}

/**
 * Invia segnalazione all'assistenza (SES-10): a support case with the session's
 * details and log, and a message on the support topic. Once per failed session;
 * a repeat answers 409 with the case already filed.
 */
export async function reportToSupport(user: UserPrincipal, message?: string) {
  const current = await getSession(user.customerId);
  requireAllowed(current, 'report-to-support');
  if (current.supportCaseId) {
    throw sessionConflict(current, 'This failed update was already reported to support.', 'ALREADY_REPORTED');
  }
  const filed = createSupportCase({
    customerId: user.customerId,
    sessionId: current.sessionId,
    targetVersion: current.targetVersion,
    fromVersion: current.fromVersion,
    failureMessage: current.failureMessage,
    failureLogKey: current.failureLogKey,
    reportedBy: user.username,
    message,
  });
  const saved = await saveSession(
    current,
    { ...current, supportCaseId: filed.case.caseId },
    {
      action: 'report-to-support',
      actor: actorOf(user),
      details: { caseId: filed.case.caseId },
    },
    [filed.put],
  );
  // The case is recorded; the topic message is the wake-up for support staff (retried by SNS, logged if it fails).
  await notifySupport(...caseNotification(filed.case)).catch((error: unknown) =>
    logger.error('support notification failed', { error: error as Error, caseId: filed.case.caseId }),
  );
  return { session: view(saved), caseId: filed.case.caseId };
}
