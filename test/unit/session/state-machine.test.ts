import { describe, expect, it } from 'vitest';
import { confirmToken, verifyConfirmToken } from '../../../shared/session/confirm-token';
import {
  ALLOWED_ACTIONS,
  allowedActions,
  SESSION_ACTIONS,
  SESSION_STATES,
  initialSession,
  isAllowed,
  nextState,
  owedCommand,
  startOrForce,
  type DeviceState,
  type Session,
  type SessionState,
} from '../../../shared/session/state-machine';

const session = (state: SessionState, extra: Partial<Session> = {}): Session => ({
  ...initialSession('c1', '2026-01-01T00:00:00Z'),
  sessionId: 's1',
  state,
  version: 3,
  targetVersion: '03.01.00_032',
  ...extra,
});
const device = (extra: Partial<DeviceState> = {}): DeviceState => ({
  serial: 'd1',
  enabled: true,
  installedVersion: '03.01.00_030',
  ...extra,
});

describe('update session state machine (SES-1…11)', () => {
  it('follows the manual: available → preparing → updating → mobile-update → concluded', () => {
    let s: SessionState = 'available';
    s = nextState(s, 'send-start-update');
    expect(s).toBe('preparing');
    expect(nextState(s, 'send-start-update')).toBe('preparing'); // a resend keeps phase 1
    s = nextState(s, 'start-update');
    expect(s).toBe('updating');
    s = nextState(s, 'report-success');
    expect(s).toBe('mobile-update');
    expect(nextState(s, 'send-end-update')).toBe('mobile-update');
    s = nextState(s, 'conclude');
    expect(s).toBe('concluded');
    expect(nextState(s, 'send-start-update')).toBe('preparing'); // the next update
  });

  it('takes the failure path: updating → failed → reactivated → (support) available', () => {
    expect(nextState('updating', 'report-failure')).toBe('failed');
    expect(nextState('failed', 'reactivate-devices')).toBe('reactivated');
    expect(nextState('reactivated', 'resolve')).toBe('available');
    expect(nextState('failed', 'resolve')).toBe('available');
  });

  it('never allows a retry while an update has failed and support has not resolved it', () => {
    for (const s of ['failed', 'reactivated'] as const) {
      expect(isAllowed(s, 'send-start-update')).toBe(false);
      expect(isAllowed(s, 'start-update')).toBe(false);
    }
  });

  it('allows force only in phase 1 and conclude only in phase 3', () => {
    for (const s of SESSION_STATES) {
      expect(isAllowed(s, 'force-update')).toBe(s === 'preparing');
      expect(isAllowed(s, 'conclude')).toBe(s === 'mobile-update');
      expect(isAllowed(s, 'report-success')).toBe(s === 'updating');
    }
  });

  it('replaces Start and Force with Close update in phase 1 once Alturas withdrew the release, and only then', () => {
    expect(allowedActions('preparing', { releaseWithdrawn: true })).toEqual(['close-update', 'disable-device']);
    expect(isAllowed('preparing', 'close-update')).toBe(false);
    expect(nextState('preparing', 'close-update')).toBe('available');
    // Later phases end the usual way: the installer already ran.
    for (const s of SESSION_STATES.filter((x) => x !== 'preparing')) {
      expect(allowedActions(s, { releaseWithdrawn: true })).toEqual(ALLOWED_ACTIONS[s]);
    }
  });

  it('names only known actions in the allowed table', () => {
    for (const s of SESSION_STATES) for (const a of ALLOWED_ACTIONS[s]) expect(SESSION_ACTIONS).toContain(a);
  });

  it('enables Start update only when every enabled device awaits it (disabled ones do not count)', () => {
    const s = session('preparing');
    expect(startOrForce([device({ awaitingSessionId: 's1' }), device({ serial: 'd2', enabled: false })], s)).toEqual({
      canStart: true,
      notAwaiting: [],
    });
    expect(startOrForce([device({ awaitingSessionId: 's0' })], s)).toEqual({ canStart: false, notAwaiting: ['d1'] });
  });
});

describe('the command a device owes at check-in (DEV-7)', () => {
  it.each([
    ['preparing', {}, 'LOCK'],
    ['preparing', { awaitingSessionId: 's1' }, 'AWAIT'],
    ['updating', {}, 'AWAIT'],
    ['mobile-update', {}, 'UPDATE'],
    ['mobile-update', { installedVersion: '03.01.00_032' }, 'AWAIT'],
    ['failed', {}, 'AWAIT'],
    ['reactivated', {}, 'REACTIVATE'],
    ['concluded', { installedVersion: '03.01.00_032' }, 'NONE'],
  ] as const)('in %s with %j owes %s', (state, extra, command) => {
    expect(owedCommand(session(state), device(extra), '03.01.00_032').command).toBe(command);
  });

  it('outside a session sends an older or a newer device to the desktop version (DEV-6, downgrade included)', () => {
    const none = session('available', { sessionId: '' });
    expect(owedCommand(none, device({ installedVersion: '03.01.00_028' }), '03.01.00_030')).toEqual({
      command: 'UPDATE',
      version: '03.01.00_030',
    });
    expect(owedCommand(none, device({ installedVersion: '03.01.00_032' }), '03.01.00_030')).toEqual({
      command: 'UPDATE',
      version: '03.01.00_030',
    });
    expect(owedCommand(none, device({ installedVersion: '03.01.00_030' }), '03.01.00_030')).toEqual({ command: 'NONE' });
  });

  it('does not count an acknowledgement or awaiting flag from an earlier session', () => {
    expect(owedCommand(session('preparing'), device({ awaitingSessionId: 'old' }), '03.01.00_030').command).toBe('LOCK');
  });
});

describe('confirm tokens for double confirmations', () => {
  const key = Buffer.alloc(32, 7);
  const b = { customerId: 'c1', sessionId: 's1', version: 4, action: 'force-update' };
  it('verify for the same session state and action only', () => {
    const t = confirmToken(key, b);
    expect(verifyConfirmToken(key, b, t)).toBe(true);
    expect(verifyConfirmToken(key, { ...b, version: 5 }, t)).toBe(false);
    expect(verifyConfirmToken(key, { ...b, action: 'conclude' }, t)).toBe(false);
    expect(verifyConfirmToken(key, { ...b, customerId: 'c2' }, t)).toBe(false);
    expect(verifyConfirmToken(key, { ...b, subject: 'd1' }, t)).toBe(false);
    expect(verifyConfirmToken(Buffer.alloc(32, 8), b, t)).toBe(false);
    expect(verifyConfirmToken(key, b, `${t.slice(0, -1)}x`)).toBe(false);
  });
});
