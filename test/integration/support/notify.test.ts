import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSupportCase } from '../../../shared/db/cases';
import { ENV } from '../../../shared/config';
import { caseNotification, notifySupport, redactSecrets, toSubject } from '../../../shared/support/notify';

interface Delivery {
  messageId: string;
  targetArn: string;
  message: string;
}

/** What the local SNS endpoint recorded for the support topic. */
async function topicDeliveries(): Promise<Delivery[]> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL_SNS}/_local/deliveries`);
  const all = (await res.json()) as Delivery[];
  return all.filter((d) => d.targetArn === process.env[ENV.supportTopicArn]);
}

describe('notifySupport (support SNS topic)', () => {
  it('publishes the message to the support topic', async () => {
    const marker = `marker-${randomUUID()}`;
    const messageId = await notifySupport('mOphas: test notification', `Hello support ${marker}`, { kind: 'test', attempt: 1 });
    expect(messageId).toEqual(expect.any(String));
    const delivered = (await topicDeliveries()).find((d) => d.messageId === messageId);
    expect(delivered?.message).toBe(`Hello support ${marker}`);
  });

  it('never sends credentials, password hashes or 3×5-digit codes, but keeps device serials', async () => {
    const marker = randomUUID();
    const secretish = [
      'token dsk_AbCdEf123.abcdefghijklmnopqrstuvwxyz0123456789',
      'user ust_tok123456.ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ',
      'hash scrypt$32768$8$1$c2FsdA$aGFzaA',
      'code 12345-67890-13579 and 24680 13579 11223',
      'Authorization: Bearer ust_abcdefgh.0123456789abcdef0123456789',
    ].join('\n');
    const messageId = await notifySupport('Secrets test', `${marker}\n${secretish}\ndevice 351234567890123`);
    const delivered = (await topicDeliveries()).find((d) => d.messageId === messageId)!;
    expect(delivered.message).toContain(marker);
    for (const leaked of ['dsk_AbCdEf123', 'ust_tok123456', 'scrypt$', '12345-67890-13579', '24680 13579 11223', 'ust_abcdefgh']) {
      expect(delivered.message).not.toContain(leaked);
    }
    expect(delivered.message).toContain('device 351234567890123');
    expect(delivered.message).toContain('[code removed]');
  });

  it('refuses message attributes named like secrets', async () => {
    await expect(notifySupport('Subject', 'Body', { password: 'x' })).rejects.toThrow(/secret/);
    await expect(notifySupport('Subject', 'Body', { confirmationCode: 'x', code: '1' })).rejects.toThrow(/secret/);
    await expect(notifySupport('Subject', 'Body', { 'AWS.Trace': 'x' })).rejects.toThrow(/attribute name/);
  });

  it('makes subjects SNS-valid: one line of printable ASCII, at most 100 characters', () => {
    expect(toSubject("Aggiornamento terminato in modo anomalo: è necessario l'intervento")).toBe(
      "Aggiornamento terminato in modo anomalo: e necessario l'intervento",
    );
    const long = toSubject(`Line one\nline two ${'x'.repeat(200)}`);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^Line one line two x+\.\.\.$/);
    expect(toSubject('code 12345-67890-13579')).toBe('code [code removed]');
    expect(() => toSubject('  \n ')).toThrow(/empty/);
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });

  it('announces a new support case with its details and log key, ready to publish', async () => {
    const { case: filed } = createSupportCase({
      customerId: 't-notify01',
      sessionId: 's-1',
      targetVersion: '03.02.00_001',
      fromVersion: '03.01.00_030',
      failureMessage: 'Installer exit code 3',
      failureLogKey: 'logs/t-notify01/s-1.log',
      reportedBy: 'admin',
      message: 'Please call 0471 000000',
    });
    const [subject, message, attributes] = caseNotification(filed);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toContain('t-notify01');
    expect(attributes).toEqual({ kind: 'support-case', customerId: 't-notify01', caseId: filed.caseId });
    const messageId = await notifySupport(subject, message, attributes);
    const delivered = (await topicDeliveries()).find((d) => d.messageId === messageId)!;
    expect(delivered.message).toContain(filed.caseId);
    expect(delivered.message).toContain('logs/t-notify01/s-1.log');
    expect(delivered.message).toContain('Installer exit code 3');
  });
});
