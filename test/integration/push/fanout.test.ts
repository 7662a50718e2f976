import {
  CreatePlatformEndpointCommand,
  EndpointDisabledException,
  GetEndpointAttributesCommand,
  InternalErrorException,
  InvalidParameterException,
  NotFoundException,
  PlatformApplicationDisabledException,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  ThrottledException,
  type PublishCommandInput,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { readPushMessage } from '../../../shared/push/commands';
import { fanOut } from '../../../shared/push/fanout';
import { endpointArnFor, FAST, getDevice, newCustomerId, putDevices, request, serials } from './fixtures';

// Every SNS client: Publish goes through the fan-out's own client, the endpoint calls through the shared one.
const snsMock = mockClient(SNSClient);
beforeEach(() => snsMock.reset());

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const publishCalls = () => snsMock.commandCalls(PublishCommand);
const publishedArns = () => publishCalls().map((c) => c.args[0].input.TargetArn);
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fanOut: publishing', () => {
  it('publishes one data message per enabled device and records each as sent', async () => {
    const customerId = newCustomerId();
    await putDevices(
      customerId,
      serials(3).map((serial) => ({ serial, blocked: false, awaitingUpdate: false })),
    );
    snsMock.on(PublishCommand).callsFake((input: PublishCommandInput) => ({ MessageId: `m-${input.TargetArn?.split('/').pop()}` }));

    const result = await fanOut(request(customerId, { targetVersion: '03.02.00_040' }), { config: FAST });

    expect(result.complete).toBe(true);
    expect(result.counts).toEqual({ sent: 3, failed: 0, skippedAlreadySent: 0, noToken: 0 });
    expect(publishedArns().sort()).toEqual(serials(3).map((s) => endpointArnFor(s)));
    expect(result.devices[0]).toMatchObject({
      serial: 'SN0001',
      outcome: 'sent',
      operator: { code: 'OP01', name: 'Mario', surname: 'Rossi1' },
      messageId: 'm-SN0001-1',
      message: {
        en: 'Notification sent: the operator must now send unsent data (INVIO DATI NON TRASMESSI) as soon as possible.',
        it: "Notifica inviata: l'operatore deve eseguire al più presto INVIO DATI NON TRASMESSI.",
      },
    });

    const input = publishCalls()[0]!.args[0].input;
    expect(input.MessageStructure).toBe('json');
    expect(readPushMessage(input.Message!)).toEqual({
      command: 'START_UPDATE',
      sessionId: 'S1',
      sessionVersion: '3',
      commandId: 'S1:START_UPDATE:1',
      customerId,
      targetVersion: '03.02.00_040',
    });

    const device = await getDevice(customerId, 'SN0001');
    expect(device.pushOutcomes['S1:START_UPDATE:1']).toEqual({
      command: 'START_UPDATE',
      status: 'sent',
      messageId: 'm-SN0001-1',
      at: expect.any(String),
    });
    // Only its own attributes: session flags untouched, no note on success, "Notification sent ✓" not set here.
    expect(device).toMatchObject({ blocked: false, awaitingUpdate: false, installedVersion: '03.01.00_030', notes: [] });
    expect(device.notificationAcked).toBeUndefined();
  });

  it("adds the outcome beside the same session's earlier commands, and replaces an earlier session's outcomes", async () => {
    const customerId = newCustomerId();
    const sameSession = { command: 'START_UPDATE', status: 'sent', messageId: 'old', at: '2024-01-01T00:00:00.000Z' };
    const earlierSession = { command: 'ERROR_UPDATE', status: 'sent', messageId: 'older', at: '2023-01-01T00:00:00.000Z' };
    await putDevices(customerId, [
      { serial: 'A', pushSessionId: 'S1', pushOutcomes: { 'S1:START_UPDATE:0': sameSession } },
      { serial: 'B' },
      { serial: 'C', pushSessionId: 'S0', pushOutcomes: { 'S0:ERROR_UPDATE:1': earlierSession } },
    ]);
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    await fanOut(request(customerId), { config: FAST });

    expect((await getDevice(customerId, 'A')).pushOutcomes).toEqual({
      'S1:START_UPDATE:0': sameSession,
      'S1:START_UPDATE:1': expect.objectContaining({ status: 'sent' }),
    });
    expect(Object.keys((await getDevice(customerId, 'B')).pushOutcomes)).toEqual(['S1:START_UPDATE:1']);
    expect(Object.keys((await getDevice(customerId, 'C')).pushOutcomes)).toEqual(['S1:START_UPDATE:1']);
  });

  it('uses the END UPDATE and ERROR UPDATE texts of the manual', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    const end = await fanOut(request(customerId, { command: 'END_UPDATE', commandId: 'S1:END_UPDATE:1', targetVersion: '03.02.00_040' }), {
      config: FAST,
    });
    const error = await fanOut(request(customerId, { command: 'ERROR_UPDATE', commandId: 'S1:ERROR_UPDATE:1' }), { config: FAST });

    expect(end.devices[0]!.message.en).toBe('Notification sent: the device will now download and install the update.');
    expect(error.devices[0]!.message.it).toBe(
      "Notifica inviata: il dispositivo viene riattivato e l'operatore può riprendere la normale attività.",
    );
  });

  it('creates and stores the SNS endpoint of a device that has a token but no endpoint yet', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'NEW', pushToken: 'fcm-new', endpointArn: null }]);
    const arn = endpointArnFor('NEW');
    snsMock.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: arn });
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-new', Enabled: 'true' } });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(result.devices[0]!.outcome).toBe('sent');
    expect(snsMock.commandCalls(CreatePlatformEndpointCommand)[0]!.args[0].input).toMatchObject({
      Token: 'fcm-new',
      PlatformApplicationArn: process.env.PLATFORM_APPLICATION_ARN,
    });
    expect(publishedArns()).toEqual([arn]);
    expect((await getDevice(customerId, 'NEW')).endpointArn).toBe(arn);
  });
});

describe('fanOut: failures', () => {
  it('records EndpointDisabled as a permanent failure with the manual’s advice, a grid note and no retry', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'BIANCHI', pushToken: 'fcm-old' }]);
    snsMock.on(PublishCommand).rejects(new EndpointDisabledException({ message: 'Endpoint is disabled', ...meta(400) }));
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-old', Enabled: 'false' } });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(publishCalls()).toHaveLength(1);
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);
    expect(result.complete).toBe(true);
    expect(result.counts.failed).toBe(1);
    expect(result.devices[0]).toMatchObject({
      serial: 'BIANCHI',
      outcome: 'failed',
      reasonCode: 'ENDPOINT_DISABLED',
      message: {
        en: 'Push token no longer valid (app not started recently or reinstalled): ask the operator to start mOphas mobile, then resend; if it still fails, use the manual lock.',
      },
    });
    expect(result.devices[0]!.message.it).toContain('usare la procedura di BLOCCO MANUALE');

    const device = await getDevice(customerId, 'BIANCHI');
    expect(device.pushOutcomes['S1:START_UPDATE:1']).toMatchObject({
      status: 'failed',
      reasonCode: 'ENDPOINT_DISABLED',
      reason: expect.stringContaining('EndpointDisabled'),
    });
    expect(device.notes).toHaveLength(1);
    expect(device.notes[0]).toMatch(/START UPDATE: Token push non più valido/);
  });

  it('re-enables a disabled endpoint with the newer token the device reported, then delivers', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A', pushToken: 'fcm-new' }]);
    snsMock
      .on(PublishCommand)
      .rejectsOnce(new EndpointDisabledException({ message: 'Endpoint is disabled', ...meta(400) }))
      .resolves({ MessageId: 'm2' });
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-old', Enabled: 'false' } });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(result.devices[0]).toMatchObject({ outcome: 'sent', messageId: 'm2' });
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)[0]!.args[0].input.Attributes).toEqual({ Token: 'fcm-new', Enabled: 'true' });
    expect(publishCalls()).toHaveLength(2);
  });

  it('re-creates an endpoint SNS no longer has (NotFound) and publishes to the new one', async () => {
    const customerId = newCustomerId();
    const oldArn = endpointArnFor('A', 1);
    const newArn = endpointArnFor('A', 2);
    await putDevices(customerId, [{ serial: 'A', endpointArn: oldArn }]);
    snsMock.on(PublishCommand, { TargetArn: oldArn }).rejects(new NotFoundException({ message: 'Endpoint does not exist', ...meta(404) }));
    snsMock.on(PublishCommand, { TargetArn: newArn }).resolves({ MessageId: 'm-new' });
    snsMock.on(GetEndpointAttributesCommand).rejects(new NotFoundException({ message: 'Endpoint does not exist', ...meta(404) }));
    snsMock.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: newArn });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(result.devices[0]).toMatchObject({ outcome: 'sent', messageId: 'm-new' });
    expect(publishedArns()).toEqual([oldArn, newArn]);
    expect((await getDevice(customerId, 'A')).endpointArn).toBe(newArn);
  });

  it('gives up with ENDPOINT_NOT_FOUND when the re-created endpoint is not found either', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    snsMock.on(PublishCommand).rejects(new NotFoundException({ message: 'Endpoint does not exist', ...meta(404) }));
    snsMock.on(GetEndpointAttributesCommand).rejects(new NotFoundException({ message: 'Endpoint does not exist', ...meta(404) }));
    snsMock.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: endpointArnFor('A', 2) });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(publishCalls()).toHaveLength(2);
    expect(result.devices[0]).toMatchObject({ outcome: 'failed', reasonCode: 'ENDPOINT_NOT_FOUND' });
    expect(result.devices[0]!.message.en).toBe(
      'Notification not sent (push endpoint missing even after re-creating it): use the manual lock.',
    );
  });

  it('retries throttling and 5xx errors, then succeeds', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    snsMock
      .on(PublishCommand)
      .rejectsOnce(new ThrottledException({ message: 'Rate exceeded', ...meta(400) }))
      .rejectsOnce(new InternalErrorException({ message: 'Internal error', ...meta(500) }))
      .rejectsOnce(Object.assign(new Error('Too many requests'), { name: 'Throttling', $metadata: { httpStatusCode: 429 } }))
      .resolves({ MessageId: 'm' });

    const result = await fanOut(request(customerId), { config: { ...FAST, maxAttempts: 5 } });

    expect(publishCalls()).toHaveLength(4);
    expect(result.devices[0]).toMatchObject({ outcome: 'sent', messageId: 'm' });
    expect(result.publishCalls).toBe(4);
  });

  it('retries network errors', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    snsMock
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .resolves({ MessageId: 'm' });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(publishCalls()).toHaveLength(2);
    expect(result.devices[0]!.outcome).toBe('sent');
  });

  it('stops after maxAttempts of throttling and records a transient failure that says to resend later', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    snsMock.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', ...meta(400) }));

    const result = await fanOut(request(customerId), { config: { ...FAST, maxAttempts: 3 } });

    expect(publishCalls()).toHaveLength(3);
    expect(result.devices[0]).toMatchObject({ outcome: 'failed', reasonCode: 'THROTTLED' });
    expect(result.devices[0]!.message.en).toBe(
      'Notification not sent (push service busy): resend in a few minutes; if it still fails, use the manual lock.',
    );
  });

  it.each([
    ['InvalidParameter', new InvalidParameterException({ message: 'Invalid parameter: TargetArn', ...meta(400) }), 'INVALID_PARAMETER'],
    [
      'PlatformApplicationDisabled',
      new PlatformApplicationDisabledException({ message: 'Platform application is disabled', ...meta(400) }),
      'PLATFORM_APPLICATION_DISABLED',
    ],
  ])('never retries a permanent failure (%s): exactly one Publish', async (_name, error, reasonCode) => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    snsMock.on(PublishCommand).rejects(error);

    const result = await fanOut(request(customerId), { config: { ...FAST, maxAttempts: 5 } });

    expect(publishCalls()).toHaveLength(1);
    expect(result.devices[0]).toMatchObject({ outcome: 'failed', reasonCode });
    expect(result.devices[0]!.message.en).toMatch(/: use the manual lock\.$/);
  });

  it('records a device without push token as no-token, sends nothing to it and still completes', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'GALLO', pushToken: null, endpointArn: null }, { serial: 'ROSSI' }]);
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(result.complete).toBe(true);
    expect(snsMock.calls()).toHaveLength(1);
    expect(result.counts).toMatchObject({ sent: 1, noToken: 1, failed: 0 });
    expect(result.devices.find((d) => d.serial === 'GALLO')).toMatchObject({
      outcome: 'no-token',
      reasonCode: 'NO_TOKEN',
      message: { en: 'No push token — ask the operator to start mOphas mobile, then resend.' },
    });
    const device = await getDevice(customerId, 'GALLO');
    expect(device.pushOutcomes['S1:START_UPDATE:1']).toMatchObject({ status: 'failed', reasonCode: 'NO_TOKEN' });
    expect(device.notes[0]).toMatch(/Nessun token push/);
  });

  it('keeps only the last 10 notes on a device', async () => {
    const customerId = newCustomerId();
    const old = Array.from({ length: 10 }, (_, i) => `old note ${i}`);
    await putDevices(customerId, [{ serial: 'A', pushToken: null, endpointArn: null, notes: old }]);

    await fanOut(request(customerId), { config: FAST });

    const { notes } = await getDevice(customerId, 'A');
    expect(notes).toHaveLength(10);
    expect(notes[0]).toBe('old note 1');
    expect(notes[9]).toMatch(/Nessun token push/);
  });
});

describe('fanOut: selection, idempotency and resume', () => {
  it('does not push disabled devices and reports requested serials it ignored', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'ON' }, { serial: 'OFF', enabled: false }]);
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    const all = await fanOut(request(customerId), { config: FAST });
    expect(publishedArns()).toEqual([endpointArnFor('ON')]);
    expect(all.devices.map((d) => d.serial)).toEqual(['ON']);

    snsMock.resetHistory();
    const named = await fanOut(request(customerId, { commandId: 'S1:START_UPDATE:2', serials: ['OFF', 'GHOST'] }), { config: FAST });
    expect(publishCalls()).toHaveLength(0);
    expect(named.ignored).toEqual([
      { serial: 'OFF', reason: 'disabled' },
      { serial: 'GHOST', reason: 'not-found' },
    ]);
    expect((await getDevice(customerId, 'OFF')).pushOutcomes).toBeUndefined();
  });

  it('pushes only the named row when serials are given (resend to one device)', async () => {
    const customerId = newCustomerId();
    await putDevices(
      customerId,
      serials(5).map((serial) => ({ serial })),
    );
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    const result = await fanOut(request(customerId, { serials: ['SN0003'] }), { config: FAST });

    expect(publishedArns()).toEqual([endpointArnFor('SN0003')]);
    expect(result.devices.map((d) => d.serial)).toEqual(['SN0003']);
  });

  it('re-run with the same commandId publishes nothing to devices already sent and retries only the failed ones', async () => {
    const customerId = newCustomerId();
    await putDevices(
      customerId,
      serials(3).map((serial) => ({ serial })),
    );
    const failing = endpointArnFor('SN0002');
    snsMock.on(PublishCommand).resolves({ MessageId: 'm1' });
    snsMock
      .on(PublishCommand, { TargetArn: failing })
      .rejectsOnce(new InvalidParameterException({ message: 'Invalid parameter', ...meta(400) }))
      .resolves({ MessageId: 'm2' });

    const first = await fanOut(request(customerId), { config: FAST });
    expect(first.counts).toMatchObject({ sent: 2, failed: 1 });
    expect(publishCalls()).toHaveLength(3);

    // (resetHistory would also rewind the rejectsOnce above.)
    const second = await fanOut(request(customerId), { config: FAST });

    expect(publishedArns().slice(3)).toEqual([failing]);
    expect(second.counts).toEqual({ sent: 1, failed: 0, skippedAlreadySent: 2, noToken: 0 });
    expect(second.devices.find((d) => d.serial === 'SN0001')).toMatchObject({
      outcome: 'skipped-already-sent',
      messageId: 'm1',
      message: { en: expect.stringMatching(/^Notification already sent/) },
    });
    expect((await getDevice(customerId, 'SN0002')).pushOutcomes['S1:START_UPDATE:1']).toMatchObject({ status: 'sent', messageId: 'm2' });
  });

  it('a new commandId (a deliberate resend) pushes every device again', async () => {
    const customerId = newCustomerId();
    await putDevices(
      customerId,
      serials(2).map((serial) => ({ serial })),
    );
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    await fanOut(request(customerId), { config: FAST });
    await fanOut(request(customerId, { commandId: 'S1:START_UPDATE:2' }), { config: FAST });

    expect(publishCalls()).toHaveLength(4);
  });

  it('stops at the deadline with complete: false, and the next run pushes exactly the rest', async () => {
    const customerId = newCustomerId();
    const all = serials(30);
    await putDevices(
      customerId,
      all.map((serial) => ({ serial })),
    );
    snsMock.on(PublishCommand).callsFake(async () => {
      await delay(15);
      return { MessageId: 'm' };
    });

    const first = await fanOut(request(customerId), { config: { ...FAST, concurrency: 2 }, deadline: Date.now() + 100 });

    expect(first.complete).toBe(false);
    const firstCalls = publishCalls().length;
    expect(firstCalls).toBeGreaterThan(0);
    expect(firstCalls).toBeLessThan(all.length);
    // Every publish made before stopping is recorded.
    expect(first.counts.sent).toBe(firstCalls);

    const second = await fanOut(request(customerId), { config: { ...FAST, concurrency: 4 } });

    expect(second.complete).toBe(true);
    expect(publishCalls()).toHaveLength(all.length);
    expect(new Set(publishedArns()).size).toBe(all.length);
    expect(second.counts).toMatchObject({ sent: all.length - firstCalls, skippedAlreadySent: firstCalls });
  });

  it('keeps at most `concurrency` publishes in flight', async () => {
    const customerId = newCustomerId();
    await putDevices(
      customerId,
      serials(12).map((serial) => ({ serial })),
    );
    let inFlight = 0;
    let peak = 0;
    snsMock.on(PublishCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await delay(10);
      inFlight--;
      return { MessageId: 'm' };
    });

    await fanOut(request(customerId), { config: { ...FAST, concurrency: 3 } });

    expect(peak).toBe(3);
  });

  it('pages through more devices than one DynamoDB page', async () => {
    const customerId = newCustomerId();
    // ~9 KB each → a Query needs two 1 MB pages.
    await putDevices(
      customerId,
      serials(130).map((serial) => ({ serial, padding: 'x'.repeat(9000) })),
    );
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });

    const result = await fanOut(request(customerId), { config: FAST });

    expect(result.counts.sent).toBe(130);
    expect(new Set(publishedArns()).size).toBe(130);
  });
});

describe('fanOut: bad input', () => {
  it('refuses an unknown command with 400 UNKNOWN_COMMAND', async () => {
    const error = await fanOut(request(newCustomerId(), { command: 'REBOOT' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ statusCode: 400, code: 'UNKNOWN_COMMAND' });
    expect(snsMock.calls()).toHaveLength(0);
  });

  it('refuses a malformed request with 400 VALIDATION_FAILED naming the field', async () => {
    const error = await fanOut(request(newCustomerId(), { commandId: 'has spaces', sessionVersion: -1 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect((error as AppError).details?.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'commandId' }), expect.objectContaining({ field: 'sessionVersion' })]),
    );
  });
});
