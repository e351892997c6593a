/** The PostgreSQL rate-limit store: two app instances on one database share one allowance. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, sameOrigin, type TestApp } from '../test-support/test-app.js';
import { useTestDatabase } from '../test-support/test-db.js';
import { sweepRateLimits } from './rate-limit-store.js';

const tdb = useTestDatabase();
let one: TestApp;
let two: TestApp;
const limit = { max: 4, timeWindowMs: 60_000 };

beforeAll(async () => {
  one = await buildTestApp(tdb.current.database, { signInRateLimit: limit });
  two = await buildTestApp(tdb.current.database, { signInRateLimit: limit });
});
afterAll(async () => {
  await one.app.close();
  await two.app.close();
});

const attempt = (t: TestApp, ip: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: sameOrigin, remoteAddress: ip, payload: { email: 'nobody@example.test', password: 'wrong-password-123' } });

describe('rate limits in PostgreSQL', () => {
  it('counts a client across instances, per client, and keeps no IP in clear', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await attempt(i % 2 === 0 ? one : two, '198.51.100.7')).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 429, 429]);
    // another client has its own allowance
    expect((await attempt(two, '198.51.100.8')).statusCode).toBe(401);
    const rows = await tdb.current.database.pool.query<{ key: string; count: number }>('SELECT key, count FROM rate_limit_hits');
    expect(rows.rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows.rows) {
      expect(r.key).toMatch(/^[0-9a-f]{64}$/);
      expect(r.key).not.toContain('198.51.100');
    }
    expect(Math.max(...rows.rows.map((r) => r.count))).toBe(6);
  });

  it('starts a new window once the old one ended, and sweeps old windows', async () => {
    await tdb.current.database.pool.query("UPDATE rate_limit_hits SET reset_at = now() - interval '2 hours'");
    expect((await attempt(one, '198.51.100.7')).statusCode).toBe(401);
    expect(await sweepRateLimits(tdb.current.database.pool)).toBe(1);
  });
});
