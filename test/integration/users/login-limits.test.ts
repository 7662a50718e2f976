import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_FAILURES, PASSWORD_CHANGE_FAILURES } from '../../../functions/users/sessions';
import { listAudit } from '../../../shared/db/audit';
import { TestApi } from '../../fixtures/api';
import { createTenant, type Tenant } from '../../fixtures/tenant';

/*
 * Issue 11 item 6: lockouts count failed attempts only, and the password change
 * is limited and audited like the login.
 */
// Every login verifies an scrypt hash (~0.1 s idle, seconds on a loaded 2-core machine): generous timeouts.
const SLOW = 240_000;

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const login = (tenant: Tenant, username: string, password: string) =>
  api.call('POST', '/v1/desktop/login', { auth: `Desktop ${tenant.desktopCredential}`, body: { username, password } });

describe('login lockout (failed attempts only)', () => {
  it(
    'never locks out a user who logs in successfully many times (29 logins in a row)',
    async () => {
      const tenant = await createTenant();
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) statuses.push((await login(tenant, 'clerk', tenant.users.clerk!.password)).status);
      expect(statuses.every((s) => s === 200)).toBe(true);
      // Nor does a handful of typos after them.
      expect((await login(tenant, 'clerk', 'wrong-one')).status).toBe(401);
      expect((await login(tenant, 'clerk', tenant.users.clerk!.password)).status).toBe(200);
    },
    SLOW,
  );

  it(
    'answers 429 after 10 failed logins, even with the right password, in both languages; other users are not affected',
    async () => {
      const tenant = await createTenant();
      for (let i = 0; i < LOGIN_FAILURES.limit; i++) expect((await login(tenant, 'admin', `guess-${i}`)).status).toBe(401);
      const locked = await login(tenant, 'admin', tenant.users.admin!.password);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
      expect(locked.body.messages.it).toMatch(/Troppi accessi non riusciti/);
      expect((await login(tenant, 'clerk', tenant.users.clerk!.password)).status).toBe(200);
    },
    SLOW,
  );

  it(
    'caps parallel guesses at the limit: 30 wrong passwords at once get at most 10 verdicts',
    async () => {
      const tenant = await createTenant();
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(tenant, 'admin', `parallel-${i}`)));
      expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(LOGIN_FAILURES.limit);
      expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(30 - LOGIN_FAILURES.limit);
    },
    SLOW,
  );
});

describe('password change attempts (limited and audited like logins)', () => {
  it(
    'audits a wrong current password and, after 5 in the window, refuses the change with 429 even when right',
    async () => {
      const tenant = await createTenant();
      const session = await api.login(tenant, 'clerk');
      for (let i = 0; i < PASSWORD_CHANGE_FAILURES.limit; i++) {
        const wrong = await api.call('POST', '/v1/desktop/password', {
          auth: session,
          body: { currentPassword: `guess-${i}`, newPassword: 'a-new-password-1' },
        });
        expect(wrong.status).toBe(400);
        expect(wrong.body.code).toBe('WRONG_PASSWORD');
      }
      const right = await api.call('POST', '/v1/desktop/password', {
        auth: session,
        body: { currentPassword: tenant.users.clerk!.password, newPassword: 'a-new-password-1' },
      });
      expect(right.status).toBe(429);
      expect(right.body.code).toBe('TOO_MANY_ATTEMPTS');
      expect(right.body.messages).toEqual({
        en: expect.stringMatching(/wrong current passwords/),
        it: expect.stringMatching(/Troppi tentativi/),
      });

      const { entries } = await listAudit(tenant.customerId, { action: 'user.password.changed' });
      const refused = entries.filter((e) => e.outcome === 'refused');
      expect(refused.filter((e) => e.details?.reason === 'wrong-current-password')).toHaveLength(PASSWORD_CHANGE_FAILURES.limit);
      expect(refused.filter((e) => e.details?.reason === 'too-many-attempts')).toHaveLength(1);
      expect(refused.every((e) => e.actor.id === 'clerk')).toBe(true);
      // The guesses never lock the user out of logging in.
      expect((await login(tenant, 'clerk', tenant.users.clerk!.password)).status).toBe(200);
    },
    SLOW,
  );

  it(
    'does not count successful changes',
    async () => {
      const tenant = await createTenant();
      let password = tenant.users.clerk!.password;
      for (let i = 0; i < PASSWORD_CHANGE_FAILURES.limit + 1; i++) {
        const session = await login(tenant, 'clerk', password);
        const next = `changed-password-${i}`;
        const changed = await api.call('POST', '/v1/desktop/password', {
          auth: `Bearer ${session.body.token}`,
          body: { currentPassword: password, newPassword: next },
        });
        expect(changed.status).toBe(200);
        password = next;
      }
    },
    SLOW,
  );
});
