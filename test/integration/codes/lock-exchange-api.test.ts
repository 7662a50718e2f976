import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { formatCode, parseCode } from '../../../shared/codes/code-format';
import { makeCode1, makeCode3, verifyCode2, type LockAction } from '../../../shared/codes/lock-exchange';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import { TestApi } from '../../fixtures/api';
import { createTenant, type Tenant, type TestDevice } from '../../fixtures/tenant';

let api: TestApi;
let tenant: Tenant;
let other: Tenant;
let admin: string;

beforeAll(async () => {
  api = await TestApi.start();
  tenant = await createTenant({ devices: 3 });
  other = await createTenant({ devices: 1 });
  admin = await api.login(tenant, 'admin');
});
afterAll(() => api.close());

const genera = (serial: string, action: LockAction, code1: string, auth = admin) =>
  api.call('POST', `/v1/desktop/devices/${serial}/lock-exchange`, { auth, body: { action, code1 } });
const verifica = (serial: string, code3: string, auth = admin) =>
  api.call('POST', `/v1/desktop/devices/${serial}/lock-exchange/verify`, { auth, body: { code3 } });
const deviceRow = async (serial: string) =>
  (await ddb.send(new GetCommand({ TableName: tableName(), Key: deviceKey(tenant.customerId, serial) }))).Item!;

/** The operator's side of LOCK-1, run offline on the device with its own secret. */
function deviceSide(device: TestDevice, action: LockAction) {
  const code1 = makeCode1(action);
  return {
    code1: code1.formatted,
    acceptCode2(code2: string) {
      const verdict = verifyCode2(device.lockSecret, device.serial, code1.data, code2);
      if (!verdict.ok) throw new Error(`device refused code 2: ${verdict.reason}`);
      return makeCode3(device.lockSecret, device.serial, code1.data, code2);
    },
  };
}

const bump = (code: string) => {
  const parsed = parseCode(code);
  if (!parsed.ok) throw new Error('bad code');
  return formatCode(String((Number(parsed.data) + 1) % 1e12).padStart(12, '0'));
};

describe('manual lock/unlock by phone (LOCK-1..3)', () => {
  it('locks a device: code 1 → GENERA → code 2 on the device → code 3 → VERIFICA marks it Blocked with a note', async () => {
    const device = tenant.devices[0]!;
    const operator = deviceSide(device, 'lock');
    const code2 = await genera(device.serial, 'lock', operator.code1);
    expect(code2.status).toBe(200);
    expect(code2.body.code2).toMatch(/^\d{5}-\d{5}-\d{5}$/);
    const code3 = operator.acceptCode2(code2.body.code2);
    const verified = await verifica(device.serial, code3);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ action: 'lock', verified: true, blocked: true });
    const row = await deviceRow(device.serial);
    expect(row.blocked).toBe(true);
    expect(row.notes.at(-1)).toMatch(/Bloccato manualmente.*Blocked manually/);
    // One use per exchange.
    const again = await verifica(device.serial, code3);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EXCHANGE_USED');
  });

  it('never unlocks with a lock exchange: GENERA refuses a code 1 for the other action, and a lock code 3 does not verify an unlock', async () => {
    const device = tenant.devices[0]!;
    const unlock = deviceSide(device, 'unlock');
    const mixed = await genera(device.serial, 'lock', unlock.code1);
    expect(mixed.status).toBe(400);
    expect(mixed.body).toMatchObject({ code: 'WRONG_ACTION', codeAction: 'unlock' });

    const lockAgain = deviceSide(device, 'lock');
    const lockCode3 = lockAgain.acceptCode2((await genera(device.serial, 'lock', lockAgain.code1)).body.code2);
    const code2 = (await genera(device.serial, 'unlock', unlock.code1)).body.code2 as string;
    const wrongProof = await verifica(device.serial, lockCode3);
    expect(wrongProof.status).toBe(422);
    expect(wrongProof.body).toMatchObject({ code: 'CODE_MISMATCH', attemptsLeft: 4 });
    const verified = await verifica(device.serial, unlock.acceptCode2(code2));
    expect(verified.body).toMatchObject({ action: 'unlock', blocked: false });
    expect((await deviceRow(device.serial)).blocked).toBe(false);
  });

  it('binds codes to one device: code 2 for one device is refused by another device', async () => {
    const [a, b] = [tenant.devices[1]!, tenant.devices[2]!];
    const operator = deviceSide(a, 'lock');
    const code2ForA = (await genera(a.serial, 'lock', operator.code1)).body.code2 as string;
    // The same code 1 typed for device b yields a different code 2 that a's device refuses.
    const code2ForB = (await genera(b.serial, 'lock', operator.code1)).body.code2 as string;
    expect(code2ForB).not.toBe(code2ForA);
    expect(() => operator.acceptCode2(code2ForB)).toThrow(/refused/);
  });

  it('returns the same code 2 when GENERA is pressed twice, without resetting spent attempts', async () => {
    const device = tenant.devices[1]!;
    const operator = deviceSide(device, 'lock');
    const first = (await genera(device.serial, 'lock', operator.code1)).body.code2;
    const code3 = operator.acceptCode2(first);
    expect((await verifica(device.serial, bump(code3))).body.attemptsLeft).toBe(4);
    expect((await genera(device.serial, 'lock', operator.code1)).body.code2).toBe(first);
    expect((await verifica(device.serial, bump(code3))).body.attemptsLeft).toBe(3);
  });

  it('reports a typo in code 3 without spending an attempt, and stops after 5 wrong codes', async () => {
    const device = tenant.devices[2]!;
    const operator = deviceSide(device, 'lock');
    const code3 = operator.acceptCode2((await genera(device.serial, 'lock', operator.code1)).body.code2);
    const typo = `${(Number(code3[0]) + 1) % 10}${code3.slice(1)}`;
    const typoRes = await verifica(device.serial, typo);
    expect(typoRes.status).toBe(400);
    expect(typoRes.body).toMatchObject({ code: 'CODE_TYPO', typoGroups: [1] });
    for (let left = 4; left >= 0; left--) expect((await verifica(device.serial, bump(code3))).body.attemptsLeft).toBe(left);
    const late = await verifica(device.serial, code3);
    expect(late.status).toBe(429);
    expect((await deviceRow(device.serial)).blocked).toBe(false);
  });

  it("cannot reach another customer's device (404) and a plain user cannot use GENERA (403)", async () => {
    const foreign = other.devices[0]!;
    const operator = deviceSide(foreign, 'lock');
    const res = await genera(foreign.serial, 'lock', operator.code1);
    expect(res.status).toBe(404);
    const clerk = await api.login(tenant, 'clerk');
    expect((await genera(tenant.devices[0]!.serial, 'lock', operator.code1, clerk)).status).toBe(403);
  });

  it('answers 409 VERIFICA without GENERA, and 400 naming a malformed serial', async () => {
    const fresh = await createTenant({ devices: 1 });
    const freshAdmin = await api.login(fresh, 'admin');
    const res = await verifica(fresh.devices[0]!.serial, '00000-00000-00000', freshAdmin);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('NO_EXCHANGE');
    const bad = await genera('not a serial!', 'lock', '00000-00000-00000');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('serial');
  });
});
