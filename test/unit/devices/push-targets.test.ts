import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { queryPushTargets } from '../../../shared/db/devices';

const dbMock = mockClient(ddb);
// The unit tier shares one module registry per worker: later files get the real client back.
afterAll(() => dbMock.restore());
beforeEach(() => dbMock.reset());

const row = (serial: string) => ({ pk: 'CUST#c1', sk: `DEV#${serial}`, serial, enabled: true, pushToken: `t-${serial}` });
const key = (serial: string) => ({ pk: 'CUST#c1', sk: `DEV#${serial}` });

describe('push targets, page by page (queryPushTargets)', () => {
  it('yields every device of every page in order, and asks for the next page before the current one is used up', async () => {
    const queried: (string | undefined)[] = [];
    dbMock.on(QueryCommand).callsFake(async (input) => {
      const from = input.ExclusiveStartKey?.sk as string | undefined;
      queried.push(from);
      if (!from) return { Items: [row('1'), row('2')], LastEvaluatedKey: key('2') };
      if (from === 'DEV#2') return { Items: [row('3'), row('4')], LastEvaluatedKey: key('4') };
      return { Items: [row('5')] };
    });
    const seen: string[] = [];
    const targets = queryPushTargets('c1', 'cmd-1');
    const first = await targets.next();
    seen.push((first.value as { serial: string }).serial);
    // Read-ahead: the second page is on its way while the first one's devices are published.
    expect(queried).toEqual([undefined, 'DEV#2']);
    for await (const target of targets) seen.push(target.serial);
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    expect(queried).toEqual([undefined, 'DEV#2', 'DEV#4']);
    // Only the command's own outcome is read (projection), never every push outcome of the row.
    const input = dbMock.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.ProjectionExpression).toContain('pushOutcomes.#cid');
    expect(input.ExpressionAttributeNames).toMatchObject({ '#cid': 'cmd-1' });
  });

  it('stops cleanly when the fan-out stops early, even if the page read ahead fails', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      dbMock
        .on(QueryCommand)
        .resolvesOnce({ Items: [row('1'), row('2')], LastEvaluatedKey: key('2') })
        .rejectsOnce(new Error('throttled'));
      const targets = queryPushTargets('c1', 'cmd-1');
      expect((await targets.next()).value).toMatchObject({ serial: '1', customerId: 'c1' });
      await targets.return(undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('passes a failed page on to the fan-out when it is still reading', async () => {
    dbMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [row('1')], LastEvaluatedKey: key('1') })
      .rejectsOnce(new Error('throttled'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const target of queryPushTargets('c1', 'cmd-1')) seen.push(target.serial);
      })(),
    ).rejects.toThrow('throttled');
    expect(seen).toEqual(['1']);
  });
});
