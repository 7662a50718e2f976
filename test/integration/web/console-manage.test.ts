import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../local/gateway';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { requireEnv } from '../../../shared/config';
import { BROWSER_TEST_TIMEOUT_MS, launchChromium, poll, screenshot, startWindowGateway, VIEWPORT } from '../../fixtures/browser';
import { createPerson } from '../../fixtures/sign-in';
import { createTenant } from '../../fixtures/tenant';
import { staff } from '../support/helpers';
import { allowConsoleCallback, type ConsolePerson, signInOnConsole } from '../../fixtures/console';

/*
 * The customer page's management and publishing a release from the browser
 * (issue 13 items 2 and 4), in Chromium, clicked as Alturas staff and an agent
 * would: users, workstation credentials, tablets; the 403 page and no publish
 * control for an agent; bad input shown under its field with nothing lost; a
 * release published from two files, a failed part retried. Releases 33.9x
 * belong to this file.
 */

let gateway: Gateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

type Person = ConsolePerson;
const STAFF: Person = { username: LOCAL_PEOPLE.staff.username, password: requireEnv(LOCAL_PEOPLE.staff.passwordEnv) };

const call = async (method: string, path: string, options: { auth?: string; body?: unknown } = {}) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { ...(options.auth ? { authorization: options.auth } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
};

beforeAll(async () => {
  [gateway, browser] = await Promise.all([startWindowGateway(), launchChromium()]);
  await allowConsoleCallback(`${gateway.url}/support/`);
}, 120_000);
afterAll(async () => {
  expect(pageErrors).toEqual([]);
  await browser?.close();
  await gateway?.close();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail')
    await page?.screenshot({ path: `/tmp/mophas-console-manage-failure-${ctx.task.name.slice(0, 20).replace(/\W+/g, '-')}.png` });
  await context?.close();
});

async function open(person: Person, path: string) {
  context = await browser.newContext({ viewport: VIEWPORT, locale: 'it-IT', timezoneId: 'Europe/Rome' });
  // The copy button writes to the clipboard, as a person's browser allows on a secure (https, or local) origin.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${gateway.url}${path}`);
  await signInOnConsole(page, person);
}

const region = (name: string) => page.getByRole('region', { name, exact: true });
const rowOf = (name: string, text: string) => region(name).getByRole('row').filter({ hasText: text });
const auditActions = async (customerId: string) =>
  ((await call('GET', `/v1/support/customers/${customerId}/audit?limit=100`, staff())).body.entries as { action: string }[]).map(
    (e) => e.action,
  );

// Page-side expressions are strings: the test program has no DOM types.

/** A serial nobody else has (the tablet table is per customer, but keep them apart anyway). */
const serial = () => `35${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;

describe('the customer page’s management in Chromium', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('staff add a user (a duplicate is named under its field), reset a password and change a role', async () => {
    const tenant = await createTenant();
    await open(STAFF, `/support/#/clienti/${tenant.customerId}`);
    const users = region('Utenti di mOphas Desktop');
    await users.waitFor();

    await users.getByLabel('Nome utente', { exact: true }).fill('mario.rossi');
    await users.getByRole('button', { name: 'Genera password' }).click();
    const generated = await users.getByLabel('Password iniziale').inputValue();
    expect(generated).toMatch(/^[A-Za-z0-9]{14}$/);
    await users.getByLabel('Ruolo').selectOption({ label: 'Amministratore' });
    await users.getByRole('button', { name: 'Aggiungi utente' }).click();
    await users.getByRole('heading', { name: 'Password di mario.rossi' }).waitFor();
    expect(await users.getByLabel('Valore').inputValue()).toBe(generated);
    await poll(() => rowOf('Utenti di mOphas Desktop', 'mario.rossi').textContent()).toContain('Amministratore');
    // The user exists with that password and must change it first (the login says so).
    const login = await call('POST', '/v1/desktop/login', {
      auth: `Desktop ${tenant.desktopCredential}`,
      body: { username: 'mario.rossi', password: generated },
    });
    expect(login.status).toBe(200);
    expect(login.body.mustChangePassword).toBe(true);
    await users.getByRole('button', { name: 'Fatto, nascondi' }).click();

    // The same name again (other case): the refusal is under the name, the rest of the form kept.
    await users.getByLabel('Nome utente', { exact: true }).fill('MARIO.ROSSI');
    await users.getByLabel('Password iniziale').fill('another-password-1');
    await users.getByRole('button', { name: 'Aggiungi utente' }).click();
    const name = users.getByLabel('Nome utente', { exact: true });
    await poll(() => name.getAttribute('aria-invalid')).toBe('true');
    await users.getByText('Esiste già un utente con questo nome per questo cliente.').waitFor();
    await poll(() => page.evaluate<string>('document.activeElement?.value')).toBe('MARIO.ROSSI');
    expect(await users.getByLabel('Password iniziale').inputValue()).toBe('another-password-1');

    // Reset: asked first, then the new password shown once.
    await rowOf('Utenti di mOphas Desktop', 'mario.rossi').getByRole('button', { name: 'Reimposta password' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Reimpostare la password di mario.rossi?' });
    await dialog.getByRole('button', { name: 'Genera password' }).click();
    const reset = await dialog.getByLabel('Nuova password').inputValue();
    await dialog.getByRole('button', { name: 'Reimposta password' }).click();
    await users.getByRole('heading', { name: 'Password di mario.rossi' }).waitFor();
    expect(await users.getByLabel('Valore').inputValue()).toBe(reset);
    const relogin = await call('POST', '/v1/desktop/login', {
      auth: `Desktop ${tenant.desktopCredential}`,
      body: { username: 'mario.rossi', password: reset },
    });
    expect(relogin.status).toBe(200);

    // Role: admin → user.
    await rowOf('Utenti di mOphas Desktop', 'mario.rossi').getByRole('button', { name: 'Rendi utente' }).click();
    await users.getByText('Ruolo di mario.rossi: Utente. Vale dal prossimo accesso.').waitFor();
    await poll(() => rowOf('Utenti di mOphas Desktop', 'mario.rossi').textContent()).toContain('Rendi amministratore');
    expect(await auditActions(tenant.customerId)).toEqual(expect.arrayContaining(['user.created', 'user.updated']));

    // The page's audit trail shows them too, narrowed to one family of actions on request.
    const trail = region('Registro delle operazioni');
    await trail.getByLabel('Mostra').selectOption('user.');
    await poll(() => trail.getByRole('table').textContent()).toContain('user.created');
    const actions = await trail.locator('tbody code').allTextContents();
    expect(actions.length).toBeGreaterThanOrEqual(3);
    expect(actions.every((a) => a.startsWith('user.'))).toBe(true);
    await trail.getByLabel('Mostra').selectOption('code.');
    await trail.getByText('Nessuna operazione registrata.').waitFor();
  });

  it('staff issue a workstation credential (shown once, copied), which works, then revoke it after confirming', async () => {
    const tenant = await createTenant();
    await open(STAFF, `/support/#/clienti/${tenant.customerId}`);
    const ws = region('Postazioni');
    await ws.getByLabel('Postazione', { exact: true }).selectOption({ label: 'Postazione client' });
    await ws.getByLabel('Etichetta').fill('Ufficio 2');
    await ws.getByRole('button', { name: 'Emetti credenziali' }).click();
    await ws.getByRole('heading', { name: 'Credenziali della postazione Ufficio 2' }).waitFor();
    await ws.getByText('non verranno più mostrate').waitFor();
    const credential = await ws.getByLabel('Valore').inputValue();
    expect(credential).toMatch(/^dsk_/);
    await ws.getByRole('button', { name: 'Copia' }).click();
    await ws.getByText('Copiato negli appunti.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(credential);
    await screenshot(page, 'console-credenziali-postazione');
    const feed = await call('GET', '/v1/desktop/feed?installed=03.01.00_030', { auth: `Desktop ${credential}` });
    expect(feed.status).toBe(200);
    await ws.getByRole('button', { name: 'Fatto, nascondi' }).click();
    expect(await ws.getByLabel('Valore').count()).toBe(0);

    // A label in use among live credentials: named under the label.
    await ws.getByLabel('Etichetta').fill('Ufficio 2');
    await ws.getByRole('button', { name: 'Emetti credenziali' }).click();
    await ws.getByText('Esistono già credenziali attive con l\'etichetta "Ufficio 2"').waitFor();

    await rowOf('Postazioni', 'Ufficio 2').getByRole('button', { name: 'Revoca' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revocare le credenziali di Ufficio 2?' });
    // Annulla has the focus: Enter does not revoke by mistake.
    await poll(() => page.evaluate<string>('document.activeElement?.textContent')).toBe('Annulla');
    await confirm.getByRole('button', { name: 'Revoca' }).click();
    await ws.getByText('Credenziali di Ufficio 2 revocate.').waitFor();
    await poll(() => rowOf('Postazioni', 'Ufficio 2').textContent()).toMatch(/Sì ·/);
    expect(await auditActions(tenant.customerId)).toEqual(expect.arrayContaining(['workstation.issued', 'workstation.revoked']));
  });

  it('staff authorise a tablet (a wrong serial is named under its field, nothing typed is lost), disable and enable it', async () => {
    const tenant = await createTenant({ devices: 1 });
    await open(STAFF, `/support/#/clienti/${tenant.customerId}`);
    const tablets = region('Gestione Autorizzazioni Tablet');
    await tablets.getByLabel('Seriale (codice IMEI)').fill('35 69 38 03');
    await tablets.getByLabel('Modello').fill('Samsung Galaxy Tab A8');
    await tablets.getByLabel('Codice', { exact: true }).fill('OP07');
    await tablets.getByLabel('Nome', { exact: true }).fill('Chiara');
    await tablets.getByLabel('Cognome').fill('Ferri');
    await tablets.getByLabel('Telefono').fill('+39 333 400 0007');
    await tablets.getByRole('button', { name: 'Autorizza tablet' }).click();
    await tablets.getByText('Seriale non valido').waitFor();
    await poll(() => page.evaluate<string>("document.activeElement?.getAttribute('name')")).toBe('serial');
    expect(await tablets.getByLabel('Cognome').inputValue()).toBe('Ferri');
    await screenshot(page, 'console-tablet-errore');

    const good = serial();
    await tablets.getByLabel('Seriale (codice IMEI)').fill(good);
    await tablets.getByRole('button', { name: 'Autorizza tablet' }).click();
    await tablets.getByText(`Tablet ${good} autorizzato`).waitFor();
    await poll(() => rowOf('Gestione Autorizzazioni Tablet', good).textContent()).toContain('Ferri Chiara');
    expect(await tablets.getByLabel('Seriale (codice IMEI)').inputValue()).toBe('');

    await rowOf('Gestione Autorizzazioni Tablet', good).getByRole('button', { name: 'Disabilita' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Disabilitare il tablet ${good}?` });
    await confirm.getByText('ABILITATO').waitFor();
    await confirm.getByRole('button', { name: 'Disabilita' }).click();
    await tablets.getByText(`Tablet ${good} disabilitato.`).waitFor();
    await rowOf('Gestione Autorizzazioni Tablet', good).getByRole('button', { name: 'Abilita', exact: true }).click();
    await tablets.getByText(`Tablet ${good} abilitato`).waitFor();
    await screenshot(page, 'console-cliente-gestione');
    expect(await auditActions(tenant.customerId)).toEqual(
      expect.arrayContaining(['device.authorised', 'device.disabled', 'device.enabled']),
    );
  });

  it('an agent manages its assigned customer, gets the 403 page on another, and is offered no publishing', async () => {
    const [mine, theirs] = await Promise.all([createTenant(), createTenant()]);
    const person = await createPerson('agent');
    expect((await call('PUT', `/v1/support/agents/${person.username}/customers/${mine.customerId}`, staff())).status).toBe(200);
    await open(person, `/support/#/clienti/${mine.customerId}`);
    const users = region('Utenti di mOphas Desktop');
    await users.getByLabel('Nome utente', { exact: true }).fill('anna.verdi');
    await users.getByLabel('Password iniziale').fill('anna-password-01');
    await users.getByRole('button', { name: 'Aggiungi utente' }).click();
    await users.getByRole('heading', { name: 'Password di anna.verdi' }).waitFor();
    const tablets = region('Gestione Autorizzazioni Tablet');
    const good = serial();
    await tablets.getByLabel('Seriale (codice IMEI)').fill(good);
    await tablets.getByLabel('Modello').fill('Lenovo Tab M10');
    await tablets.getByLabel('Codice', { exact: true }).fill('OP09');
    await tablets.getByLabel('Nome', { exact: true }).fill('Anna');
    await tablets.getByLabel('Cognome').fill('Verdi');
    await tablets.getByLabel('Telefono').fill('+39 333 400 0009');
    await tablets.getByRole('button', { name: 'Autorizza tablet' }).click();
    await tablets.getByText(`Tablet ${good} autorizzato`).waitFor();
    // Workstation credentials and licences: read only for an agent (staff issue and revoke them).
    for (const name of ['Postazioni', 'Licenze']) {
      const section = region(name);
      expect(await section.getByRole('button').count()).toBe(0);
      await section.getByText('le emette e le revoca il personale di assistenza Alturas').waitFor();
    }

    await page.goto(`${gateway.url}/support/#/clienti/${theirs.customerId}`);
    await page.getByRole('heading', { name: 'Accesso negato' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain(theirs.customerId);
    // No publishing: not in the navigation, and its address is the 403 page with no form.
    await page.goto(`${gateway.url}/support/#/release/pubblica`);
    await page.getByRole('heading', { name: 'Accesso negato' }).waitFor();
    expect(await page.getByRole('button', { name: 'Pubblica' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Pubblica una release' }).count()).toBe(0);
  });
});

describe('publishing a release from the browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('staff publish from two files: hashed in the page, a failed part retried, a bad link named under its field, then listed', async () => {
    const version = `33.9${Math.floor(Math.random() * 10)}.00_${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
    // Above 16 MiB: a multipart upload (3 parts of 8 MiB), the mobile package a single PUT.
    const desktop = Buffer.alloc(17 * 1024 * 1024 + 11, 7);
    const mobile = Buffer.from(`mOphas mobile ${version} apk`);
    await open(STAFF, '/support/#/release');
    await page.getByRole('link', { name: 'Pubblica una release' }).click();
    await page.getByRole('heading', { name: 'Pubblica una release' }).waitFor();

    await page.getByLabel('Versione', { exact: true }).fill(version);
    await page.getByLabel('Dettagli aggiornamento (indirizzo https://)').fill('http://wiki.alturas.it/not-https');
    await page.getByLabel('Richiede il codice di conferma (Procedura preliminare di aggiornamento)').check();
    await page.getByLabel('Pacchetto di installazione di mOphas Desktop').setInputFiles({
      name: 'mophas-setup.exe',
      mimeType: 'application/octet-stream',
      buffer: desktop,
    });
    await page.getByLabel('Pacchetto di mOphas mobile (APK)').setInputFiles({
      name: 'mophas.apk',
      mimeType: 'application/vnd.android.package-archive',
      buffer: mobile,
    });
    // Part 2 of the desktop package fails every try: the upload stops, the parts stored are kept.
    let refusedPuts = 0;
    await context.route(
      (url) => url.searchParams.get('partNumber') === '2',
      (route) => {
        if (route.request().method() !== 'PUT' || refusedPuts >= 3) return route.continue();
        refusedPuts++;
        return route.abort('connectionreset');
      },
    );
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.getByText('Caricamento interrotto alla parte 2').waitFor({ timeout: 60_000 });
    expect(refusedPuts).toBe(3);
    // Riprova sends the missing part; then the publish refuses the link, named under its field.
    await page.getByRole('button', { name: 'Riprova' }).click();
    const link = page.getByLabel('Dettagli aggiornamento (indirizzo https://)');
    await poll(() => link.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Indicare un indirizzo https:// completo').waitFor();
    expect(await page.getByLabel('Versione', { exact: true }).inputValue()).toBe(version);
    await link.fill(`https://wiki.alturas.it/mophas/${version}`);
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.getByText(`Release ${version} pubblicata`).waitFor({ timeout: 60_000 });
    await poll(() => page.locator('.progress').first().textContent()).toContain('100%');
    await screenshot(page, 'console-pubblica-release');

    const list = await call('GET', '/v1/support/releases', staff());
    const release = (list.body.releases as { version: string; desktop: { size: number }; requiresConfirmationCode: boolean }[]).find(
      (r) => r.version === version,
    );
    expect(release).toMatchObject({ requiresConfirmationCode: true, desktop: { size: desktop.length } });
    await page.getByRole('link', { name: 'Tutte le release' }).click();
    await page.getByRole('link', { name: version, exact: true }).waitFor();
  });
});
