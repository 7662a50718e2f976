import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { queryGsi1Page, type Page } from './cases';
import { customerKeys, gsi1Keys } from './keys';
import { queryGsi1All } from './query';
import { batchGetAll, type TransactItem } from './table';

/** The customer profile (pk CUST#<id>, sk PROFILE); this module owns its shape and its writes. */
export interface CustomerProfile {
  customerId: string;
  name: string;
  /** The desktop version the backend knows (set at onboarding, then by each successful phase 2). */
  desktopVersion?: string;
  createdAt?: string;
  /** Support identity that created the customer. */
  createdBy?: string;
  updatedAt?: string;
  updatedBy?: string;
  /**
   * The customer's live SERVER workstation credential, if any: at most one per
   * customer (the manual's "computer centrale"), claimed in the same transaction
   * that issues, rotates or revokes it.
   */
  serverCredentialId?: string;
  /** The customer's live licence code (one at a time: devices register with it, DEV-1). */
  licenceCode?: string;
}

const KEY_ATTRIBUTES = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk'];
const toProfile = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.includes(k))) as unknown as CustomerProfile;

export async function getProfile(customerId: string): Promise<CustomerProfile | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: customerKeys.profile(customerId), ConsistentRead: true }));
  return Item ? toProfile(Item) : undefined;
}

/** Transaction item creating a customer profile; its condition fails when the id is taken. */
export function newProfileItem(profile: CustomerProfile & { createdAt: string }): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...customerKeys.profile(profile.customerId),
        type: 'customer',
        ...profile,
        // The customer list (support's list, rollout waves): one shape, customerListKeys.
        ...customerListKeys(profile.customerId),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Transaction item changing the name and/or desktop version of an existing customer. */
export function updateProfileItem(
  customerId: string,
  changes: { name?: string; desktopVersion?: string },
  by: { id: string; at: string },
): TransactItem {
  const sets = ['updatedAt = :at', 'updatedBy = :by'];
  const values: Record<string, unknown> = { ':at': by.at, ':by': by.id };
  const names: Record<string, string> = {};
  if (changes.name !== undefined) {
    sets.push('#name = :name');
    names['#name'] = 'name';
    values[':name'] = changes.name;
  }
  if (changes.desktopVersion !== undefined) {
    sets.push('desktopVersion = :version');
    values[':version'] = changes.desktopVersion;
  }
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    },
  };
}

/** Transaction condition: the customer exists. */
export function customerExistsItem(customerId: string): TransactItem {
  return { ConditionCheck: { TableName: tableName(), Key: customerKeys.profile(customerId), ConditionExpression: 'attribute_exists(pk)' } };
}

/**
 * Transaction item making `credentialId` the customer's SERVER credential:
 * only if the customer has none (`replacing` undefined) or still has `replacing`
 * (a rotation), so two SERVER credentials can never be live together.
 */
export function claimServerCredentialItem(customerId: string, credentialId: string, replacing?: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: 'SET serverCredentialId = :id',
      ConditionExpression: replacing
        ? 'attribute_exists(pk) AND serverCredentialId = :previous'
        : 'attribute_exists(pk) AND attribute_not_exists(serverCredentialId)',
      ExpressionAttributeValues: { ':id': credentialId, ...(replacing ? { ':previous': replacing } : {}) },
    },
  };
}

/** Transaction item forgetting the customer's SERVER credential when it is revoked. */
export function releaseServerCredentialItem(customerId: string, credentialId: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: 'REMOVE serverCredentialId',
      ConditionExpression: 'serverCredentialId = :id',
      ExpressionAttributeValues: { ':id': credentialId },
    },
  };
}

/** Transaction item making `code` the customer's live licence, only if it has none. */
export function claimLicenceItem(customerId: string, code: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: 'SET licenceCode = :code',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(licenceCode)',
      ExpressionAttributeValues: { ':code': code },
    },
  };
}

/** Transaction item forgetting the customer's live licence `code` when it is revoked. */
export function releaseLicenceItem(customerId: string, code: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: 'REMOVE licenceCode',
      ConditionExpression: 'licenceCode = :code',
      ExpressionAttributeValues: { ':code': code },
    },
  };
}

/**
 * One page of customers, by id (Query gsi1 `CUSTOMERS`), optionally only those
 * `keep` accepts (an agent's customers).
 */
export async function listProfiles(options: {
  limit: number;
  cursor?: string;
  keep?: (customerId: string) => boolean;
}): Promise<Page<CustomerProfile>> {
  const { keep } = options;
  const page = await queryGsi1Page(gsi1Keys.customers, {
    limit: options.limit,
    cursor: options.cursor,
    ascending: true,
    keep: keep ? (item) => keep(String(item.customerId)) : undefined,
  });
  return { items: page.items.map(toProfile), cursor: page.cursor };
}

/** Transaction item recording the desktop's new installed version (with the phase-2 success). */
export function setDesktopVersionItem(customerId: string, version: string) {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: 'SET desktopVersion = :v',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':v': version },
    },
  };
}

/**
 * The index attributes every customer profile carries so it appears in the
 * customer list (gsi1 `CUSTOMERS`, sorted by id): spread them into the profile
 * item wherever a customer is created.
 */
export const customerListKeys = (customerId: string) => ({ gsi1pk: gsi1Keys.customers, gsi1sk: customerId });

/** Every customer id, from the customer list (one paginated Query of the index, ids only). */
export async function listCustomerIds(): Promise<string[]> {
  const items = await queryGsi1All<{ gsi1sk: string }>(gsi1Keys.customers, { expression: 'gsi1sk' });
  return items.map((item) => item.gsi1sk);
}

/** Which of `customerIds` have a profile (BatchGetItem by 100, unprocessed keys retried). */
export async function existingCustomers(customerIds: readonly string[]): Promise<Set<string>> {
  const items = await batchGetAll(
    customerIds.map((id) => customerKeys.profile(id)),
    { projection: { expression: 'customerId' } },
  );
  return new Set(items.map((item) => item.customerId as string));
}

/** Name and desktop version of every customer, from the customer list (one paginated Query of the index). */
export async function listCustomerProfiles(): Promise<CustomerProfile[]> {
  return queryGsi1All<CustomerProfile>(gsi1Keys.customers, { expression: 'customerId, #n, desktopVersion', names: { '#n': 'name' } });
}

/** The profiles of `customerIds` that exist (BatchGetItem by 100, unprocessed keys retried). */
export async function getProfiles(customerIds: readonly string[]): Promise<CustomerProfile[]> {
  const items = await batchGetAll(
    customerIds.map((id) => customerKeys.profile(id)),
    {
      projection: { expression: 'customerId, #n, desktopVersion', names: { '#n': 'name' } },
    },
  );
  return items as unknown as CustomerProfile[];
}
