/**
 * Demo data for the local stack: one customer with an admin (the manual's
 * first-login `ammin`/`ammin`), five devices with operators, and a catalog of
 * four releases (one needing a confirmation code) whose packages are in S3.
 * Runs once: a marker item records that the seed is in place.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, s3 } from '../shared/aws/clients';
import { bucketName, tableName } from '../shared/config';
import { getCatalogHead, putRelease } from '../shared/db/catalog';
import { deviceItem } from '../shared/db/devices';
import { customerListKeys } from '../shared/db/customers';
import { credentialKeys, customerKeys } from '../shared/db/keys';
import { hashPassword, issueCredential, sha256Hex } from '../shared/domain/secrets';

export const DEMO_CUSTOMER_ID = 'demo';
const SEED_MARKER = { pk: 'SEED', sk: DEMO_CUSTOMER_ID };

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

const DEMO_DEVICES = [
  {
    serial: '356938035643809',
    model: 'Samsung Galaxy Tab A8',
    code: 'OP01',
    name: 'Mario',
    surname: 'Rossi',
    phone: '+39 333 100 0001',
    version: '03.01.00_030',
    token: 'fcm-rossi-0001',
  },
  {
    serial: '356938035643817',
    model: 'Samsung Galaxy Tab A8',
    code: 'OP02',
    name: 'Luigi',
    surname: 'Bianchi',
    phone: '+39 333 100 0002',
    version: '03.01.00_030',
    token: 'stale-bianchi-0002',
  },
  {
    serial: '356938035643825',
    model: 'Lenovo Tab M10',
    code: 'OP03',
    name: 'Anna',
    surname: 'Verdi',
    phone: '+39 333 100 0003',
    version: '03.01.00_030',
    token: 'noapp-verdi-0003',
  },
  {
    serial: '356938035643833',
    model: 'Zebra TC52',
    code: 'OP04',
    name: 'Giulia',
    surname: 'Neri',
    phone: '+39 333 100 0004',
    version: '03.01.00_032',
    token: 'fcm-neri-0004',
  },
  {
    serial: '356938035643841',
    model: 'Zebra TC52',
    code: 'OP05',
    name: 'Paolo',
    surname: 'Gallo',
    phone: '+39 333 100 0005',
    version: '03.00.00_020',
    token: undefined,
  },
] as const;

/** True when the demo data is already in the table. */
export async function isSeeded(): Promise<boolean> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: SEED_MARKER }));
  return Item !== undefined;
}

/** Writes the demo data and returns the credentials to show (secrets exist only in this return value and the local file). */
export async function seedDemo(now = new Date()): Promise<DemoCredentials> {
  const at = now.toISOString();
  const put = (item: Record<string, unknown>) => ddb.send(new PutCommand({ TableName: tableName(), Item: item }));

  let head = await getCatalogHead();
  for (const [i, r] of DEMO_RELEASES.entries()) {
    const desktop = await uploadPackage(`packages/${r.version}/mophas-desktop-setup.exe`, demoBytes(`desktop ${r.version}`, 256 * 1024));
    const mobile = await uploadPackage(`packages/${r.version}/mophas-mobile.apk`, demoBytes(`mobile ${r.version}`, 64 * 1024));
    await putRelease(
      {
        version: r.version,
        desktop,
        mobile,
        notesUrl: `https://wiki.alturas.it/mophas-fix/${r.version}`,
        requiresConfirmationCode: r.requiresConfirmationCode,
        publishedAt: new Date(now.getTime() - (DEMO_RELEASES.length - i) * 86_400_000).toISOString(),
      },
      head.catalogVersion,
    );
    head = await getCatalogHead();
  }

  const desktop = issueCredential('dsk');
  const licenceCode = 'LIC-DEMO-0001';
  await put({
    ...customerKeys.profile(DEMO_CUSTOMER_ID),
    ...customerListKeys(DEMO_CUSTOMER_ID),
    type: 'customer',
    customerId: DEMO_CUSTOMER_ID,
    name: 'Vending Demo S.r.l.',
    desktopVersion: '03.01.00_030',
    createdAt: at,
  });
  await put({
    ...credentialKeys.desktop(desktop.id),
    type: 'desktopCredential',
    customerId: DEMO_CUSTOMER_ID,
    secretHash: desktop.secretHash,
    workstation: 'server',
    createdAt: at,
  });
  const clientWorkstation = issueCredential('dsk');
  await put({
    ...credentialKeys.desktop(clientWorkstation.id),
    type: 'desktopCredential',
    customerId: DEMO_CUSTOMER_ID,
    secretHash: clientWorkstation.secretHash,
    workstation: 'client',
    createdAt: at,
  });
  await put({ ...credentialKeys.licence(licenceCode), type: 'licence', customerId: DEMO_CUSTOMER_ID, createdAt: at });
  await put({
    ...customerKeys.user(DEMO_CUSTOMER_ID, 'ammin'),
    type: 'user',
    customerId: DEMO_CUSTOMER_ID,
    username: 'ammin',
    role: 'admin',
    passwordHash: await hashPassword('ammin'),
    mustChangePassword: true,
    createdAt: at,
  });

  const devices: DemoCredentials['devices'] = [];
  for (const d of DEMO_DEVICES) {
    await put(
      deviceItem({
        customerId: DEMO_CUSTOMER_ID,
        serial: d.serial,
        model: d.model,
        operator: { code: d.code, name: d.name, surname: d.surname },
        phone: d.phone,
        enabled: true,
        installedVersion: d.version,
        lastSyncAt: new Date(now.getTime() - 3_600_000).toISOString(),
        pushToken: d.token,
        notificationsEnabled: d.token !== undefined,
        // Authorised in tablet authorisation management, not registered yet: the
        // operator's app registers with the licence code and gets its credential.
        blocked: false,
        notes: [],
        authorisedAt: at,
      }),
    );
    devices.push({ serial: d.serial, operator: `${d.code} ${d.name} ${d.surname}`, pushToken: d.token });
  }

  await put({ ...SEED_MARKER, type: 'seedMarker', seededAt: at });
  return {
    customerId: DEMO_CUSTOMER_ID,
    desktopCredential: desktop.token,
    clientWorkstationCredential: clientWorkstation.token,
    licenceCode,
    admin: { username: 'ammin', password: 'ammin', mustChangePassword: true },
    devices,
  };
}

/** Deterministic demo package bytes of a given size. */
function demoBytes(label: string, size: number): Buffer {
  const line = Buffer.from(`mOphas ${label} — demo package, not a real installer\n`);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += line.length) line.copy(out, i);
  return out;
}

async function uploadPackage(key: string, body: Buffer) {
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: key, Body: body, ContentLength: body.length }));
  return { key, size: body.length, sha256: sha256Hex(body) };
}
