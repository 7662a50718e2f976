import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SupportClient } from '../../../client/support';
import type { Gateway } from '../../../local/gateway';
import { formatCode } from '../../../shared/codes/code-format';
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
import { ensureRelease } from '../../fixtures/session';
import { staffAuth } from '../../fixtures/sign-in';
import { publishTestRelease } from '../../fixtures/tenant';

/*
 * The manual's three paths in the hosted window (issue 12 item 5), in
 * Chromium: the test clicks as an administrator would (roles and the visible
 * Italian names), while simulated devices from client/ answer the pushes and
 * the phone exchanges, and the simulated desktop reports its installer's
 * outcome. Each window is saved into docs/screenshots/. Releases 41.xx and
 * 42.xx belong to this file.
 */
const PLAIN = { from: '41.00.00_001', to: '41.00.00_002' };
const CODED = { from: '42.00.00_001', to: '42.00.00_002' };

let gateway: Gateway;
let browser: Browser;
let page: Page;
let support: SupportClient;
const pageErrors: string[] = [];

beforeAll(async () => {
  [gateway, browser] = await Promise.all([startWindowGateway(), launchChromium()]);
  page = await (await browser.newContext({ viewport: VIEWPORT, locale: 'it-IT', timezoneId: 'Europe/Rome' })).newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (r) => process.env.DEBUG_WEB && console.log('>>', r.method(), r.url()));
  page.on('response', (r) => process.env.DEBUG_WEB && console.log('<<', r.status(), r.url()));
  const staff = await staffAuth();
  support = new SupportClient({ apiUrl: gateway.url, session: { authenticate: async () => ({ authorization: staff }) } });
  await Promise.all([ensureRelease(PLAIN.to), publishTestRelease(CODED.to, { requiresConfirmationCode: true }).catch(() => undefined)]);
}, 120_000);
afterAll(async () => {
  // No script error in any window along the way.
  expect(pageErrors).toEqual([]);
  await browser?.close();
  await gateway?.close();
});

afterEach(async (context) => {
  // A failed step leaves a picture of the window it failed in.
  if (context.task.result?.state === 'fail')
    await page.screenshot({ path: `/tmp/mophas-web-failure-${context.task.name.slice(0, 20).replace(/\W+/g, '-')}.png` });
});

const button = (name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' }).first();
const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });
const alertDialog = (name: string | RegExp) => page.getByRole('alertdialog', { name });
const heading = () => page.getByRole('heading', { level: 2 }).first();
const row = (serial: string) => page.getByRole('row').filter({ hasText: serial });

/** The desktop downloads and verifies the installer (the notice turns green), then opens the window. */
async function openWindow(customer: WindowCustomer, options: { download?: boolean } = {}) {
  if (options.download !== false) await customer.desktop.downloadUpdate({ dir: `/tmp/mophas-web-${customer.customerId}` });
  await page.goto(await customer.windowUrl());
}

/** Types a code into the three fields of a fieldset, group by group. */
async function typeCode(legend: string, code: string) {
  const groups = code.split('-');
  for (const [i, group] of groups.entries()) {
    await page.getByRole('textbox', { name: `${legend}, gruppo ${i + 1} di 3` }).fill(group);
  }
}

async function readCode(legend: string) {
  const groups: string[] = [];
  for (let i = 1; i <= 3; i++) groups.push(await page.getByRole('textbox', { name: `${legend}, gruppo ${i} di 3` }).inputValue());
  return groups.join('-');
}

describe('the hosted update window in Chromium, through the manual three paths', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  it('regular update: green notice → START UPDATE (Sì) → devices lock → Avvia → Fine aggiornamento → red row until updated → Aggiornamento concluso', async () => {
    const customer = await windowCustomer(gateway.url, PLAIN.from, ['fcm', 'fcm', 'none']);
    const [rossi, bianchi, verdi] = customer.devices as [any, any, any];
    await openWindow(customer);

    // The startup notice: green, its colour in words, and the manual's two buttons.
    const notice = page.locator('.notice');
    await poll(() => notice.textContent()).toContain('Avviso verde');
    expect(await notice.textContent()).toContain(`versione ${PLAIN.to}`);
    expect(await page.getByRole('link', { name: /Dettagli aggiornamento/ }).getAttribute('href')).toContain(PLAIN.to);
    expect(page.url()).not.toContain('ticket');
    await screenshot(page, 'avviso-verde');

    await button('Gestione aggiornamento').click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento disponibile');
    for (const column of [
      'Seriale',
      'Device',
      'Operatore',
      'Telefono',
      'Ultima Synchro',
      'Notifiche abilitate',
      'Notifica inviata',
      'Bloccato',
      'Attesa Aggiornamento',
      'Note',
    ]) {
      await poll(() => page.getByRole('columnheader', { name: column, exact: true }).count()).toBe(1);
    }
    expect(await page.getByRole('columnheader', { name: 'Versione installata' }).count()).toBe(0);

    // START UPDATE asks Sì/No first (backups), then shows the per-device summary.
    await button('Invia START UPDATE').click();
    await alertDialog('Invio notifica START UPDATE')
      .getByText(/BACKUP GENERALE MOPHAS/)
      .waitFor();
    await button('Sì').click();
    const summary = dialog('Riepilogo notifiche START UPDATE');
    await summary.waitFor();
    const line = (serial: string) => summary.getByRole('listitem').filter({ hasText: serial }).textContent();
    expect(await line(rossi.serial)).toContain(': inviata');
    expect(await line(bianchi.serial)).toContain(': inviata');
    expect(await line(verdi.serial)).toContain(': non riuscita');
    expect(await summary.textContent()).toContain('INVIO DATI NON TRASMESSI');
    await screenshot(page, 'riepilogo-start-update');
    await summary.getByRole('button', { name: 'OK' }).click();

    // The devices confirm, lock and send their unsent data; the tokenless one finds the command at check-in.
    await customer.handlePushes({ checkIn: [verdi] });
    await button('Aggiorna elenco').click();
    await poll(() => button('Avvia aggiornamento').isEnabled()).toBe(true);
    expect(await button('Forza aggiornamento').isDisabled()).toBe(true);
    for (const d of [rossi, bianchi, verdi]) expect(await row(d.serial).textContent()).toMatch(/✓ Sì✓ Sì$|✓ Sì.*✓ Sì/);
    await screenshot(page, 'gestione-aggiornamento-fase-1');

    await button('Avvia aggiornamento').click();
    await dialog('Avvia aggiornamento').getByRole('button', { name: 'Avvia' }).click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento in corso');
    expect(await page.getByText(/ONDA e mophas siano chiusi/).count()).toBe(1);

    // The installer ends well; back on the notice, Fine aggiornamento sends END UPDATE and shows its summary.
    await customer.desktop.reportOutcome({ result: 'success', version: PLAIN.to });
    await button('Chiudi').click();
    await button('Fine aggiornamento').click();
    const endSummary = dialog('Riepilogo notifiche END UPDATE');
    await endSummary.waitFor();
    await endSummary.getByRole('button', { name: 'OK' }).click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento concluso');
    await page.getByRole('columnheader', { name: 'Versione installata' }).waitFor();

    // Two devices update at once; the one without push is red — and says so — until its operator starts the app.
    await customer.handlePushes();
    await button('Aggiorna elenco').click();
    await poll(() => row(rossi.serial).textContent()).toContain(PLAIN.to);
    expect(await row(verdi.serial).textContent()).toContain(`${PLAIN.from} — non aggiornato`);
    expect(await row(rossi.serial).textContent()).not.toContain('non aggiornato');
    await page.getByRole('radio', { name: 'Mostra i dispositivi non aggiornati' }).check();
    await poll(() => page.getByRole('row').count()).toBe(2);
    await screenshot(page, 'gestione-aggiornamento-fase-3');
    await customer.handlePushes({ only: [verdi], checkIn: [verdi] });
    await button('Aggiorna elenco').click();
    await poll(() => page.getByText('Nessun dispositivo in elenco.').count()).toBe(1);
    await page.getByRole('radio', { name: 'Mostra tutti i dispositivi' }).check();

    // Every device updated: Aggiornamento concluso needs no second confirmation; the coloured box goes.
    await button('Aggiornamento concluso').click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Aggiornamento concluso: i dispositivi aggiornati riprendono la normale operatività.' })
      .waitFor();
    await poll(() => heading().textContent()).toBe('Avviso aggiornamenti');
    expect(await button('Fine aggiornamento').count()).toBe(0);
    for (const d of [rossi, bianchi, verdi]) expect((await d.client.checkIn()).command.command).toBe('NONE');
  });

  it('forced update into a release needing a code: Procedura preliminare (typo caught, wrong code refused) → a phone lock by GENERA/VERIFICA → Forza twice → Aggiornamento concluso with the second confirmation', async () => {
    const customer = await windowCustomer(gateway.url, CODED.from, ['fcm', 'fcm', 'noapp', 'stale']);
    const [, , silent, phone] = customer.devices as [any, any, any, any];
    await openWindow(customer, { download: false });

    // White: the update needs a confirmation code; Gestione aggiornamento opens the preliminary procedure.
    await poll(() => page.locator('.notice').textContent()).toContain('Avviso bianco');
    await button('Gestione aggiornamento').click();
    await poll(() => heading().textContent()).toBe('Procedura preliminare di aggiornamento');
    const challengeField = 'Codice da comunicare al referente';
    await page.getByRole('textbox', { name: `${challengeField}, gruppo 3 di 3` }).waitFor();
    expect(await page.getByRole('textbox', { name: `${challengeField}, gruppo 1 di 3` }).getAttribute('readonly')).not.toBeNull();
    const { response } = await support.confirmationResponse(customer.customerId, CODED.to, await readCode(challengeField));

    // A typo in group 2 is named as it is typed; the button waits for a well-formed code.
    const responseField = 'Codice comunicato dal referente';
    const groups = response.split('-');
    const typo = `${groups[1]!.slice(0, 4)}${(Number(groups[1]![4]) + 1) % 10}`;
    await typeCode(responseField, [groups[0], typo, groups[2]].join('-'));
    await page.getByText('Il gruppo 2 contiene un errore di battitura: controllare le cifre e riprovare').waitFor();
    expect(await button('AVVIA AGGIORNAMENTO').isDisabled()).toBe(true);
    await screenshot(page, 'procedura-preliminare');

    // A well-formed but wrong code: the manual's refusal at the bottom of the window, one attempt spent.
    const wrong = formatCode(response.startsWith('0') ? '111111111111' : '000000000000');
    await typeCode(responseField, wrong);
    await button('AVVIA AGGIORNAMENTO').click();
    await page
      .getByRole('alert')
      .filter({ hasText: "Il codice inserito non è valido: non è possibile avviare l'aggiornamento. Tentativi rimasti: 4." })
      .waitFor();

    await typeCode(responseField, response);
    await button('AVVIA AGGIORNAMENTO').click();
    await page.getByRole('status').filter({ hasText: 'Il codice comunicato dal referente è corretto' }).waitFor();
    await button('Chiudi').click();
    await poll(() => page.locator('.notice').textContent()).toContain('Avviso giallo');

    // The installer downloads; the notice turns green; START UPDATE reaches all but the stale token.
    await customer.desktop.downloadUpdate({ dir: `/tmp/mophas-web-${customer.customerId}` });
    await button('Avviso aggiornamenti').click();
    await poll(() => page.locator('.notice').textContent()).toContain('Avviso verde');
    await button('Gestione aggiornamento').click();
    await button('Invia START UPDATE').click();
    await button('Sì').click();
    const summary = dialog('Riepilogo notifiche START UPDATE');
    expect(await summary.getByRole('listitem').filter({ hasText: phone.serial }).textContent()).toContain('non riuscita');
    expect(await summary.textContent()).toContain('BLOCCO MANUALE');
    await summary.getByRole('button', { name: 'OK' }).click();
    await customer.handlePushes();

    // The stale-token tablet is locked by phone: code 1 (a typo first), GENERA, code 2 read back, code 3, VERIFICA.
    await page.getByRole('radio', { name: `Seleziona il dispositivo ${phone.serial}` }).check();
    await button('Blocco manuale').click();
    const lockDialog = dialog('Blocco dispositivo mobile');
    await lockDialog.waitFor();
    const { code1 } = await phone.client.beginLockExchange('lock');
    const [g1] = code1.split('-') as [string];
    await page
      .getByRole('textbox', { name: "Primo codice (comunicato dall'operatore), gruppo 1 di 3" })
      .fill(`${(Number(g1[0]) + 1) % 10}${g1.slice(1)}`);
    await lockDialog.getByText('Il gruppo 1 contiene un errore di battitura').waitFor();
    await typeCode("Primo codice (comunicato dall'operatore)", code1);
    expect(await lockDialog.textContent()).toContain('gruppo 1 corretto');
    await lockDialog.getByRole('button', { name: 'GENERA' }).click();
    await page.getByRole('textbox', { name: "Secondo codice (da comunicare all'operatore), gruppo 3 di 3" }).waitFor();
    const entered = await phone.client.enterCode2(await readCode("Secondo codice (da comunicare all'operatore)"));
    if (!entered.ok) throw new Error(`code 2 refused: ${JSON.stringify(entered)}`);
    await typeCode("Terzo codice (comunicato dall'operatore)", entered.code3);
    await screenshot(page, 'blocco-dispositivo');
    await lockDialog.getByRole('button', { name: 'VERIFICA' }).click();
    await lockDialog.getByRole('status').filter({ hasText: 'Dispositivo bloccato' }).waitFor();
    await lockDialog.getByRole('button', { name: 'Chiudi' }).click();
    await poll(() => row(phone.serial).textContent()).toContain('Bloccato manualmente');
    const owed = await phone.client.checkIn();
    await phone.client.follow(owed.command, { dir: '/tmp' });

    // One device never answered: Avvia stays off, Forza asks twice and lists the device at risk.
    await button('Aggiorna elenco').click();
    await poll(() => button('Forza aggiornamento').isEnabled()).toBe(true);
    expect(await button('Avvia aggiornamento').isDisabled()).toBe(true);
    await button('Forza aggiornamento').click();
    const force = alertDialog('Forza aggiornamento');
    await force.getByText(silent.serial).waitFor();
    expect(await force.textContent()).toContain('duplice autorizzazione');
    await screenshot(page, 'forza-aggiornamento');
    await force.getByRole('button', { name: 'Forza', exact: true }).click();
    await alertDialog('Forza aggiornamento – seconda autorizzazione').getByRole('button', { name: 'Avvia' }).click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento in corso');
    expect(await page.locator('.phase').textContent()).toContain('Aggiornamento forzato');

    await customer.desktop.reportOutcome({ result: 'success', version: CODED.to });
    await button('Chiudi').click();
    await button('Fine aggiornamento').click();
    await dialog('Riepilogo notifiche END UPDATE').getByRole('button', { name: 'OK' }).click();
    await customer.handlePushes({ checkIn: [phone] });

    // The silent device is not updated: a warning listing it, then the second confirmation.
    await button('Aggiornamento concluso').click();
    const warning = alertDialog('Avviso: Fine Aggiornamento');
    await warning.getByText(silent.serial).waitFor();
    expect(await warning.textContent()).toContain('non sarà più possibile accedere alla finestra Gestione Aggiornamento');
    await screenshot(page, 'avviso-fine-aggiornamento');
    await warning.getByRole('button', { name: 'OK' }).click();
    await alertDialog('Aggiornamento concluso – conferma').getByRole('button', { name: 'OK' }).click();
    await page.getByRole('status').filter({ hasText: 'Aggiornamento concluso' }).waitFor();
    await poll(() => heading().textContent()).toBe('Avviso aggiornamenti');
  });

  it("abnormal termination: red notice → Riattiva i terminali mobile → ERROR UPDATE → the unreachable tablet unlocked by phone → Invia segnalazione all'assistenza → support resolves; Gestione Mobile", async () => {
    const customer = await windowCustomer(gateway.url, PLAIN.from, ['fcm', 'fcm', 'noapp']);
    const [rossi, , unreachable] = customer.devices as [any, any, any];
    await openWindow(customer);
    await button('Gestione aggiornamento').click();
    await button('Invia START UPDATE').click();
    await button('Sì').click();
    await dialog('Riepilogo notifiche START UPDATE').getByRole('button', { name: 'OK' }).click();
    await customer.handlePushes({ checkIn: [unreachable] });
    await button('Aggiorna elenco').click();
    await poll(() => button('Avvia aggiornamento').isEnabled()).toBe(true);
    await button('Avvia aggiornamento').click();
    await dialog('Avvia aggiornamento').getByRole('button', { name: 'Avvia' }).click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento in corso');

    // UPGRADE PROGRAM: TERMINATA IN MODO ANOMALO.
    await customer.desktop.reportOutcome({
      result: 'failed',
      log: 'UPGRADE PROGRAM\nstep 7/9: database migration\nTERMINATA IN MODO ANOMALO\n',
      message: 'installer exit code 3',
    });
    await button('Chiudi').click();
    const notice = page.locator('.notice');
    await poll(() => notice.textContent()).toContain('Avviso rosso');
    expect(await button("Invia segnalazione all'assistenza").count()).toBe(1);
    await screenshot(page, 'avviso-rosso');

    await button('Riattiva i terminali mobile').click();
    await poll(() => heading().textContent()).toBe('Gestione aggiornamento – Aggiornamento concluso in modo errato');
    expect(await button('Invia START UPDATE').count()).toBe(0);
    await button('Attiva tutte le device e invia push').click();
    const summary = dialog('Riepilogo notifiche ERROR UPDATE');
    await summary.waitFor();
    await summary.getByRole('button', { name: 'OK' }).click();
    await customer.handlePushes();
    expect(rossi.client.state.locked).toBe(false);
    expect(unreachable.client.state.locked).toBe(true);

    // SBLOCCO DEVICE by phone for the tablet the push never reached.
    await page.getByRole('radio', { name: `Seleziona il dispositivo ${unreachable.serial}` }).check();
    await button('Sblocco manuale').click();
    const unlock = dialog('Sblocco dispositivo mobile');
    await unlock.waitFor();
    const { code1 } = await unreachable.client.beginLockExchange('unlock');
    await typeCode("Primo codice (comunicato dall'operatore)", code1);
    await unlock.getByRole('button', { name: 'GENERA' }).click();
    await page.getByRole('textbox', { name: "Secondo codice (da comunicare all'operatore), gruppo 3 di 3" }).waitFor();
    const entered = await unreachable.client.enterCode2(await readCode("Secondo codice (da comunicare all'operatore)"));
    if (!entered.ok) throw new Error(`code 2 refused: ${JSON.stringify(entered)}`);
    await typeCode("Terzo codice (comunicato dall'operatore)", entered.code3);
    await unlock.getByRole('button', { name: 'VERIFICA' }).click();
    await unlock.getByRole('status').filter({ hasText: 'Dispositivo sbloccato' }).waitFor();
    await unlock.getByRole('button', { name: 'Chiudi' }).click();
    expect(unreachable.client.state.locked).toBe(false);

    await button("Invia segnalazione all'assistenza").click();
    const report = dialog("Invia segnalazione all'assistenza");
    await report
      .getByRole('textbox', { name: "Messaggio per l'assistenza (facoltativo)" })
      .fill("L'installazione si è fermata al passo 7/9.");
    await report.getByRole('button', { name: 'Invia' }).click();
    await page.getByRole('status').filter({ hasText: "Segnalazione inviata all'assistenza (caso" }).waitFor();
    await poll(() => button("Invia segnalazione all'assistenza").isDisabled()).toBe(true);
    await screenshot(page, 'gestione-aggiornamento-anomalo');

    // Support resolves it: the notice is normal again (the verified installer: green).
    const failed = await support.failedUpdates({ limit: 100 });
    const { cases } = { cases: await support.cases({ limit: 100 }) };
    expect(cases.items.some((c) => c.customerId === customer.customerId && c.message?.includes('7/9'))).toBe(true);
    expect(failed.items.some((f) => f.customerId === customer.customerId) || failed.cursor !== undefined).toBe(true);
    await support.resolve(customer.customerId, 'Migration fixed remotely.');
    await button('Avviso aggiornamenti').click();
    await poll(() => notice.textContent()).toContain('Avviso verde');

    // Gestione Mobile lists the tablet authorisation table: a tablet the office just authorised is there too,
    // not registered yet and with no version; the others with their version. A double confirmation disables one, Abilita brings it back.
    const waiting = await customer.desktop.authoriseTablet({
      serial: `35${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`,
      model: 'Zebra TC52',
      operator: { code: 'OP09', name: 'Sara', surname: 'Conti' },
      phone: '+39 333 200 009',
    });
    await button('Gestione Mobile').click();
    await poll(() => heading().textContent()).toBe('Gestione Mobile – Gestione autorizzazioni tablet');
    await poll(() => page.getByRole('row').count()).toBe(5);
    const registeredCell = (serial: string) => row(serial).getByRole('cell').nth(7);
    expect(await row(rossi.serial).textContent()).toContain(PLAIN.from);
    expect(await registeredCell(rossi.serial).textContent()).toBe('✓ Sì');
    expect(await row(waiting.serial).textContent()).toContain('Sara');
    expect(await row(waiting.serial).textContent()).not.toContain(PLAIN.from);
    expect(await registeredCell(waiting.serial).textContent()).toBe('No');
    await page.getByRole('radio', { name: `Seleziona il dispositivo ${rossi.serial}` }).check();
    await button('Disabilita dispositivo').click();
    await alertDialog('Disabilita dispositivo')
      .getByText(/non potrà più operare/)
      .waitFor();
    await alertDialog('Disabilita dispositivo').getByRole('button', { name: 'OK' }).click();
    await alertDialog('Disabilita dispositivo – conferma').getByRole('button', { name: 'OK' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Dispositivo ${rossi.serial} disabilitato.` })
      .waitFor();
    await poll(() => row(rossi.serial).textContent()).toMatch(/No/);
    await screenshot(page, 'gestione-mobile');
    await button('Abilita').click();
    await page
      .getByRole('status')
      .filter({ hasText: `Dispositivo ${rossi.serial} abilitato` })
      .waitFor();
  });
});
