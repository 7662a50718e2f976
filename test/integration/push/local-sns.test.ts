import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ensureEndpoint } from '../../../shared/push/endpoints';
import { fanOut } from '../../../shared/push/fanout';
import { readPushMessage } from '../../../shared/push/commands';
import { DEFAULT_PUSH_CONFIG, TokenBucket } from '../../../shared/push/limits';
import { FAST, getDevice, newCustomerId, putDevices, request } from './fixtures';

/** What the local SNS endpoint delivered to a simulated device (local/sns-server.ts). */
async function deliveries(token: string): Promise<{ message: string; targetArn: string }[]> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL_SNS}/_local/deliveries?token=${encodeURIComponent(token)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { message: string; targetArn: string }[];
}

/** How many Publish requests for a token reached the local SNS endpoint, refused ones included. */
async function publishAttempts(token: string): Promise<number> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL_SNS}/_local/publish-attempts?token=${encodeURIComponent(token)}`);
  return ((await res.json()) as { attempts: number }).attempts;
}

describe('push fan-out against the local SNS endpoint (no mocks)', () => {
  it('delivers to a live token, reports a stale one as no longer valid, and accepts one whose app is not running', async () => {
    const customerId = newCustomerId();
    const tag = randomUUID().slice(0, 8);
    const tokens = { ROSSI: `fcm-rossi-${tag}`, BIANCHI: `stale-bianchi-${tag}`, VERDI: `noapp-verdi-${tag}` };
    // No endpoints yet: the fan-out creates them (CreatePlatformEndpoint) and stores their ARNs.
    await putDevices(
      customerId,
      Object.entries(tokens).map(([serial, pushToken]) => ({ serial, pushToken, endpointArn: null })),
    );

    const result = await fanOut(request(customerId), { config: FAST });

    const by = Object.fromEntries(result.devices.map((d) => [d.serial, d]));
    expect(by.ROSSI).toMatchObject({
      outcome: 'sent',
      message: { en: expect.stringMatching(/^Notification sent: the operator must now send unsent data/) },
    });
    expect(by.BIANCHI).toMatchObject({
      outcome: 'failed',
      reasonCode: 'ENDPOINT_DISABLED',
      message: { en: expect.stringMatching(/^Push token no longer valid .*then resend; if it still fails, use the manual lock\.$/) },
    });
    // Accepted by SNS; the app never gets it. "Notification sent ✓" stays off until the device acknowledges.
    expect(by.VERDI).toMatchObject({ outcome: 'sent' });

    const [delivered] = await deliveries(tokens.ROSSI);
    expect(delivered).toBeDefined();
    expect(readPushMessage(delivered!.message)).toMatchObject({
      command: 'START_UPDATE',
      commandId: 'S1:START_UPDATE:1',
      customerId,
      sessionVersion: '3',
    });
    expect(delivered!.targetArn).toBe((await getDevice(customerId, 'ROSSI')).endpointArn);
    expect(await deliveries(tokens.VERDI)).toEqual([]);
    expect(await deliveries(tokens.BIANCHI)).toEqual([]);

    const bianchi = await getDevice(customerId, 'BIANCHI');
    expect(bianchi.pushOutcomes['S1:START_UPDATE:1']).toMatchObject({ status: 'failed', reasonCode: 'ENDPOINT_DISABLED' });
    expect(bianchi.notes.at(-1)).toMatch(/START UPDATE: Token push non più valido/);
  });

  it('after the operator starts the app (new token at check-in), a resend reaches the device', async () => {
    const customerId = newCustomerId();
    const tag = randomUUID().slice(0, 8);
    await putDevices(customerId, [{ serial: 'BIANCHI', pushToken: `stale-${tag}`, endpointArn: null }]);
    const first = await fanOut(request(customerId), { config: FAST });
    expect(first.devices[0]!.reasonCode).toBe('ENDPOINT_DISABLED');

    // Resend without a new token: still disabled (the stale token is not re-enabled).
    const again = await fanOut(request(customerId), { config: FAST });
    expect(again.devices[0]!.reasonCode).toBe('ENDPOINT_DISABLED');

    // Check-in with a fresh token: the endpoint gets the token and is enabled again.
    const fresh = `fcm-${tag}`;
    await putDevices(customerId, [
      { serial: 'BIANCHI', pushToken: fresh, endpointArn: (await getDevice(customerId, 'BIANCHI')).endpointArn },
    ]);
    const device = await getDevice(customerId, 'BIANCHI');
    expect(await ensureEndpoint({ customerId, serial: 'BIANCHI', pushToken: fresh, endpointArn: device.endpointArn })).toMatchObject({
      status: 'ready',
      action: 'updated',
    });

    const resend = await fanOut(request(customerId, { commandId: 'S1:START_UPDATE:2' }), { config: FAST });
    expect(resend.devices[0]!.outcome).toBe('sent');
    expect(await deliveries(fresh)).toHaveLength(1);
  });

  it('finds the existing endpoint when SNS refuses to create a second one for the same token', async () => {
    const customerId = newCustomerId();
    const token = `stale-${randomUUID().slice(0, 8)}`;
    await putDevices(customerId, [{ serial: 'A', pushToken: token, endpointArn: null }]);
    await fanOut(request(customerId), { config: FAST }); // creates the endpoint; the stale token disables it
    const arn = (await getDevice(customerId, 'A')).endpointArn as string;

    // The stored ARN is lost (e.g. the device re-registered): CreatePlatformEndpoint now answers
    // "already exists with the same Token, but different attributes" and names the endpoint.
    await putDevices(customerId, [{ serial: 'A', pushToken: token, endpointArn: null }]);
    expect(await ensureEndpoint({ customerId, serial: 'A', pushToken: token })).toEqual({
      status: 'ready',
      endpointArn: arn,
      action: 'created',
    });
    expect((await getDevice(customerId, 'A')).endpointArn).toBe(arn);
  });

  it(`tries a throttled publish at most N = ${DEFAULT_PUSH_CONFIG.maxAttempts} times, every attempt through the token bucket`, async () => {
    const customerId = newCustomerId();
    const token = `throttled-${randomUUID().slice(0, 8)}`;
    await putDevices(customerId, [{ serial: 'A', pushToken: token, endpointArn: null }]);
    const bucket = new TokenBucket(DEFAULT_PUSH_CONFIG.ratePerSecond, DEFAULT_PUSH_CONFIG.burst);
    let tokensTaken = 0;
    const limiter = {
      take: () => {
        tokensTaken++;
        return bucket.take();
      },
    };

    // The production configuration, only the backoff shortened; the real SNS client against the local endpoint.
    const result = await fanOut(request(customerId), { config: FAST, limiter });

    expect(result.devices[0]).toMatchObject({ outcome: 'failed', reasonCode: 'THROTTLED' });
    // What reached SNS: no SDK retries hidden under the fan-out's own.
    expect(await publishAttempts(token)).toBe(DEFAULT_PUSH_CONFIG.maxAttempts);
    expect(result.publishCalls).toBe(DEFAULT_PUSH_CONFIG.maxAttempts);
    expect(tokensTaken).toBe(DEFAULT_PUSH_CONFIG.maxAttempts);
  });
});
