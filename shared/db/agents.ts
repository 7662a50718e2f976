import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SupportPrincipal } from '../auth/principals';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { badRequest, conflict } from '../errors';
import { actorOf, auditPutItem } from './audit';
import { agentKeys, gsi1Keys, TABLE_KEYS } from './keys';
import { appliedUnlessConditionFailed, transact } from './table';

/**
 * The one owner of agent assignments: which customers an agent (a user of the
 * staff user pool, group `agent`) may act for. Item `AGENT#<sub>`/`AGENT`, a
 * string set `customers`, listed through gsi1 (`AGENTS`, by user name). Every
 * change is written with an audit entry in the customer's trail, in one
 * transaction; a change that changes nothing (assigning twice) writes nothing.
 */

/** Most customers one agent may be assigned (keeps the item far below DynamoDB's 400 KB). */
export const MAX_CUSTOMERS_PER_AGENT = 1000;

/** What staff see of an agent. */
export interface AgentView {
  username: string;
  /** The pool's stable user id. */
  sub: string;
  customers: string[];
  updatedAt?: string;
  updatedBy?: string;
}

interface AgentItem {
  sub: string;
  username: string;
  customers?: Set<string>;
  updatedAt?: string;
  updatedBy?: string;
}

const view = (item: AgentItem): AgentView => ({
  username: item.username,
  sub: item.sub,
  customers: [...(item.customers ?? [])].sort(),
  updatedAt: item.updatedAt,
  updatedBy: item.updatedBy,
});

/** The customers an agent is assigned to (none when it has no item). Read at every request of an agent. */
export async function getAgentCustomers(sub: string): Promise<string[]> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: agentKeys.agent(sub), ProjectionExpression: 'customers', ConsistentRead: true }),
  );
  return [...((Item?.customers as Set<string> | undefined) ?? [])];
}

/** One agent's assignments, or an empty list for an agent never assigned. */
export async function getAgent(sub: string, username: string): Promise<AgentView> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: agentKeys.agent(sub), ConsistentRead: true }));
  return Item ? view(Item as AgentItem) : { username, sub, customers: [] };
}

/** Agents that have (or had) assignments, by user name, paginated by an opaque cursor. */
export async function listAgents(options: { limit?: number; cursor?: string } = {}): Promise<{ agents: AgentView[]; cursor?: string }> {
  const { indexName, partitionKey } = TABLE_KEYS.gsi1;
  const page = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: indexName,
      KeyConditionExpression: `${partitionKey} = :p`,
      ExpressionAttributeValues: { ':p': gsi1Keys.agents },
      Limit: options.limit ?? 50,
      ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor) : undefined,
    }),
  );
  return {
    agents: (page.Items ?? []).map((i) => view(i as AgentItem)),
    cursor: page.LastEvaluatedKey ? Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') : undefined,
  };
}

/** An agent's assignments found by user name (for an agent no longer in the pool). */
export async function agentByName(username: string): Promise<{ sub: string; username: string } | undefined> {
  const { indexName, partitionKey, sortKey } = TABLE_KEYS.gsi1;
  const page = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: indexName,
      KeyConditionExpression: `${partitionKey} = :p AND ${sortKey} = :u`,
      ExpressionAttributeValues: { ':p': gsi1Keys.agents, ':u': username },
      Limit: 1,
    }),
  );
  const item = page.Items?.[0] as AgentItem | undefined;
  return item ? { sub: item.sub, username: item.username } : undefined;
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key && key.gsi1pk === gsi1Keys.agents && typeof key.pk === 'string' && key.pk.startsWith('AGENT#')) return key;
  } catch {
    // refused below
  }
  throw badRequest('INVALID_CURSOR', 'The page cursor is not valid: start again from the first page.');
}

/**
 * Assigns a customer to an agent, audited in the customer's trail. Idempotent:
 * assigning an agent already assigned changes (and audits) nothing.
 * @throws 409 TOO_MANY_CUSTOMERS when the agent has MAX_CUSTOMERS_PER_AGENT already
 */
export async function assignCustomer(input: {
  agent: { sub: string; username: string };
  customerId: string;
  by: SupportPrincipal;
  now?: Date;
}): Promise<{ agent: AgentView; changed: boolean }> {
  const at = (input.now ?? new Date()).toISOString();
  const actor = actorOf(input.by);
  const applied = appliedUnlessConditionFailed(
    await transact([
      {
        Update: {
          TableName: tableName(),
          Key: agentKeys.agent(input.agent.sub),
          UpdateExpression:
            'ADD customers :c SET #type = :type, #sub = :sub, username = :u, gsi1pk = :g, gsi1sk = :u, updatedAt = :at, updatedBy = :by',
          ConditionExpression: 'attribute_not_exists(customers) OR (NOT contains(customers, :id) AND size(customers) < :max)',
          ExpressionAttributeNames: { '#type': 'type', '#sub': 'sub' },
          ExpressionAttributeValues: {
            ':c': new Set([input.customerId]),
            ':id': input.customerId,
            ':max': MAX_CUSTOMERS_PER_AGENT,
            ':type': 'agent',
            ':sub': input.agent.sub,
            ':u': input.agent.username,
            ':g': gsi1Keys.agents,
            ':at': at,
            ':by': actor.id,
          },
        },
      },
      auditPutItem({
        customerId: input.customerId,
        at,
        action: 'agent.assigned',
        actor,
        outcome: 'ok',
        details: { agent: input.agent.username },
      }),
    ]),
  );
  if (applied) return { agent: await getAgent(input.agent.sub, input.agent.username), changed: true };
  const current = await getAgent(input.agent.sub, input.agent.username);
  if (current.customers.includes(input.customerId)) return { agent: current, changed: false };
  throw conflict(
    'TOO_MANY_CUSTOMERS',
    `An agent can be assigned at most ${MAX_CUSTOMERS_PER_AGENT} customers.`,
    { agent: current.username, customers: current.customers.length },
    `A un agente si possono assegnare al massimo ${MAX_CUSTOMERS_PER_AGENT} clienti.`,
  );
}

/** Removes a customer from an agent, audited. Idempotent: removing one not assigned changes nothing. */
export async function unassignCustomer(input: {
  agent: { sub: string; username: string };
  customerId: string;
  by: SupportPrincipal;
  now?: Date;
}): Promise<{ agent: AgentView; changed: boolean }> {
  const at = (input.now ?? new Date()).toISOString();
  const actor = actorOf(input.by);
  const changed = appliedUnlessConditionFailed(
    await transact([
      {
        Update: {
          TableName: tableName(),
          Key: agentKeys.agent(input.agent.sub),
          UpdateExpression: 'DELETE customers :c SET updatedAt = :at, updatedBy = :by',
          ConditionExpression: 'contains(customers, :id)',
          ExpressionAttributeValues: {
            ':c': new Set([input.customerId]),
            ':id': input.customerId,
            ':at': at,
            ':by': actor.id,
          },
        },
      },
      auditPutItem({
        customerId: input.customerId,
        at,
        action: 'agent.unassigned',
        actor,
        outcome: 'ok',
        details: { agent: input.agent.username },
      }),
    ]),
  );
  return { agent: await getAgent(input.agent.sub, input.agent.username), changed };
}
