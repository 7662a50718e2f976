import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../../shared/aws/dynamodb';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import type { PushConfig } from '../../../shared/push/limits';

/** A customer id of its own per test, so tests sharing DynamoDB Local never see each other's devices. */
export const newCustomerId = () => `t-${randomUUID().slice(0, 13)}`;

export const endpointArnFor = (serial: string, generation = 1) =>
  `arn:aws:sns:eu-south-1:000000000000:endpoint/GCM/mophas-mobile/${serial}-${generation}`;

/** Tiny backoff so retry tests stay fast; no deadline margin unless a test sets one. */
export const FAST: Partial<PushConfig> = { baseDelayMs: 1, maxDelayMs: 2, deadlineMarginMs: 0 };

export interface DeviceSeed {
  serial: string;
  enabled?: boolean;
  pushToken?: string | null;
  endpointArn?: string | null;
  [attribute: string]: unknown;
}

/**
 * Writes device items shaped like local/seed.ts. By default a device is enabled,
 * has a token and a stored endpoint ARN; pass `null` to leave one out.
 */
export async function putDevices(customerId: string, seeds: DeviceSeed[]): Promise<void> {
  const items = seeds.map(({ serial, enabled = true, pushToken, endpointArn, ...rest }, i) => {
    const item: Record<string, unknown> = {
      ...deviceKey(customerId, serial),
      type: 'device',
      customerId,
      serial,
      operator: { code: `OP${String(i + 1).padStart(2, '0')}`, name: 'Mario', surname: `Rossi${i + 1}` },
      enabled,
      installedVersion: '03.01.00_030',
      notificationsEnabled: pushToken !== null,
      notes: [],
      ...rest,
    };
    if (pushToken !== null) item.pushToken = pushToken ?? `fcm-${serial}`;
    if (endpointArn !== null) item.endpointArn = endpointArn ?? endpointArnFor(serial);
    return item;
  });
  for (let i = 0; i < items.length; i += 25) {
    let requests: unknown[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests as never } }));
      requests = (out.UnprocessedItems?.[tableName()] as unknown[] | undefined) ?? [];
    }
  }
}

export async function getDevice(customerId: string, serial: string): Promise<Record<string, any>> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: deviceKey(customerId, serial), ConsistentRead: true }));
  if (!Item) throw new Error(`device ${serial} not found`);
  return Item;
}

export const serials = (n: number, prefix = 'SN') => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);

export const request = (customerId: string, overrides: Record<string, unknown> = {}) => ({
  customerId,
  sessionId: 'S1',
  sessionVersion: 3,
  command: 'START_UPDATE',
  commandId: 'S1:START_UPDATE:1',
  ...overrides,
});
