import {
  CreatePlatformEndpointCommand,
  GetEndpointAttributesCommand,
  InvalidParameterException,
  NotFoundException,
  SetEndpointAttributesCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sns } from '../../../shared/aws/sns';
import { ensureEndpoint, existingEndpointArn } from '../../../shared/push/endpoints';
import { snsErrorName } from '../../../shared/push/limits';
import { endpointArnFor, getDevice, newCustomerId, putDevices } from './fixtures';

const snsMock = mockClient(sns);
beforeEach(() => snsMock.reset());

const notFound = () => new NotFoundException({ message: 'Endpoint does not exist', $metadata: { httpStatusCode: 404 } });

/** Seeds one device and returns what ensureEndpoint is given (as the check-in code would). */
async function device(pushToken: string | null, endpointArn: string | null) {
  const customerId = newCustomerId();
  await putDevices(customerId, [{ serial: 'D1', pushToken, endpointArn }]);
  return { customerId, serial: 'D1', pushToken: pushToken ?? undefined, endpointArn: endpointArn ?? undefined };
}

describe('ensureEndpoint (AWS token-management pattern)', () => {
  it('creates the first endpoint, stores its ARN on the device and checks its attributes', async () => {
    const d = await device('fcm-1', null);
    const arn = endpointArnFor('D1');
    snsMock.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: arn });
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-1', Enabled: 'true' } });

    expect(await ensureEndpoint(d)).toEqual({ status: 'ready', endpointArn: arn, action: 'created' });
    expect(snsMock.commandCalls(CreatePlatformEndpointCommand)[0]!.args[0].input).toEqual({
      PlatformApplicationArn: process.env.PLATFORM_APPLICATION_ARN,
      Token: 'fcm-1',
      CustomUserData: `${d.customerId}/D1`,
    });
    expect((await getDevice(d.customerId, 'D1')).endpointArn).toBe(arn);
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);
  });

  it('leaves a healthy endpoint alone', async () => {
    const d = await device('fcm-1', endpointArnFor('D1'));
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-1', Enabled: 'true' } });

    expect(await ensureEndpoint(d)).toMatchObject({ status: 'ready', action: 'unchanged' });
    expect(snsMock.calls()).toHaveLength(1);
  });

  it('re-creates the endpoint when GetEndpointAttributes says NotFound, and stores the new ARN', async () => {
    const d = await device('fcm-1', endpointArnFor('D1', 1));
    snsMock.on(GetEndpointAttributesCommand).rejects(notFound());
    snsMock.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: endpointArnFor('D1', 2) });

    expect(await ensureEndpoint(d)).toEqual({ status: 'ready', endpointArn: endpointArnFor('D1', 2), action: 'recreated' });
    expect((await getDevice(d.customerId, 'D1')).endpointArn).toBe(endpointArnFor('D1', 2));
  });

  it('sets the latest token and Enabled=true when the endpoint has another token', async () => {
    const d = await device('fcm-new', endpointArnFor('D1'));
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-old', Enabled: 'true' } });

    expect(await ensureEndpoint(d)).toMatchObject({ status: 'ready', action: 'updated' });
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)[0]!.args[0].input).toEqual({
      EndpointArn: endpointArnFor('D1'),
      Attributes: { Token: 'fcm-new', Enabled: 'true' },
    });
  });

  it('re-enables a disabled endpoint at check-in, but not when asked to keep a stale token disabled', async () => {
    const d = await device('fcm-1', endpointArnFor('D1'));
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-1', Enabled: 'false' } });

    expect(await ensureEndpoint(d, { reenableSameToken: false })).toEqual({ status: 'disabled', endpointArn: endpointArnFor('D1') });
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)).toHaveLength(0);

    expect(await ensureEndpoint(d)).toMatchObject({ status: 'ready', action: 'updated' });
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)).toHaveLength(1);
  });

  it('takes the ARN from SNS’s "already exists with the same Token, but different attributes" refusal', async () => {
    const d = await device('fcm-1', null);
    const existing = endpointArnFor('OTHER');
    snsMock.on(CreatePlatformEndpointCommand).rejects(
      new InvalidParameterException({
        message: `Invalid parameter: Token Reason: Endpoint ${existing} already exists with the same Token, but different attributes.`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-1', Enabled: 'false' } });

    expect(await ensureEndpoint(d)).toEqual({ status: 'ready', endpointArn: existing, action: 'created' });
    expect(snsMock.commandCalls(SetEndpointAttributesCommand)[0]!.args[0].input.Attributes).toEqual({ Token: 'fcm-1', Enabled: 'true' });
    expect((await getDevice(d.customerId, 'D1')).endpointArn).toBe(existing);
  });

  it('keeps the ARN another request stored first', async () => {
    const d = await device('fcm-1', null);
    const first = endpointArnFor('D1', 1);
    // Another check-in stored an endpoint after this one read the device.
    await putDevices(d.customerId, [{ serial: 'D1', pushToken: 'fcm-1', endpointArn: first }]);
    snsMock.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: endpointArnFor('D1', 2) });
    snsMock.on(GetEndpointAttributesCommand).resolves({ Attributes: { Token: 'fcm-1', Enabled: 'true' } });

    expect(await ensureEndpoint(d)).toMatchObject({ status: 'ready', endpointArn: first });
    expect((await getDevice(d.customerId, 'D1')).endpointArn).toBe(first);
  });

  it('does nothing for a device without push token', async () => {
    expect(await ensureEndpoint({ customerId: 'x', serial: 'y' })).toEqual({ status: 'no-token' });
    expect(snsMock.calls()).toHaveLength(0);
  });

  it('propagates other SNS errors', async () => {
    const d = await device('fcm-1', null);
    snsMock
      .on(CreatePlatformEndpointCommand)
      .rejects(new InvalidParameterException({ message: 'Invalid parameter: Token', $metadata: {} }));
    await expect(ensureEndpoint(d)).rejects.toThrow('Invalid parameter: Token');
  });
});

describe('SNS error helpers', () => {
  it('reads the error code from SDK errors, Query-protocol codes and plain errors', () => {
    expect(snsErrorName(notFound())).toBe('NotFound');
    expect(snsErrorName({ Code: 'EndpointDisabled' })).toBe('EndpointDisabled');
    expect(snsErrorName(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe('Throttling');
    expect(snsErrorName(new Error('plain'))).toBe('Unknown');
  });

  it('extracts the existing endpoint ARN only from the matching InvalidParameter message', () => {
    const arn = 'arn:aws:sns:eu-south-1:123456789012:endpoint/GCM/app/0a1b2c3d-aaaa-bbbb-cccc-000000000000';
    const err = (message: string, name = 'InvalidParameterException') => Object.assign(new Error(message), { name });
    expect(
      existingEndpointArn(
        err(`Invalid parameter: Token Reason: Endpoint ${arn} already exists with the same Token, but different attributes.`),
      ),
    ).toBe(arn);
    expect(
      existingEndpointArn(
        err(`Invalid parameter: Token Reason: Endpoint ${arn} already exists with the same token, but different attributes.`),
      ),
    ).toBe(arn);
    expect(existingEndpointArn(err('Invalid parameter: Token'))).toBeUndefined();
    expect(existingEndpointArn(err(`Endpoint ${arn} already exists with the same Token`, 'NotFoundException'))).toBeUndefined();
  });
});
