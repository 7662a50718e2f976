/**
 * Who is signed in to the support console, and the credential every API call
 * carries — the one module that knows how a person signs in (docs/console.md).
 *
 * Tokens live in this object's memory only: never in localStorage,
 * sessionStorage, a cookie or the address, so closing or reloading the tab
 * signs the person out. What does survive a sign-in round trip is only where
 * the person was (a console route like `#/clienti/x`), in sessionStorage.
 *
 * Today it signs in with the local stack's support credential (the API's
 * `Support <key>` scheme, `x-support-principal` naming an agent); the staff user
 * pool's sign-in replaces exactly this module.
 */

/** sessionStorage key of the route to return to after signing in (a route, never a token). */
const RETURN_KEY = 'mophas.console.returnTo';

export interface SignedIn {
  /** The name the header shows. */
  readonly who: string;
}

export interface SignInInput {
  readonly key: string;
  readonly identity?: string;
}

export class StaffSession {
  private credential: { authorization: string; headers: Record<string, string>; who: string } | undefined;

  /** The person signed in, if anyone. */
  get signedIn(): SignedIn | undefined {
    return this.credential ? { who: this.credential.who } : undefined;
  }

  /** The `Authorization` value of API calls (undefined when signed out). */
  authorization(): string | undefined {
    return this.credential?.authorization;
  }

  /** Headers every API call carries besides `Authorization`. */
  headers(): Record<string, string> {
    return this.credential?.headers ?? {};
  }

  /** Signs in (kept in memory only); the API decides at the first call whether the credential is good. */
  signIn(input: SignInInput): SignedIn {
    const identity = input.identity?.trim();
    this.credential = {
      authorization: `Support ${input.key}`,
      headers: identity ? { 'x-support-principal': identity } : {},
      who: identity || 'local-support',
    };
    return { who: this.credential.who };
  }

  /** Forgets the credential. */
  signOut(): void {
    this.credential = undefined;
  }

  /** Remembers the route the person was on, to come back to it after signing in again. */
  rememberReturn(route: string): void {
    try {
      sessionStorage.setItem(RETURN_KEY, route);
    } catch {
      // Storage refused (private mode): the console opens on its first page instead.
    }
  }

  /** The remembered route, once. */
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
