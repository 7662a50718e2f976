import type { SupportPrincipal } from '../../shared/auth/principals';
import { STAFF_GROUPS } from '../../shared/auth/sign-in';
import { getPoolUser } from '../../shared/aws/cognito';
import { agentByName, assignCustomer, getAgent, unassignCustomer, type AgentView } from '../../shared/db/agents';
import { AppError, conflict } from '../../shared/errors';
import { assertCustomerExists } from './access';

/**
 * Agent assignments, managed by staff: which customers an agent (a user of the
 * staff pool in group `agent`) may act for. The agent is looked up in the pool,
 * so an assignment always names a real agent and is keyed by its stable id.
 */

const agentNotFound = (username: string) =>
  new AppError(
    404,
    'AGENT_NOT_FOUND',
    `There is no user ${username} in the staff user pool.`,
    { username },
    `L'utente ${username} non esiste tra gli utenti Alturas.`,
  );

/** The pool user behind a name, required to be in group `agent`. */
async function requireAgent(username: string): Promise<{ sub: string; username: string }> {
  const user = await getPoolUser(username);
  if (!user) throw agentNotFound(username);
  if (!user.groups.includes(STAFF_GROUPS.agent)) {
    throw conflict(
      'NOT_AN_AGENT',
      `${user.username} is not in the user pool group "${STAFF_GROUPS.agent}": add it to the group first.`,
      { username: user.username, groups: user.groups },
      `${user.username} non è nel gruppo "${STAFF_GROUPS.agent}": aggiungerlo prima al gruppo.`,
    );
  }
  return { sub: user.sub, username: user.username };
}

/** GET one agent: its assigned customers. */
export async function showAgent(username: string): Promise<AgentView> {
  const agent = await requireAgent(username);
  return getAgent(agent.sub, agent.username);
}

/** PUT: assigns a customer to an agent (the customer must exist). */
export async function assignAgent(staff: SupportPrincipal, username: string, customerId: string) {
  const agent = await requireAgent(username);
  await assertCustomerExists(customerId);
  return assignCustomer({ agent, customerId, by: staff });
}

/**
 * DELETE: removes a customer from an agent. Works for a user already deleted
 * from the pool or moved out of the group too (found by name in its assignments),
 * so nothing is left behind.
 */
export async function unassignAgent(staff: SupportPrincipal, username: string, customerId: string) {
  const user = await getPoolUser(username);
  const agent = user ? { sub: user.sub, username: user.username } : await agentByName(username);
  if (!agent) throw agentNotFound(username);
  return unassignCustomer({ agent, customerId, by: staff });
}
