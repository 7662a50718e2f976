import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../../shared/errors';
import {
  buildPushMessage,
  outcomeTexts,
  parsePushCommand,
  PUSH_COMMANDS,
  PUSH_REASON_CODES,
  readPushMessage,
} from '../../../shared/push/commands';

const fields = { command: 'START_UPDATE', sessionId: 'S1', sessionVersion: 7, commandId: 'S1:START_UPDATE:1', customerId: 'acme' } as const;

describe('push message (SNS MessageStructure json, FCM HTTP v1)', () => {
  it('carries a data-only FCM v1 message with high priority inside the GCM string, plus default', () => {
    const { Message, MessageStructure } = buildPushMessage(fields);
    expect(MessageStructure).toBe('json');
    const outer = JSON.parse(Message);
    expect(Object.keys(outer).sort()).toEqual(['GCM', 'default']);
    expect(typeof outer.GCM).toBe('string');
    const inner = JSON.parse(outer.GCM);
    expect(inner).toEqual({
      fcmV1Message: {
        message: {
          android: { priority: 'high', ttl: '86400s' },
          data: { command: 'START_UPDATE', sessionId: 'S1', sessionVersion: '7', commandId: 'S1:START_UPDATE:1', customerId: 'acme' },
        },
      },
    });
    expect(inner.fcmV1Message.message.notification).toBeUndefined();
  });

  it('adds targetVersion only when given', () => {
    const data = readPushMessage(buildPushMessage({ ...fields, command: 'END_UPDATE', targetVersion: '03.02.00_040' }).Message);
    expect(data).toMatchObject({ command: 'END_UPDATE', targetVersion: '03.02.00_040' });
    expect('targetVersion' in readPushMessage(buildPushMessage(fields).Message)).toBe(false);
  });

  it('keeps every data value a string, whatever the ids contain', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.string(), (sessionId, sessionVersion, commandId) => {
        const data = readPushMessage(buildPushMessage({ ...fields, sessionId, sessionVersion, commandId }).Message);
        expect(Object.values(data).every((v) => typeof v === 'string')).toBe(true);
        expect(data).toMatchObject({ sessionId, commandId, sessionVersion: String(sessionVersion) });
      }),
    );
  });
});

describe('commands', () => {
  it('accepts the three commands and refuses anything else with 400 UNKNOWN_COMMAND', () => {
    for (const c of PUSH_COMMANDS) expect(parsePushCommand(c)).toBe(c);
    for (const bad of ['start_update', 'LOCK', '', 42, undefined]) {
      const error = (() => {
        try {
          parsePushCommand(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ statusCode: 400, code: 'UNKNOWN_COMMAND' });
    }
  });
});

describe('summary texts (the manual’s ROSSI / BIANCHI example)', () => {
  it('tells the admin what follows a sent START UPDATE', () => {
    expect(outcomeTexts('START_UPDATE', 'sent')).toEqual({
      en: 'Notification sent: the operator must now send unsent data (INVIO DATI NON TRASMESSI) as soon as possible.',
      it: "Notifica inviata: l'operatore deve eseguire al più presto INVIO DATI NON TRASMESSI.",
    });
  });

  it('for a stale token: start the app and resend, then the manual lock', () => {
    const t = outcomeTexts('START_UPDATE', 'failed', 'ENDPOINT_DISABLED');
    expect(t.en).toBe(
      'Push token no longer valid (app not started recently or reinstalled): ask the operator to start mOphas mobile, then resend; if it still fails, use the manual lock.',
    );
    expect(t.it).toBe(
      "Token push non più valido (app non avviata di recente o reinstallata): chiedere all'operatore di avviare mOphas mobile, poi inviare di nuovo la notifica; se non va ancora a buon fine, usare la procedura di BLOCCO MANUALE.",
    );
  });

  it('points ERROR UPDATE failures to the manual unlock and END UPDATE failures to starting the app', () => {
    expect(outcomeTexts('ERROR_UPDATE', 'failed', 'INVALID_PARAMETER').it).toMatch(/SBLOCCO DEVICE\.$/);
    expect(outcomeTexts('END_UPDATE', 'failed', 'INVALID_PARAMETER').en).toMatch(/start mOphas mobile: the update starts at start-up/);
  });

  it('has an English and an Italian text for every outcome, command and reason', () => {
    for (const command of PUSH_COMMANDS) {
      for (const outcome of ['sent', 'skipped-already-sent', 'no-token'] as const) {
        const t = outcomeTexts(command, outcome);
        expect(t.en.length).toBeGreaterThan(10);
        expect(t.it.length).toBeGreaterThan(10);
      }
      for (const reason of PUSH_REASON_CODES) {
        const t = outcomeTexts(command, 'failed', reason);
        expect(t.en).toMatch(/\.$/);
        expect(t.it).toMatch(/\.$/);
        expect(t.en).not.toEqual(t.it);
      }
    }
  });
});
