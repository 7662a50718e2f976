/**
 * mOphas mobile's side of the API (SPEC §5, §6): registration, check-in (the
 * command the device owes, DEV-7), the START UPDATE reports (acknowledged,
 * locked, unsent data sent), the mobile package download and the installed
 * report (DEV-5), and the device's half of the manual lock/unlock exchange,
 * computed offline with the pure module `shared/codes/lock-exchange` (LOCK-2).
 *
 * The device keeps {@link DeviceState} (credential, lock secret, installed
 * version, the code 1 of an exchange in progress) in a {@link StateStore}.
 * {@link LocalPushInbox} reads what the local SNS endpoint delivered to a push
 * token, standing in for FCM on the local stack.
 */
import { join } from 'node:path';
import { makeCode1, makeCode3, verifyCode2, type LockAction } from '../shared/codes/lock-exchange';
import { parseVersion } from '../shared/domain/version';
import { readPushMessage } from '../shared/push/commands';
import { downloadPackage, type DownloadOptions, type DownloadResult } from './download';
import { ApiError, ApiUnreachableError, HttpClient, MophasClientError, networkDetail } from './http';
import { memoryStore, type StateStore } from './state';
import type { AckAnswer, DevicePackage, InstalledAnswer, OwedAnswer, OwedCommand, Registration, ReportAnswer } from './types';
import type { Body } from './api';

/** Wrong code 2 entries accepted per code 1 before the device discards it (docs/code-algorithms.md §6). */
export const MAX_CODE2_ATTEMPTS = 5;

/** The commands a device acknowledges. */
export type AckCommand = Body<'POST /v1/device/ack'>['command'];

/** What a device keeps. */
export interface DeviceState {
  readonly format: 1;
  apiUrl?: string;
  serial: string;
  licenceCode?: string;
  model?: string;
  /** `dev_…`, sent as `Authorization: Device …`; replaced at every registration. */
  credential?: string;
  /** Per-device secret of the offline lock exchange (LOCK-2); replaced at every registration. */
  lockSecret?: string;
  installedVersion: string;
  /** FCM token; `null` = notifications not allowed. */
  pushToken?: string | null;
  /** Only "send unsent data" and lock/unlock remain while locked (DEV-2). */
  locked: boolean;
  lastSyncAt?: string;
  /** The last answer's command and session. */
  owed?: OwedAnswer;
  /** A manual lock/unlock exchange in progress: the device's own code 1 (data digits). */
  exchange?: { action: LockAction; code1: string; wrongAttempts: number; startedAt: string };
  /** Push commandIds already handled (the app ignores a repeated commandId). */
  handledCommandIds: string[];
}

export interface DeviceClientOptions {
  readonly apiUrl: string;
  /** Where the state lives. @default memory */
  readonly store?: StateStore<DeviceState>;
  /** A state to start from when the store is empty (e.g. a device provisioned by the seed). */
  readonly initial?: Omit<DeviceState, 'format' | 'handledCommandIds' | 'locked'> &
    Partial<Pick<DeviceState, 'locked' | 'handledCommandIds'>>;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/** Result of typing code 2 on the device. */
export type Code2Entry =
  | { ok: true; action: LockAction; code3: string; locked: boolean }
  | {
      ok: false;
      reason: 'FORMAT' | 'TYPO' | 'MISMATCH';
      message: string;
      messages: { en: string; it: string };
      attemptsLeft: number;
      discarded: boolean;
    };

export interface InstalledUpdate {
  readonly package: DevicePackage;
  readonly download: DownloadResult;
  readonly installed: InstalledAnswer;
  readonly registration: Registration;
}

export class DeviceClient {
  private readonly http: HttpClient;
  private readonly store: StateStore<DeviceState>;
  private readonly now: () => Date;

  private constructor(
    options: DeviceClientOptions,
    private current: DeviceState,
  ) {
    this.http = new HttpClient({ baseUrl: options.apiUrl, timeoutMs: options.timeoutMs, fetch: options.fetch });
    this.store = options.store ?? memoryStore<DeviceState>();
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Loads the device's state (or `initial`) and returns a client.
   *
   * @throws MophasClientError `NO_DEVICE_STATE` when there is neither.
   */
  static async open(options: DeviceClientOptions): Promise<DeviceClient> {
    const store = options.store ?? memoryStore<DeviceState>();
    const saved = await store.load();
    const http = new HttpClient({ baseUrl: options.apiUrl });
    let state: DeviceState | undefined = saved;
    if (!state && options.initial) {
      state = { format: 1, locked: false, handledCommandIds: [], ...options.initial, apiUrl: http.baseUrl };
      await store.save(state);
    }
    if (!state) throw new MophasClientError(`no device state in ${store.location}: register the device first`, 'NO_DEVICE_STATE');
    if (state.apiUrl && state.apiUrl !== http.baseUrl) {
      throw new MophasClientError(
        `the device state in ${store.location} belongs to ${state.apiUrl}, not ${http.baseUrl}: register the device again against this API`,
        'STATE_OTHER_API',
      );
    }
    return new DeviceClient({ ...options, store }, state);
  }

  /**
   * Registers a device (DEV-1) with serial and licence code and returns a client
   * holding its credential and lock secret. A known serial is a re-install: the
   * row is kept, a new credential and lock secret replace the old ones.
   */
  static async register(
    options: Omit<DeviceClientOptions, 'initial'>,
    input: { serial: string; licenceCode: string; installedVersion: string; model?: string; pushToken?: string | null },
  ): Promise<{ client: DeviceClient; registration: Registration }> {
    const store = options.store ?? memoryStore<DeviceState>();
    const saved = await store.load();
    const http = new HttpClient({ baseUrl: options.apiUrl });
    const base: DeviceState = {
      format: 1,
      locked: false,
      handledCommandIds: [],
      ...(saved?.serial === input.serial ? saved : {}),
      apiUrl: http.baseUrl,
      serial: input.serial,
      licenceCode: input.licenceCode,
      model: input.model,
      installedVersion: input.installedVersion,
      pushToken: input.pushToken,
    };
    const client = new DeviceClient({ ...options, store }, base);
    const registration = await client.reregister();
    return { client, registration };
  }

  get state(): Readonly<DeviceState> {
    return structuredClone(this.current);
  }

  get serial(): string {
    return this.current.serial;
  }

  private async update(change: Partial<DeviceState>) {
    this.current = { ...this.current, ...change };
    await this.store.save(this.current);
  }

  private auth() {
    if (!this.current.credential)
      throw new MophasClientError(`device ${this.current.serial} has no credential: register it first`, 'NOT_REGISTERED');
    return { authorization: `Device ${this.current.credential}` };
  }

  private async remember<T extends OwedAnswer>(answer: T): Promise<T> {
    const owed = { command: answer.command, session: answer.session, desktopVersion: answer.desktopVersion };
    // NONE: no update under way (or it was concluded): the device works normally again.
    await this.update(answer.command.command === 'NONE' ? { owed, locked: false } : { owed });
    return answer;
  }

  /**
   * (Re-)registers with the saved serial, licence code and installed version
   * ("Registra Dispositivo", e.g. after installing an update, DEV-5). The answer
   * carries the command owed, so a device on another version than the
   * desktop's is sent to it at once (DEV-6).
   */
  async reregister(): Promise<Registration> {
    const { serial, licenceCode, installedVersion, model, pushToken } = this.current;
    if (!licenceCode) throw new MophasClientError(`device ${serial} has no licence code: register it with one`, 'NO_LICENCE');
    const registration = await this.http.call(
      'POST /v1/device/register',
      { body: { serial, licenceCode, installedVersion, ...(model ? { model } : {}), pushToken: pushToken ?? null } },
      // A registered tablet proves it is itself with the credential it holds (the licence code alone is shared).
      { authorization: this.current.credential ? `Device ${this.current.credential}` : null },
    );
    await this.update({ credential: registration.credential, lockSecret: registration.lockSecret });
    return this.remember(registration);
  }

  /** Check-in (DEV-1/7): reports version, push token and last sync; answers the command owed now. */
  async checkIn(options: { lastSyncAt?: string; pushToken?: string | null } = {}): Promise<OwedAnswer> {
    if (options.pushToken !== undefined) await this.update({ pushToken: options.pushToken });
    const lastSyncAt = options.lastSyncAt ?? this.current.lastSyncAt;
    const answer = await this.http.call(
      'POST /v1/device/check-in',
      {
        body: {
          installedVersion: this.current.installedVersion,
          pushToken: this.current.pushToken ?? null,
          ...(lastSyncAt ? { lastSyncAt } : {}),
        },
      },
      this.auth(),
    );
    return this.remember(answer);
  }

  /** Confirms a pushed command (START UPDATE → Notification sent ✓). */
  async ack(sessionId: string, command: AckCommand): Promise<AckAnswer> {
    const answer = await this.remember(await this.http.call('POST /v1/device/ack', { body: { sessionId, command } }, this.auth()));
    if (command === 'ERROR_UPDATE') await this.update({ locked: false });
    return answer;
  }

  /** The device locked itself after START UPDATE (Blocked ✓). */
  async reportLocked(sessionId: string): Promise<ReportAnswer> {
    const answer = await this.remember(await this.http.call('POST /v1/device/locked', { body: { sessionId } }, this.auth()));
    await this.update({ locked: true });
    return answer;
  }

  /**
   * INVIO DATI NON TRASMESSI (DEV-2/3): accepted only in phase 1; after a forced
   * update the API refuses it with 409 `VERSION_MISMATCH` and the manual's message.
   */
  async sendUnsentData(sessionId: string): Promise<ReportAnswer> {
    const answer = await this.remember(await this.http.call('POST /v1/device/unsent-data-sent', { body: { sessionId } }, this.auth()));
    await this.update({ locked: true, lastSyncAt: this.now().toISOString() });
    return answer;
  }

  /** Reports the version now installed (DEV-5). */
  async reportInstalled(version: string): Promise<InstalledAnswer> {
    const parsed = parseVersion(version);
    if (!parsed.ok) throw new MophasClientError(`version: ${parsed.message}`, 'BAD_VERSION');
    return this.remember(await this.http.call('POST /v1/device/installed', { body: { version } }, this.auth()));
  }

  /**
   * Aggiorna Device: which mobile package to install — the one matching the
   * desktop's version (DEV-5/6). Before the desktop has finished the API answers
   * 409 `UPDATE_IN_PREPARATION` ("wait for END UPDATE or retry later", DEV-4).
   */
  packageInfo(): Promise<DevicePackage> {
    return this.http.call('GET /v1/device/package', {}, this.auth());
  }

  /**
   * Downloads the mobile package into `dir/<version>/` (resumable, verified
   * against size and SHA-256 — a wrong file is deleted), "installs" it (the
   * state's version), reports it installed and registers again (DEV-5).
   */
  async installUpdate(options: { dir: string } & DownloadOptions): Promise<InstalledUpdate> {
    const pkg = await this.packageInfo();
    const dest = join(options.dir, this.current.serial, pkg.version, 'mophas-mobile.apk');
    const download = await downloadPackage(pkg.url, pkg, dest, options);
    await this.update({ installedVersion: pkg.version });
    const installed = await this.reportInstalled(pkg.version);
    const registration = await this.reregister();
    return { package: pkg, download, installed, registration };
  }

  // ---------------------------------------------------------------------------
  // Gestione Blocco / Sblocco Device (LOCK-1…3), offline
  // ---------------------------------------------------------------------------

  /** Shows code 1 for a lock or unlock exchange (a new code 1 voids the previous one). */
  async beginLockExchange(action: LockAction): Promise<{ action: LockAction; code1: string }> {
    if (!this.current.lockSecret)
      throw new MophasClientError(`device ${this.current.serial} has no lock secret: register it first`, 'NOT_REGISTERED');
    const code1 = makeCode1(action);
    await this.update({ exchange: { action, code1: code1.data, wrongAttempts: 0, startedAt: this.now().toISOString() } });
    return { action, code1: code1.formatted };
  }

  /**
   * BLOCCA / SBLOCCA DEVICE: checks the code 2 read by HQ against this device's
   * own code 1, offline. Only a right code 2 locks (or unlocks) the device, which
   * then shows code 3 for HQ's VERIFICA. Typos cost no attempt; after
   * {@link MAX_CODE2_ATTEMPTS} wrong codes the code 1 is discarded.
   */
  async enterCode2(code2: string | readonly string[]): Promise<Code2Entry> {
    const exchange = this.current.exchange;
    const secret = this.current.lockSecret;
    if (!exchange || !secret)
      throw new MophasClientError('no lock/unlock exchange in progress on this device: show code 1 first', 'NO_EXCHANGE');
    const verdict = verifyCode2(secret, this.current.serial, exchange.code1, code2);
    if (!verdict.ok) {
      const wrong = exchange.wrongAttempts + (verdict.reason === 'MISMATCH' ? 1 : 0);
      const discarded = wrong >= MAX_CODE2_ATTEMPTS;
      await this.update({ exchange: discarded ? undefined : { ...exchange, wrongAttempts: wrong } });
      return {
        ok: false,
        reason: verdict.reason,
        message: verdict.message,
        messages: verdict.messages,
        attemptsLeft: MAX_CODE2_ATTEMPTS - wrong,
        discarded,
      };
    }
    const code3 = makeCode3(secret, this.current.serial, exchange.code1, code2);
    const locked = verdict.action === 'lock';
    await this.update({ locked, exchange: undefined });
    return { ok: true, action: verdict.action, code3, locked };
  }

  /** Remembers a push commandId as handled; false when it was already (a duplicate delivery). */
  async markHandled(commandId: string): Promise<boolean> {
    if (this.current.handledCommandIds.includes(commandId)) return false;
    await this.update({ handledCommandIds: [...this.current.handledCommandIds, commandId].slice(-50) });
    return true;
  }

  /**
   * Does what a command asks, as mOphas mobile would with an operator who
   * confirms every dialog: LOCK → confirm START UPDATE, lock, send unsent data;
   * UPDATE → download, verify, install, report, register again; REACTIVATE →
   * confirm ERROR UPDATE and unlock. AWAIT and NONE need nothing.
   */
  async follow(command: OwedCommand, options: { dir: string } & DownloadOptions): Promise<{ did: string[]; installed?: InstalledUpdate }> {
    const did: string[] = [];
    switch (command.command) {
      case 'LOCK':
        await this.ack(command.sessionId, 'START_UPDATE');
        did.push('START UPDATE confirmed');
        await this.reportLocked(command.sessionId);
        did.push('locked');
        await this.sendUnsentData(command.sessionId);
        did.push('unsent data sent');
        return { did };
      case 'UPDATE': {
        const installed = await this.installUpdate(options);
        did.push(`updated to ${installed.package.version}`);
        return { did, installed };
      }
      case 'REACTIVATE':
        await this.ack(command.sessionId, 'ERROR_UPDATE');
        did.push('ERROR UPDATE confirmed, unlocked');
        return { did };
      case 'AWAIT':
      case 'NONE':
        return { did };
    }
  }
}

/** A push as the app receives it (FCM data fields). */
export interface ReceivedPush {
  readonly command: AckCommand;
  readonly sessionId: string;
  readonly commandId: string;
  readonly targetVersion?: string;
  readonly at: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * What the local SNS endpoint delivered to a push token (`GET
 * <sns>/_local/deliveries?token=`): the local stand-in for FCM. `stale-…` tokens
 * are never delivered (endpoint disabled), `noapp-…` ones are accepted but never
 * reach the app (docs/push.md "Seeing failures locally").
 */
export class LocalPushInbox {
  constructor(
    readonly snsUrl: string,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  /** Every push delivered to `token`, oldest first. */
  async receive(token: string, options: { timeoutMs?: number } = {}): Promise<ReceivedPush[]> {
    const url = `${this.snsUrl.replace(/\/+$/, '')}/_local/deliveries?token=${encodeURIComponent(token)}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new ApiUnreachableError(url, (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'network', networkDetail(error), {
        cause: error,
      });
    }
    if (!res.ok)
      throw new ApiError(
        res.status,
        `HTTP_${res.status}`,
        `the local SNS endpoint answered HTTP ${res.status}`,
        undefined,
        {},
        { method: 'GET', url },
      );
    const list = (await res.json()) as { message: string; at: string }[];
    const out: ReceivedPush[] = [];
    for (const d of list) {
      let fields: Record<string, string>;
      try {
        fields = readPushMessage(d.message);
      } catch {
        continue; // not a device command
      }
      const command = fields.command;
      if (command !== 'START_UPDATE' && command !== 'END_UPDATE' && command !== 'ERROR_UPDATE') continue;
      out.push({
        command,
        sessionId: fields.sessionId ?? '',
        commandId: fields.commandId ?? '',
        ...(fields.targetVersion ? { targetVersion: fields.targetVersion } : {}),
        at: d.at,
        fields,
      });
    }
    return out;
  }

  /** Pushes to the device's token it has not handled yet (marks them handled). */
  async receiveNew(device: DeviceClient): Promise<ReceivedPush[]> {
    const token = device.state.pushToken;
    if (!token) return [];
    const fresh: ReceivedPush[] = [];
    for (const push of await this.receive(token)) if (await device.markHandled(push.commandId)) fresh.push(push);
    return fresh;
  }
}
