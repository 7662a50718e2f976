/**
 * Sign-in for people on the Alturas side (support staff and agents) against the
 * staff user pool (Amazon Cognito; cognito-local on the local stack): user name
 * and password (USER_PASSWORD_AUTH, over TLS to Cognito), the first-login new
 * password, and a TOTP code for people who turned MFA on. The tokens are kept
 * in a state store like the desktop keeps its session (a 0600 JSON file for the
 * CLI); the access token is refreshed with the refresh token when it expires.
 *
 * The pool, its app client and region are found through the API itself
 * (`GET /v1/support/sign-in`), so a client needs only the API URL.
 */
import type { CognitoIdentityProviderClient, InitiateAuthCommandOutput } from '@aws-sdk/client-cognito-identity-provider';
import { HttpClient, MophasClientError } from './http';
import { memoryStore, type StateStore } from './state';
import type { SignInInfo } from './types';

/** How the API's people sign in (`GET /v1/support/sign-in`). */
export type { SignInInfo };

/** What a signed-in session keeps (in the state file: it holds secrets). */
export interface SupportTokens {
  apiUrl: string;
  username: string;
  clientId: string;
  region: string;
  endpoint?: string;
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, epoch milliseconds (from its `exp`). */
  expiresAt: number;
  /** The pool groups in the token (`staff`, `agent`). */
  groups: string[];
}

/** A signed-in person, as `login` and `whoami` show it. */
export interface SignedIn {
  username: string;
  groups: string[];
  expiresAt: string;
}

type Sdk = typeof import('@aws-sdk/client-cognito-identity-provider');

/** Refresh this long before the access token expires, so a request never carries a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

/** The (unverified) payload of a JWT: the client only reads its own token's expiry and groups. */
function payloadOf(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new MophasClientError('the sign-in service answered with a token that is not a JWT', 'SIGN_IN_FAILED');
  }
}

const signInFailed = (cause?: unknown) =>
  new MophasClientError('sign-in refused: the user name or password is not accepted (or the account is disabled)', 'SIGN_IN_FAILED', {
    cause,
  });

/** Maps the user pool's errors to the SDK's stable codes (never revealing whether a user exists). */
function mapPoolError(error: unknown, step: 'password' | 'new-password' | 'mfa' | 'refresh'): MophasClientError {
  if (error instanceof MophasClientError) return error;
  const name = (error as Error)?.name ?? '';
  switch (name) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
    case 'UserNotConfirmedException':
      return step === 'refresh'
        ? new MophasClientError('the sign-in has expired or was revoked: sign in again', 'SESSION_EXPIRED', { cause: error })
        : signInFailed(error);
    case 'InvalidPasswordException':
      return step === 'new-password'
        ? new MophasClientError(`the new password is refused by the password policy: ${(error as Error).message}`, 'WEAK_PASSWORD', {
            cause: error,
          })
        : signInFailed(error);
    case 'PasswordResetRequiredException':
      return new MophasClientError(
        'this account must reset its password: ask Alturas staff for a new temporary password',
        'PASSWORD_RESET_REQUIRED',
        {
          cause: error,
        },
      );
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
    case 'EnableSoftwareTokenMFAException':
      return new MophasClientError('the authenticator code is wrong or expired: try the current one', 'MFA_CODE_WRONG', { cause: error });
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      return new MophasClientError('too many sign-in attempts: wait a few minutes and retry', 'TOO_MANY_ATTEMPTS', { cause: error });
    default:
      if ((error as { $metadata?: unknown }).$metadata === undefined) {
        return new MophasClientError(
          `cannot reach the sign-in service (${(error as Error)?.message ?? String(error)})`,
          'SIGN_IN_UNREACHABLE',
          {
            cause: error,
          },
        );
      }
      return new MophasClientError(`the sign-in service refused the request (${name})`, 'SIGN_IN_FAILED', { cause: error });
  }
}

/** A person's session with the staff user pool. */
export class SupportSession {
  private readonly store: StateStore<SupportTokens>;
  private refreshing?: Promise<SupportTokens>;

  constructor(
    private readonly options: {
      /** The mOphas API the session is for. */
      readonly apiUrl: string;
      /** Where the tokens are kept. @default memory */
      readonly store?: StateStore<SupportTokens>;
      /** How to sign in; found through the API when not given. */
      readonly signIn?: SignInInfo;
      readonly timeoutMs?: number;
      readonly fetch?: typeof fetch;
    },
  ) {
    this.store = options.store ?? memoryStore<SupportTokens>();
  }

  /** Asks the API how its people sign in. */
  static discover(apiUrl: string, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<SignInInfo> {
    return new HttpClient({ baseUrl: apiUrl, timeoutMs: options.timeoutMs, fetch: options.fetch }).call(
      'GET /v1/support/sign-in',
      {},
      { authorization: null },
    );
  }

  private async signInInfo(): Promise<SignInInfo> {
    return this.options.signIn ?? SupportSession.discover(this.options.apiUrl, this.options);
  }

  /** The user pool's API; the SDK is loaded only when a call needs it (most commands just read the kept token). */
  private async pool(info: { region: string; endpoint?: string }): Promise<{ client: CognitoIdentityProviderClient; sdk: Sdk }> {
    const sdk = await import('@aws-sdk/client-cognito-identity-provider');
    const client = new sdk.CognitoIdentityProviderClient({
      region: info.region,
      ...(info.endpoint ? { endpoint: info.endpoint } : {}),
      // The sign-in calls are unsigned; no AWS credentials are ever looked for.
      credentials: async () => {
        throw new Error('no AWS credentials are used for signing in');
      },
      maxAttempts: 2,
    });
    return { client, sdk };
  }

  /**
   * Signs a person in and keeps the tokens. A first-login account (temporary
   * password) needs `newPassword`; a person with TOTP MFA needs `mfaCode`.
   *
   * @throws MophasClientError SIGN_IN_FAILED, NEW_PASSWORD_REQUIRED, MFA_CODE_REQUIRED,
   *   MFA_CODE_WRONG, WEAK_PASSWORD, PASSWORD_RESET_REQUIRED, TOO_MANY_ATTEMPTS, SIGN_IN_UNREACHABLE
   */
  async login(username: string, password: string, extra: { newPassword?: string; mfaCode?: string } = {}): Promise<SignedIn> {
    const info = await this.signInInfo();
    const { client: pool, sdk } = await this.pool(info);
    const clientId = info.clients.cli;
    let answer: InitiateAuthCommandOutput;
    try {
      answer = await pool.send(
        new sdk.InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      );
    } catch (error) {
      throw mapPoolError(error, 'password');
    }
    let result = answer.AuthenticationResult;
    let session = answer.Session;
    let challenge = answer.ChallengeName;
    const userId = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
    for (let step = 0; !result && step < 3; step++) {
      let responses: Record<string, string>;
      let kind: 'new-password' | 'mfa';
      if (challenge === 'NEW_PASSWORD_REQUIRED') {
        if (!extra.newPassword) {
          throw new MophasClientError('first sign-in: choose a new password (--new-password)', 'NEW_PASSWORD_REQUIRED');
        }
        responses = { USERNAME: userId, NEW_PASSWORD: extra.newPassword };
        kind = 'new-password';
      } else if (challenge === 'SOFTWARE_TOKEN_MFA') {
        if (!extra.mfaCode)
          throw new MophasClientError('this account uses an authenticator app: give its code (--mfa-code)', 'MFA_CODE_REQUIRED');
        responses = { USERNAME: userId, SOFTWARE_TOKEN_MFA_CODE: extra.mfaCode };
        kind = 'mfa';
      } else {
        throw new MophasClientError(
          `the sign-in asks for ${challenge ?? 'an unknown step'}, which this client does not support`,
          'SIGN_IN_UNSUPPORTED',
        );
      }
      try {
        const next = await pool.send(
          new sdk.RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: challenge,
            Session: session,
            ChallengeResponses: responses,
          }),
        );
        result = next.AuthenticationResult;
        session = next.Session;
        challenge = next.ChallengeName;
      } catch (error) {
        throw mapPoolError(error, kind);
      }
    }
    if (!result?.AccessToken || !result.RefreshToken) throw signInFailed();
    const tokens = this.tokensFrom(result.AccessToken, result.RefreshToken, info, clientId);
    await this.store.save(tokens);
    return describe(tokens);
  }

  private tokensFrom(
    accessToken: string,
    refreshToken: string,
    info: { region: string; endpoint?: string },
    clientId: string,
  ): SupportTokens {
    const claims = payloadOf(accessToken);
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [];
    return {
      apiUrl: this.options.apiUrl,
      username: typeof claims.username === 'string' ? claims.username : '',
      clientId,
      region: info.region,
      ...(info.endpoint ? { endpoint: info.endpoint } : {}),
      accessToken,
      refreshToken,
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now(),
      groups,
    };
  }

  /** Who is signed in (undefined when nobody is), without contacting anything. */
  async whoami(): Promise<SignedIn | undefined> {
    const tokens = await this.store.load();
    return tokens ? describe(tokens) : undefined;
  }

  /**
   * A current access token for the API: the kept one, or a fresh one from the
   * refresh token when it expires within a minute.
   * @throws MophasClientError NOT_SIGNED_IN, SESSION_EXPIRED
   */
  async accessToken(): Promise<string> {
    const tokens = await this.store.load();
    if (!tokens) throw new MophasClientError('not signed in: sign in first (mophas-support login --user <name>)', 'NOT_SIGNED_IN');
    if (tokens.apiUrl !== this.options.apiUrl) {
      throw new MophasClientError(
        `the kept sign-in belongs to ${tokens.apiUrl}, not ${this.options.apiUrl}: sign in again`,
        'NOT_SIGNED_IN',
      );
    }
    if (tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()) return tokens.accessToken;
    this.refreshing ??= this.refresh(tokens).finally(() => {
      this.refreshing = undefined;
    });
    return (await this.refreshing).accessToken;
  }

  private async refresh(tokens: SupportTokens): Promise<SupportTokens> {
    let accessToken: string | undefined;
    try {
      const { client, sdk } = await this.pool(tokens);
      const answer = await client.send(
        new sdk.InitiateAuthCommand({
          ClientId: tokens.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
        }),
      );
      accessToken = answer.AuthenticationResult?.AccessToken;
    } catch (error) {
      const mapped = mapPoolError(error, 'refresh');
      if (mapped.code === 'SESSION_EXPIRED') await this.store.clear();
      throw mapped;
    }
    if (!accessToken) throw new MophasClientError('the sign-in service gave no new token: sign in again', 'SESSION_EXPIRED');
    const fresh = this.tokensFrom(accessToken, tokens.refreshToken, tokens, tokens.clientId);
    await this.store.save(fresh);
    return fresh;
  }

  /** The HttpClient hook that authenticates each request with a current access token. */
  readonly authenticate = async (): Promise<Record<string, string>> => ({ authorization: `Bearer ${await this.accessToken()}` });

  /**
   * Signs out: revokes the refresh token (no new access tokens from it; the
   * current access token lapses within the hour) and forgets the tokens.
   * Returns false when nobody was signed in.
   */
  async logout(): Promise<boolean> {
    const tokens = await this.store.load();
    if (!tokens) return false;
    try {
      const { client, sdk } = await this.pool(tokens);
      await client.send(new sdk.RevokeTokenCommand({ ClientId: tokens.clientId, Token: tokens.refreshToken }));
    } finally {
      await this.store.clear();
    }
    return true;
  }

  /**
   * Turns on TOTP MFA, step 1: a new authenticator secret for the signed-in
   * person (base32, and the otpauth:// URI an authenticator app reads).
   */
  async startTotpSetup(): Promise<{ secret: string; uri: string }> {
    const tokens = await this.tokensOrThrow();
    try {
      const { client, sdk } = await this.pool(tokens);
      const answer = await client.send(new sdk.AssociateSoftwareTokenCommand({ AccessToken: await this.accessToken() }));
      const secret = answer.SecretCode ?? '';
      const label = encodeURIComponent(`mOphas Update Cloud:${tokens.username}`);
      return { secret, uri: `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent('mOphas Update Cloud')}` };
    } catch (error) {
      throw mapPoolError(error, 'mfa');
    }
  }

  /** Turns on TOTP MFA, step 2: the app's current code proves the secret; MFA is then asked at every sign-in. */
  async finishTotpSetup(code: string, deviceName = 'authenticator'): Promise<void> {
    const tokens = await this.tokensOrThrow();
    try {
      const { client: pool, sdk } = await this.pool(tokens);
      const accessToken = await this.accessToken();
      await pool.send(new sdk.VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code, FriendlyDeviceName: deviceName }));
      await pool.send(
        new sdk.SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
      );
    } catch (error) {
      throw mapPoolError(error, 'mfa');
    }
  }

  private async tokensOrThrow(): Promise<SupportTokens> {
    const tokens = await this.store.load();
    if (!tokens) throw new MophasClientError('not signed in: sign in first (mophas-support login --user <name>)', 'NOT_SIGNED_IN');
    return tokens;
  }
}

const describe = (tokens: SupportTokens): SignedIn => ({
  username: tokens.username,
  groups: tokens.groups,
  expiresAt: new Date(tokens.expiresAt).toISOString(),
});
