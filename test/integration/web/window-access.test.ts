import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../local/gateway';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  poll,
  screenshot,
  startWindowGateway,
  VIEWPORT,
  type WindowCustomer,
  windowCustomer,
} from '../../fixtures/browser';
import { ERROR_CATALOGUE } from '../../../shared/api/error-catalogue';
import { ensureRelease } from '../../fixtures/session';
import { staffAuth } from '../../fixtures/sign-in';

/*
 * The hosted window's bad input and house rules (issue 12 "Bad input", item 4):
 * tickets expired, reused or missing; the servers unreachable; a 409 from a
 * button; the 30-second ETag poll; dialogs that keep the focus; the keyboard;
 * the English switch; 1280×720; a release withdrawn under an open window.
 * Releases 43.xx and 45.xx belong to this file.
 */
const FROM = '43.00.00_001';
const TO = '43.00.00_002';

let gateway: Gateway;
let browser: Browser;
let page: Page;
let customer: WindowCustomer;

beforeAll(async () => {
  [gateway, browser] = await Promise.all([startWindowGateway(), launchChromium(), ensureRelease(TO)]);
  customer = await windowCustomer(gateway.url, FROM, ['fcm', 'fcm']);
  await customer.desktop.downloadUpdate({ dir: `/tmp/mophas-web-${customer.customerId}` });
  page = await browser.newPage({ viewport: VIEWPORT, locale: 'it-IT' });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await page.screenshot({ path: `/tmp/mophas-web-access-failure.png` });
});

const button = (name: string) => page.getByRole('button', { name, exact: true }).first();
const heading = () => page.getByRole('heading', { level: 2 }).first();

/** A fresh page in its own context (nothing left from an earlier test), at the window's size. */
async function freshPage(options: Parameters<Browser['newPage']>[0] = {}) {
  await page.context().close();
  page = await browser.newPage({ viewport: VIEWPORT, locale: 'it-IT', ...options });
  return page;
}

describe('opening the window', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('asks to open it from the desktop when the page is reached without a ticket', async () => {
    await page.goto(`${gateway.url}/desktop/`);
    await poll(() => heading().textContent()).toBe('Aprire la finestra da mOphas Desktop');
    expect(await page.getByText(/mophas-desktop gestione --web/).count()).toBe(1);
  });

  it('removes the ticket from the address at once and keeps its session in memory only', async () => {
    await freshPage();
    const url = await customer.windowUrl();
    await page.goto(url);
    await page.getByRole('button', { name: 'Gestione aggiornamento' }).waitFor();
    expect(page.url()).toBe(`${gateway.url}/desktop/`);
    // Page-side expressions (strings: the test program has no DOM types).
    const storage = await page.evaluate(
      '({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, history: history.state })',
    );
    expect(storage).toEqual({ local: 0, session: 0, cookie: '', history: null });
    expect(await page.context().cookies()).toEqual([]);
    // Reloading forgets the session: the window must be opened again from the desktop.
    await page.reload();
    await poll(() => heading().textContent()).toBe('Aprire la finestra da mOphas Desktop');
  });

  it('says a ticket was already used and how to reopen the window, in Italian and in English', async () => {
    await freshPage();
    const url = await customer.windowUrl();
    const ticket = new URL(url).hash.slice('#ticket='.length);
    const first = await fetch(`${gateway.url}/v1/desktop/window-session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticket }),
    });
    expect(first.status).toBe(200);
    await page.goto(url);
    await poll(() => heading().textContent()).toBe('Collegamento già usato');
    expect(await page.locator('main').textContent()).toContain('vale una sola volta');
    expect(await page.locator('main').textContent()).toContain('fare clic di nuovo su Gestione aggiornamento');
    await screenshot(page, 'collegamento-usato');
    await button('English').click();
    await poll(() => heading().textContent()).toBe('Link already used');
    expect(await page.locator('main').textContent()).toContain('it works once');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
  });

  it('says an expired ticket has expired', async () => {
    await freshPage();
    process.env.WINDOW_TICKET_TTL_MS = '300';
    const url = await customer.windowUrl().finally(() => delete process.env.WINDOW_TICKET_TTL_MS);
    await new Promise((r) => setTimeout(r, 400));
    await page.goto(url);
    await poll(() => heading().textContent()).toBe('Collegamento scaduto o non valido');
    expect(await page.locator('main').textContent()).toContain('riaprire la finestra da mOphas Desktop');
  });

  it('shows the blue notice with Riprova while the servers cannot be reached, then opens when they answer', async () => {
    await freshPage();
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await page.goto(await customer.windowUrl());
    await button('Riprova').waitFor();
    expect(await page.locator('.notice').textContent()).toContain('Avviso azzurro');
    expect(await page.locator('.notice').textContent()).toContain('i server Alturas non sono raggiungibili');
    await screenshot(page, 'avviso-azzurro');
    // The exchange never reached the server: the same ticket still opens the window.
    await page.unroute('**/v1/**');
    await button('Riprova').click();
    await poll(() => page.locator('.notice').textContent()).toContain('Avviso verde');
  });
});

describe('in the window', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('keeps the grid and shows the blue notice with Riprova when a refresh gets no answer', async () => {
    await freshPage();
    await page.goto(await customer.windowUrl());
    await button('Gestione aggiornamento').click();
    await poll(() => page.getByRole('row').count()).toBe(3);
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await button('Aggiorna elenco').click();
    await button('Riprova').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Avviso azzurro');
    expect(await page.getByRole('row').count()).toBe(3);
    await page.unroute('**/v1/**');
    await button('Riprova').click();
    await poll(() => button('Riprova').count()).toBe(0);
  });

  it('polls every 30 s with If-None-Match: a 304 leaves the page as it was, a change redraws it', async () => {
    await freshPage();
    await page.clock.install();
    await page.goto(await customer.windowUrl());
    await button('Gestione aggiornamento').click();
    await poll(() => page.getByRole('row').count()).toBe(3);
    const dataAt = () => page.getByText(/^Dati aggiornati alle/).textContent();
    const before = await dataAt();
    const polls: Request[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/desktop/update?')) polls.push(r);
    });

    const notModified = page.waitForResponse((r) => r.url().includes('/v1/desktop/update?') && r.status() === 304);
    await page.clock.runFor(30_000);
    await notModified;
    expect(polls).toHaveLength(1);
    expect(polls[0]!.headers()['if-none-match']).toMatch(/^".+"$/);
    await page.clock.runFor(40_000);
    await poll(() => polls.length).toBe(2);
    // Nothing changed: not even the "data as of" time moved, though more than a minute passed.
    expect(await dataAt()).toBe(before);

    await customer.desktop.sendStartUpdate();
    const changed = page.waitForResponse((r) => r.url().includes('/v1/desktop/update?') && r.status() === 200);
    await page.clock.runFor(30_000);
    await changed;
    await poll(() => page.getByText('Fase 1 – Inizio aggiornamento').count()).toBe(1);
    expect(await dataAt()).not.toBe(before);
  });

  it('redraws the current state and explains when a button gets a 409', async () => {
    await freshPage();
    await page.goto(await customer.windowUrl());
    await customer.desktop.sendStartUpdate();
    await customer.handlePushes();
    await button('Gestione aggiornamento').click();
    await poll(() => button('Avvia aggiornamento').isEnabled()).toBe(true);
    // Another administrator (the desktop here) starts the update meanwhile.
    await customer.desktop.startUpdate();
    await button('Avvia aggiornamento').click();
    await page.getByRole('dialog', { name: 'Avvia aggiornamento' }).getByRole('button', { name: 'Avvia' }).click();
    const alert = page.getByRole('alert');
    await poll(() => alert.textContent()).toContain(ERROR_CATALOGUE.ACTION_NOT_ALLOWED.it);
    expect(await alert.textContent()).toContain('La finestra mostra ora lo stato attuale.');
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento in corso');
    expect(await button('Avvia aggiornamento').count()).toBe(0);
  });
});

describe('a release Alturas withdraws while the window is open', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('answers Forza with the 409 explained, redraws, and closes the session with Chiudi aggiornamento', async () => {
    const [from, to] = ['45.00.00_001', '45.00.00_002'];
    await ensureRelease(to);
    const withdrawing = await windowCustomer(gateway.url, from, ['fcm']);
    await withdrawing.desktop.downloadUpdate({ dir: `/tmp/mophas-web-${withdrawing.customerId}` });
    await withdrawing.desktop.sendStartUpdate();
    await freshPage();
    await page.goto(await withdrawing.windowUrl());
    await button('Gestione aggiornamento').click();
    await poll(() => button('Forza aggiornamento').isEnabled()).toBe(true);

    const withdrawn = await fetch(`${gateway.url}/v1/support/releases/${to}/withdraw`, {
      method: 'POST',
      headers: { authorization: await staffAuth(), 'content-type': 'application/json' },
      body: JSON.stringify({ revision: 0, reason: 'browser test' }),
    });
    expect(withdrawn.status).toBe(200);

    // The page still shows Forza: the server refuses it with its own words, and the window redraws.
    await button('Forza aggiornamento').click();
    await poll(() => page.getByRole('alert').textContent()).toContain(`Alturas ha ritirato la versione ${to}`);
    await poll(() => button('Chiudi aggiornamento').count()).toBe(1);
    expect(await button('Forza aggiornamento').count()).toBe(0);
    expect(await page.locator('.warning').textContent()).toContain('Clic su Chiudi aggiornamento');

    await button('Chiudi aggiornamento').click();
    const summary = page.getByRole('dialog', { name: 'Riepilogo notifiche ERROR UPDATE' });
    await summary.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('status').filter({ hasText: 'Aggiornamento chiuso' }).waitFor();
    await poll(() => page.getByText('Nessun aggiornamento in corso').count()).toBe(1);
  });
});

describe('accessibility', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let window: WindowCustomer;
  beforeAll(async () => {
    window = await windowCustomer(gateway.url, FROM, ['fcm', 'fcm', 'none']);
    await window.desktop.downloadUpdate({ dir: `/tmp/mophas-web-${window.customerId}` });
  }, 60_000);

  it('keeps the focus inside a dialog, answers Escape as No, and gives the focus back', async () => {
    await freshPage();
    await page.goto(await window.windowUrl());
    await button('Gestione aggiornamento').click();
    const opener = button('Invia START UPDATE');
    await opener.click();
    const dialog = page.getByRole('alertdialog', { name: 'Invio notifica START UPDATE' });
    await dialog.waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('No');
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect(await page.evaluate("Boolean(document.activeElement?.closest('dialog[open]'))")).toBe(true);
    }
    await page.keyboard.press('Escape');
    await poll(() => dialog.count()).toBe(0);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Invia START UPDATE');
  });

  it('selects rows with the keyboard and acts on them with Enter', async () => {
    const [first, second] = [...window.devices].sort((a, b) => a.serial.localeCompare(b.serial));
    await page.getByRole('radio', { name: `Seleziona il dispositivo ${first!.serial}` }).focus();
    await page.keyboard.press('Space');
    await poll(() => page.getByText(`Dispositivo selezionato: ${first!.serial}`).count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    await poll(() => page.getByText(`Dispositivo selezionato: ${second!.serial}`).count()).toBe(1);
    await button('Blocco manuale').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Blocco dispositivo mobile' }).waitFor();
    expect(await page.getByRole('dialog').textContent()).toContain(second!.serial);
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('switches to English and back, and fits 1280×720 without a horizontal scroll bar', async () => {
    await button('English').click();
    await poll(() => heading().textContent()).toBe('Manage update – Update available');
    for (const name of ['Send START UPDATE', 'Refresh list', 'Manual lock', 'Manual unlock', 'Disable device', 'Close']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(1);
    }
    expect(await page.getByRole('columnheader', { name: 'Awaiting update' }).count()).toBe(1);
    await screenshot(page, 'gestione-aggiornamento-en');
    await button('Italiano').click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento disponibile');
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(VIEWPORT.width);
    // Every command of the window is on screen at 1280×720, without scrolling.
    for (const name of ['Invia START UPDATE', 'Blocco manuale', 'Disabilita dispositivo', 'Chiudi']) {
      const box = await button(name).boundingBox();
      expect(box && box.y + box.height <= VIEWPORT.height && box.x + box.width <= VIEWPORT.width, name).toBe(true);
    }
  });
});
