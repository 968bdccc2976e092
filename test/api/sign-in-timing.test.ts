import { expect, it } from 'vitest';
import { createCompany, createUser, defaultConfig, defaultLoginThrottle } from '@estateflow/api';
import { withDatabases } from '../support/db.ts';
import { testApp } from '../support/api.ts';

// User enumeration: an unknown name must cost what a wrong password costs (the password is checked
// against a dummy argon2 hash), so the answer time does not tell which accounts exist. Measured
// here, in one run, as a comparison of two medians: the two kinds are interleaved, so load on the
// machine falls on both alike. Real argon2 cost (the default, as the server runs it); throttling
// limits raised so that every attempt reaches the password check.
const TRIES = 200;

withDatabases((kind, getDb) => {
  it(`answers an unknown name as slowly as a wrong password: medians of ${TRIES} tries each within 10 %, on ${kind}`, async () => {
    const db = getDb();
    const { argon2 } = defaultConfig();
    const tenantId = await createCompany(db, '长城物业');
    await createUser(db, { argon2 } as never, { tenantId, username: `clerk-${kind}`, password: 'right-pw', roles: [] });
    const lax = { ...defaultLoginThrottle, addressLimit: 1e9, pairFreeFailures: 1e9, accountFreeFailures: 1e9 };
    const app = testApp(db, { argon2, loginThrottle: lax });
    const attempt = async (username: string): Promise<number> => {
      const t0 = performance.now();
      const res = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'wrong-pw' }) });
      const ms = performance.now() - t0;
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: { en: string } } }).error.message.en).toBe('Wrong username or password');
      return ms;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 10; i++) {
      // warm-up: the dummy hash is made on first use
      await attempt(`clerk-${kind}`);
      await attempt(`ghost-${kind}-w${i}`);
    }
    for (let i = 0; i < TRIES; i++) {
      // alternate which kind goes first, so neither always follows the other
      if (i % 2) {
        known.push(await attempt(`clerk-${kind}`));
        unknown.push(await attempt(`ghost-${kind}-${i}`));
      } else {
        unknown.push(await attempt(`ghost-${kind}-${i}`));
        known.push(await attempt(`clerk-${kind}`));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [k, u] = [median(known), median(unknown)];
    console.log(`sign-in timing on ${kind}: wrong password median ${k.toFixed(2)} ms, unknown name median ${u.toFixed(2)} ms`);
    expect(Math.abs(k - u) / Math.max(k, u)).toBeLessThan(0.1);
  }, 120_000);
});
