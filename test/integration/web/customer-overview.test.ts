import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../local/gateway';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { requireEnv } from '../../../shared/config';
import { BROWSER_TEST_TIMEOUT_MS, launchChromium, screenshot, startWindowGateway, VIEWPORT } from '../../fixtures/browser';
import { allowConsoleCallback, type ConsolePerson, signInOnConsole } from '../../fixtures/console';
import { createPerson } from '../../fixtures/sign-in';
import { createTenant, type Tenant } from '../../fixtures/tenant';
import { putSessionInState, staff } from '../support/helpers';

/*
 * The customers overview of the support console (issue 13 item 2) in Chromium,
 * as staff and as an agent: sorting by a column, the filters, opening a
 * customer; an agent sees only its customers. Releases 32.xx belong to the
 * overview's test files (test/integration/support/customer-overview.test.ts).
 */
const FROM = '32.01.00_001';
const TO = '32.01.00_002';

let gateway: Gateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const STAFF: ConsolePerson = { username: LOCAL_PEOPLE.staff.username, password: requireEnv(LOCAL_PEOPLE.staff.passwordEnv) };

/** A word only this run's customers carry in their names, to filter them out of every other test's. */
const tag = randomUUID().slice(0, 6);
const NAMES = [`Distributori Rossi ${tag}`, `Caffè Bianchi ${tag}`, `Vending Verdi ${tag}`];
let customers: Tenant[];

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: staff().auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
};

beforeAll(async () => {
  [gateway, browser] = await Promise.all([startWindowGateway(), launchChromium()]);
  await allowConsoleCallback(`${gateway.url}/support/`);
  // Rossi: 3 tablets on its version; Bianchi: its update failed; Verdi: no tablets, an update in phase 1.
  customers = await Promise.all([
    createTenant({ desktopVersion: FROM, devices: 3 }),
    createTenant({ desktopVersion: FROM }),
    createTenant({ desktopVersion: TO }),
  ]);
  for (const [i, c] of customers.entries())
    expect((await call('PATCH', `/v1/support/customers/${c.customerId}`, { name: NAMES[i] })).status).toBe(200);
  // Rossi's desktop started a moment ago: its last startup check.
  const feed = await fetch(`${gateway.url}/v1/desktop/feed?installed=${FROM}`, {
    headers: { authorization: `Desktop ${customers[0]!.desktopCredential}` },
  });
  expect(feed.status).toBe(200);
  await putSessionInState(customers[1]!.customerId, 'failed', TO);
  await putSessionInState(customers[2]!.customerId, 'preparing', '32.01.00_003');
}, 120_000);
afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await browser?.close();
  await gateway?.close();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail')
    await page?.screenshot({ path: `/tmp/mophas-overview-failure-${ctx.task.name.slice(0, 20).replace(/\W+/g, '-')}.png` });
  await context?.close();
});

async function open(person: ConsolePerson) {
  context = await browser.newContext({ viewport: VIEWPORT, locale: 'it-IT', timezoneId: 'Europe/Rome' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${gateway.url}/support/`);
  await signInOnConsole(page, person);
  await page.getByRole('navigation', { name: 'Sezioni della console' }).getByRole('link', { name: 'Clienti' }).click();
  await page.getByRole('heading', { name: 'Clienti', exact: true }).waitFor();
}

const table = () => page.getByRole('table');
/** The customer names in the table, top to bottom (the drawn rows: the filtered ones all fit). */
const names = async () => (await table().locator('tbody tr:not(.spacer) th').allTextContents()).map((n) => n.trim());
const filter = (text: string) => page.getByLabel('Filtra per nome, codice cliente o licenza').fill(text);

describe('the customers overview in Chromium', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('staff: every customer, filtered by name, sorted by a column, only failed updates, opening a customer', async () => {
    await open(STAFF);
    await filter(tag);
    await page
      .getByRole('status')
      .filter({ hasText: /^Clienti mostrati: 3 su \d+$/ })
      .waitFor();
    // Sorted by name at first.
    expect(await names()).toEqual([NAMES[1], NAMES[0], NAMES[2]]);
    const header = (name: string) => table().getByRole('columnheader', { name, exact: true });
    expect(await header('Cliente').getAttribute('aria-sort')).toBe('ascending');

    const rossi = table().getByRole('row').filter({ hasText: NAMES[0]! });
    expect(await rossi.getByRole('cell').allTextContents()).toEqual([
      customers[0]!.customerId,
      customers[0]!.licenceCode,
      FROM,
      'Nessun aggiornamento in corso',
      '3',
      '3',
      '3',
      expect.stringMatching(/^\d{2}\/\d{2}\/\d{2,4}, \d{2}:\d{2}$/),
      'No',
    ]);
    expect(await table().getByRole('row').filter({ hasText: NAMES[1]! }).getByRole('cell').nth(7).textContent()).toBe('Mai');
    const verdi = table().getByRole('row').filter({ hasText: NAMES[2]! });
    expect(await verdi.getByRole('cell').nth(3).textContent()).toBe('Fase 1: preparazione verso la 32.01.00_003');

    // Devices, most first; then the other way.
    await page.getByRole('button', { name: 'Dispositivi', exact: true }).click();
    expect(await header('Dispositivi').getAttribute('aria-sort')).toBe('ascending');
    expect(await header('Cliente').getAttribute('aria-sort')).toBeNull();
    await page.getByRole('button', { name: 'Dispositivi', exact: true }).click();
    expect(await header('Dispositivi').getAttribute('aria-sort')).toBe('descending');
    expect((await names())[0]).toBe(NAMES[0]);
    await screenshot(page, 'console-clienti');

    // Only failed updates: Bianchi, failed since a moment ago.
    await page.getByLabel('Solo con aggiornamento fallito').check();
    await page
      .getByRole('status')
      .filter({ hasText: /^Clienti mostrati: 1 su \d+$/ })
      .waitFor();
    expect(await names()).toEqual([NAMES[1]]);
    expect(await table().getByRole('row').filter({ hasText: NAMES[1]! }).getByRole('cell').last().textContent()).toMatch(/^Sì, dal /);
    await page.getByLabel('Solo con aggiornamento fallito').uncheck();

    // A licence code finds its customer too.
    await filter(customers[2]!.licenceCode);
    await page
      .getByRole('status')
      .filter({ hasText: /^Clienti mostrati: 1 su \d+$/ })
      .waitFor();
    expect(await names()).toEqual([NAMES[2]]);

    // The row leads to the customer's page.
    await table().getByRole('link', { name: NAMES[2]! }).click();
    await page.getByRole('heading', { name: `Aggiornamento di ${NAMES[2]}` }).waitFor();
    expect(page.url()).toContain(`#/clienti/${customers[2]!.customerId}`);

    // In English, back on the list.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor();
    await page.getByLabel('Filter by name, customer id or licence').fill(tag);
    await page
      .getByRole('status')
      .filter({ hasText: /^Customers shown: 3 of \d+$/ })
      .waitFor();
    expect(await table().getByRole('columnheader', { name: "On the desktop's version" }).count()).toBe(1);
  });

  it('an agent: only its customers, and another customer’s page stays closed', async () => {
    const person = await createPerson('agent');
    for (const c of customers.slice(0, 2)) {
      expect((await call('PUT', `/v1/support/agents/${person.username}/customers/${c.customerId}`)).status).toBe(200);
    }
    await open(person);
    await page.getByRole('status').filter({ hasText: 'Clienti mostrati: 2 su 2' }).waitFor();
    expect(await names()).toEqual([NAMES[1], NAMES[0]]);
    expect(await page.locator('main').textContent()).not.toContain(NAMES[2]);

    await page.getByRole('button', { name: 'Aggiornamento fallito', exact: true }).click();
    expect(await table().getByRole('columnheader', { name: 'Aggiornamento fallito' }).getAttribute('aria-sort')).toBe('ascending');
    expect(await names()).toEqual([NAMES[1], NAMES[0]]);

    await filter('Rossi');
    await page.getByRole('status').filter({ hasText: 'Clienti mostrati: 1 su 2' }).waitFor();
    await table().getByRole('link', { name: NAMES[0]! }).click();
    await page.getByRole('heading', { name: `Aggiornamento di ${NAMES[0]}` }).waitFor();

    await page.goto(`${gateway.url}/support/#/clienti/${customers[2]!.customerId}`);
    await page.getByRole('heading', { name: 'Accesso negato' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain(NAMES[2]);
  });
});
