/**
 * Who is signed in to the support console, and the credential every API call
 * carries — the one module that knows how a person signs in (docs/console.md).
 *
 * The staff user pool's hosted sign-in, with the console's app client: OAuth 2.0
 * authorization code with PKCE (S256), the same in AWS (the pool's Cognito
 * domain, and a corporate provider through it) and locally (cognito-local's
 * /oauth2 pages). The password is typed into the hosted page, never into the console.
 *
 * Tokens live in this object's memory only: never localStorage,
 * sessionStorage, a cookie or the address, so closing or reloading the tab
 * signs the person out. Across the sign-in round trip, sessionStorage keeps the
 * PKCE verifier and `state` (useless without the code, used once) and the
 * console route to come back to — never a token.
 */
import type { Answer } from '../../client/api';
import { HttpClient } from '../../client/http';

type SignInInfo = Answer<'GET /v1/support/sign-in'>;

const RETURN_KEY = 'mophas.console.returnTo';
const PENDING_KEY = 'mophas.console.pending';
/** Renew the access token this long before it expires. */
const RENEW_BEFORE_MS = 5 * 60_000;

export interface SignedIn {
  /** The pool user name (what the audit trail shows). */
  readonly who: string;
}

interface Tokens {
  access: string;
  refresh?: string;
  expiresAt: number;
  who: string;
}

interface TokenAnswer {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomText = (bytes: number) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The claims of a JWT (read only to name the person; the API verifies the token). */
function claims(token: string | undefined): Record<string, unknown> {
  try {
    const payload = token?.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export class SignInError extends Error {}

export class StaffSession {
  private tokens: Tokens | undefined;
  private info: Promise<SignInInfo> | undefined;
  private renewal: ReturnType<typeof setTimeout> | undefined;
  private readonly http: HttpClient;
  /** Called when a renewal fails: the person must sign in again. */
  onEnded: () => void = () => undefined;

  constructor(private readonly origin: string) {
    this.http = new HttpClient({ baseUrl: origin, timeoutMs: 20_000 });
  }

  /** The page the hosted sign-in returns to (one of the console client's callback URLs). */
  get redirectUri(): string {
    return `${this.origin}/support/`;
  }

  get signedIn(): SignedIn | undefined {
    return this.tokens ? { who: this.tokens.who } : undefined;
  }

  authorization(): string | undefined {
    return this.tokens ? `Bearer ${this.tokens.access}` : undefined;
  }

  /** Headers every API call carries besides `Authorization` (none). */
  headers(): Record<string, string> {
    return {};
  }

  private signInInfo(): Promise<SignInInfo> {
    this.info ??= this.http.call('GET /v1/support/sign-in', {}, { authorization: null }).catch((error: unknown) => {
      this.info = undefined;
      throw error;
    });
    return this.info;
  }

  private async hosted(): Promise<{ base: string; clientId: string; scopes: string }> {
    const info = await this.signInInfo();
    if (!info.hostedSignIn)
      throw new SignInError('The staff user pool has no hosted sign-in (signInDomainPrefix): see docs/operations.md.');
    return { base: info.hostedSignIn.replace(/\/$/, ''), clientId: info.clients.console, scopes: (info.scopes ?? ['openid']).join(' ') };
  }

  /** Sends the browser to the hosted sign-in; after it, the person comes back to `returnTo` (a console route). */
  async signIn(returnTo: string): Promise<void> {
    const { base, clientId, scopes } = await this.hosted();
    const verifier = randomText(32);
    const state = randomText(16);
    const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier }));
    this.rememberReturn(returnTo);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: this.redirectUri,
      scope: scopes,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    location.assign(`${base}/oauth2/authorize?${query}`);
  }

  /**
   * Finishes a sign-in when the hosted page sent the browser back here
   * (`?code=…&state=…`): the code and state leave the address at once, the
   * state must be the one this tab sent, the code is exchanged with the
   * verifier. Returns undefined when the address carries no sign-in answer.
   */
  async completeSignIn(): Promise<SignedIn | undefined> {
    const params = new URLSearchParams(location.search);
    const code = params.get('code');
    const error = params.get('error');
    if (!code && !error) return undefined;
    history.replaceState(null, '', `${location.pathname}${location.hash}`);
    const pending = sessionStorage.getItem(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    if (error) throw new SignInError(params.get('error_description') ?? error);
    const expected = pending ? (JSON.parse(pending) as { state: string; verifier: string }) : undefined;
    if (!expected || expected.state !== params.get('state')) throw new SignInError('The sign-in answer does not belong to this tab.');
    const tokens = await this.token({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: this.redirectUri,
      code_verifier: expected.verifier,
    });
    return this.keep(tokens);
  }

  private async token(body: Record<string, string>): Promise<TokenAnswer> {
    const { base, clientId } = await this.hosted();
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...body, client_id: clientId }),
    });
    if (!res.ok) throw new SignInError(`The sign-in was refused (${res.status}).`);
    return (await res.json()) as TokenAnswer;
  }

  private keep(answer: TokenAnswer, refresh?: string): SignedIn {
    const access = claims(answer.access_token);
    const who = String(access.username ?? access['cognito:username'] ?? claims(answer.id_token)['cognito:username'] ?? '');
    const expiresAt = typeof access.exp === 'number' ? access.exp * 1000 : Date.now() + (answer.expires_in ?? 3600) * 1000;
    this.tokens = { access: answer.access_token, refresh: answer.refresh_token ?? refresh, expiresAt, who };
    clearTimeout(this.renewal);
    if (this.tokens.refresh) {
      this.renewal = setTimeout(() => void this.renew(), Math.max(0, expiresAt - Date.now() - RENEW_BEFORE_MS));
    }
    return { who };
  }

  /** Renews the access token with the refresh token (kept in memory); a refusal ends the sign-in. */
  private async renew(): Promise<void> {
    const refresh = this.tokens?.refresh;
    if (!refresh) return;
    try {
      this.keep(await this.token({ grant_type: 'refresh_token', refresh_token: refresh }), refresh);
    } catch {
      this.signOut();
      this.onEnded();
    }
  }

  /** Forgets every token (the hosted sign-in's own session ends with the browser, or at its logout page). */
  signOut(): void {
    clearTimeout(this.renewal);
    this.tokens = undefined;
  }

  rememberReturn(route: string): void {
    try {
      sessionStorage.setItem(RETURN_KEY, route);
    } catch {
      // Storage refused: the console opens on its first page instead.
    }
  }

  takeReturn(): string | undefined {
    try {
      const route = sessionStorage.getItem(RETURN_KEY) ?? undefined;
      sessionStorage.removeItem(RETURN_KEY);
      return route?.startsWith('#/') ? route : undefined;
    } catch {
      return undefined;
    }
  }
}
