/** GET /metrics: who may scrape it (token, loopback) and what it reports after real traffic. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/test-db.js';
import { buildTestApp, type TestApp } from '../../test-support/test-app.js';

const tdb = useTestDatabase();

describe('/metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(tdb.current.database);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('answers loopback clients in Prometheus text, refuses remote ones', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const local = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.headers['content-type']).toContain('text/plain');
    expect(local.body).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} \d+$/m);
    expect(local.body).toMatch(/^db_pool_connections\{state="total"\} \d+$/m);
    expect(local.body).toMatch(/^webhook_processing_lag_seconds \d/m);
    expect(local.body).toContain('process_cpu_seconds_total');
    const v6 = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' });
    expect(v6.statusCode).toBe(200);
    const remote = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.headers['content-type']).toContain('application/problem+json');
  });

  it('labels requests by route pattern, never by the raw URL', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/onboarding/11111111-1111-4111-8111-111111111111' });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).not.toContain('11111111-1111-4111-8111-111111111111');
    expect(text).toContain('route="/api/v1/onboarding/:id"');
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  const token = 'metrics-token-0123456789abcdef';
  beforeAll(async () => {
    t = await buildTestApp(tdb.current.database, { env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('needs the bearer token, from anywhere, loopback included', async () => {
    for (const remoteAddress of ['127.0.0.1', '203.0.113.9']) {
      expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      const ok = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).not.toContain(token);
    }
  });
});
