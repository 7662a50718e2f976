import { describe, expect, it } from 'vitest';
import { deviceDelta, summaryItem, toSummary } from '../../../shared/db/customer-summary';

describe('the customer summary’s device counts', () => {
  it('counts a new tablet as one device, enabled, on no version until it reports one', () => {
    expect(deviceDelta(undefined, { enabled: true })).toEqual({ total: 1, enabled: 1, versions: {} });
  });

  it('moves an enabled tablet from its old version to its new one', () => {
    expect(deviceDelta({ enabled: true, installedVersion: '03.01.00_030' }, { enabled: true, installedVersion: '03.02.00_040' })).toEqual({
      total: 0,
      enabled: 0,
      versions: { '03.01.00_030': -1, '03.02.00_040': 1 },
    });
  });

  it('changes nothing when a tablet reports the version it had', () => {
    expect(deviceDelta({ enabled: true, installedVersion: '03.01.00_030' }, { enabled: true, installedVersion: '03.01.00_030' })).toEqual({
      total: 0,
      enabled: 0,
      versions: {},
    });
  });

  it('takes a disabled tablet out of the enabled and per-version counts, and puts it back when re-enabled', () => {
    const on = { enabled: true, installedVersion: '03.01.00_030' };
    const off = { enabled: false, installedVersion: '03.01.00_030' };
    expect(deviceDelta(on, off)).toEqual({ total: 0, enabled: -1, versions: { '03.01.00_030': -1 } });
    expect(deviceDelta(off, on)).toEqual({ total: 0, enabled: 1, versions: { '03.01.00_030': 1 } });
  });

  it('reads "on the desktop’s version" from the counter of the desktop’s version', () => {
    const stored = {
      ...summaryItem({
        customerId: 'c1',
        name: 'Rossi',
        licenceCode: null,
        desktopVersion: '03.02.00_040',
        sessionState: 'mobile-update',
        targetVersion: '03.02.00_040',
        sessionUpdatedAt: '2026-11-29T08:00:00.000Z',
        failedSince: null,
        devicesTotal: 5,
        devicesEnabled: 4,
        devicesOnDesktopVersion: 3,
        lastCheckAt: null,
      }),
      'v#03.01.00_030': 1,
    };
    expect(toSummary(stored)).toMatchObject({ devicesTotal: 5, devicesEnabled: 4, devicesOnDesktopVersion: 3, licenceCode: null });
    expect(toSummary({ ...stored, desktopVersion: '03.01.00_030' }).devicesOnDesktopVersion).toBe(1);
  });
});
