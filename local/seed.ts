/**
 * Demo data for the local stack, created the way Alturas creates it — through
 * the running API with the support SDK, never written into the table: the
 * catalog of four releases (one needing a confirmation code) is published with
 * `publish-release`'s code, then the demo customer is onboarded: the customer
 * (with the manual's first-login `ammin`/`ammin`), its SERVER and client
 * workstation credentials, its licence, and five authorised tablets with their
 * operators; two more customers give the console's customers overview some
 * variety. Only the first staff user of the staff user pool (`staff.demo`,
 * local/provision.ts) is bootstrapped directly, as in AWS (docs/operations.md);
 * `support` is that user signed in, with the local pipeline key for publishing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../client/http';
import type { SupportClient } from '../client/support';

export const DEMO_CUSTOMER_ID = 'demo';

export interface DemoCredentials {
  customerId: string;
  /** The SERVER workstation's installation credential (update management happens there). */
  desktopCredential: string;
  /** A client workstation's credential: notices only, no update management (FEED-6). */
  clientWorkstationCredential: string;
  licenceCode: string;
  admin: { username: string; password: string; mustChangePassword: boolean };
  /** Authorised tablets; each registers with the licence code (`npm run device -- registra`). */
  devices: { serial: string; operator: string; pushToken?: string }[];
}

export const DEMO_RELEASES = [
  { version: '03.00.00_020', requiresConfirmationCode: false },
  { version: '03.01.00_030', requiresConfirmationCode: false },
  { version: '03.01.00_032', requiresConfirmationCode: false },
  { version: '03.02.00_040', requiresConfirmationCode: true },
] as const;

/** The demo customer's existing mOphas licence code, typed in by support (a generated one looks like LIC-XXXX-…). */
const DEMO_LICENCE = 'LIC-DEMO-0001';

/**
 * The tablet authorisation table of the demo customer. `token` is the push
 * token each simulated tablet registers with (the walkthrough's `--token`):
 * `stale-…` behaves like an expired FCM token, `noapp-…` like an app not started.
 */
const DEMO_DEVICES = [
  {
    serial: '356938035643809',
    model: 'Samsung Galaxy Tab A8',
    code: 'OP01',
    name: 'Mario',
    surname: 'Rossi',
    phone: '+39 333 100 0001',
    token: 'fcm-rossi-0001',
  },
  {
    serial: '356938035643817',
    model: 'Samsung Galaxy Tab A8',
    code: 'OP02',
    name: 'Luigi',
    surname: 'Bianchi',
    phone: '+39 333 100 0002',
    token: 'stale-bianchi-0002',
  },
  {
    serial: '356938035643825',
    model: 'Lenovo Tab M10',
    code: 'OP03',
    name: 'Anna',
    surname: 'Verdi',
    phone: '+39 333 100 0003',
    token: 'noapp-verdi-0003',
  },
  {
    serial: '356938035643833',
    model: 'Zebra TC52',
    code: 'OP04',
    name: 'Giulia',
    surname: 'Neri',
    phone: '+39 333 100 0004',
    token: 'fcm-neri-0004',
  },
  {
    serial: '356938035643841',
    model: 'Zebra TC52',
    code: 'OP05',
    name: 'Paolo',
    surname: 'Gallo',
    phone: '+39 333 100 0005',
    token: undefined,
  },
] as const;

/** True when the demo customer exists (asked through the API by `support`: the first staff user, signed in). */
export async function isSeeded(support: SupportClient): Promise<boolean> {
  try {
    await support.customer(DEMO_CUSTOMER_ID);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

/**
 * Publishes the demo catalog and onboards the demo customer through the API;
 * returns the credentials to show (secrets exist only in this return value and
 * the local file).
 */
export async function seedDemo(support: SupportClient): Promise<DemoCredentials> {
  await publishDemoReleases(support);

  const { customer, firstLogin } = await support.createCustomer({
    customerId: DEMO_CUSTOMER_ID,
    name: 'Vending Demo S.r.l.',
    desktopVersion: '03.01.00_030',
  });
  const server = await support.issueWorkstation(customer.customerId, { workstation: 'server', label: 'SERVER' });
  const client = await support.issueWorkstation(customer.customerId, { workstation: 'client', label: 'Ufficio 1' });
  const { licenceCode } = await support.issueLicence(customer.customerId, DEMO_LICENCE);
  for (const d of DEMO_DEVICES) {
    await support.authoriseTablet(customer.customerId, {
      serial: d.serial,
      model: d.model,
      operator: { code: d.code, name: d.name, surname: d.surname },
      phone: d.phone,
    });
  }
  await seedNeighbours(support);
  return {
    customerId: customer.customerId,
    desktopCredential: server.credential,
    clientWorkstationCredential: client.credential,
    licenceCode,
    admin: firstLogin,
    devices: DEMO_DEVICES.map((d) => ({ serial: d.serial, operator: `${d.code} ${d.name} ${d.surname}`, pushToken: d.token })),
  };
}

/**
 * Two more customers, so the console's customers overview (`#/clienti`) has
 * something to sort and filter: one a release behind with tablets the office
 * authorised but that never registered, one on the newest release.
 */
const NEIGHBOURS = [
  { customerId: 'rossi', name: 'Distributori Rossi S.p.A.', desktopVersion: '03.00.00_020', tablets: 3 },
  { customerId: 'bianchi', name: 'Caffè Bianchi S.n.c.', desktopVersion: '03.02.00_040', tablets: 0 },
] as const;

async function seedNeighbours(support: SupportClient): Promise<void> {
  for (const n of NEIGHBOURS) {
    await support.createCustomer({ customerId: n.customerId, name: n.name, desktopVersion: n.desktopVersion });
    await support.issueLicence(n.customerId);
    for (let i = 1; i <= n.tablets; i++) {
      await support.authoriseTablet(n.customerId, {
        serial: `35693803565${String(i).padStart(4, '0')}`,
        model: 'Samsung Galaxy Tab A8',
        operator: { code: `OP${String(i).padStart(2, '0')}`, name: 'Operatore', surname: String(i) },
        phone: `+39 333 200 000${i}`,
      });
    }
  }
}

/** Publishes the demo releases not in the catalog yet, with the same code as `mophas-support publish-release`. */
async function publishDemoReleases(support: SupportClient): Promise<void> {
  const published = new Set((await support.catalog()).releases.map((r) => r.version));
  const dir = await mkdtemp(join(tmpdir(), 'mophas-seed-'));
  try {
    for (const r of DEMO_RELEASES) {
      if (published.has(r.version)) continue;
      const desktop = join(dir, `mophas-desktop-setup-${r.version}.exe`);
      const mobile = join(dir, `mophas-mobile-${r.version}.apk`);
      await writeFile(desktop, demoBytes(`desktop ${r.version}`, 256 * 1024));
      await writeFile(mobile, demoBytes(`mobile ${r.version}`, 64 * 1024));
      await support.publishRelease({
        version: r.version,
        desktop,
        mobile,
        notesUrl: `https://wiki.alturas.it/mophas-fix/${r.version}`,
        requiresCode: r.requiresConfirmationCode,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deterministic demo package bytes of a given size. */
function demoBytes(label: string, size: number): Buffer {
  const line = Buffer.from(`mOphas ${label} — demo package, not a real installer\n`);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += line.length) line.copy(out, i);
  return out;
}
