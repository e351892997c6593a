/**
 * Transport behaviour that needs no simulator: backoff arithmetic, answers that are not Meta's
 * envelope, malformed success bodies, unreachable hosts, and id normalisation.
 */
import { describe, expect, it } from 'vitest';
import { startMetaSimulator } from '../../meta-simulator/index.js';
import { createGraphClient, type GraphClientOptions } from './graph-client.js';
import { parseGraphJson } from './graph-json.js';
import { APP_ID, APP_SECRET, captureLogger, graphFailure } from './test-fixtures/graph-harness.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function clientOver(fetchImpl: typeof fetch, o: Partial<GraphClientOptions> = {}) {
  const { logger, lines } = captureLogger();
  const client = createGraphClient({
    baseUrl: 'https://graph.example.test',
    version: 'v25.0',
    appId: APP_ID,
    appSecret: APP_SECRET,
    timeoutMs: 1_000,
    logger,
    fetch: fetchImpl,
    retry: { baseDelayMs: 0, sleep: async () => {} },
    ...o,
  });
  return { client, lines };
}

describe('Graph transport', () => {
  it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
    const waits: number[] = [];
    let calls = 0;
    const { client } = clientOver(
      async () => {
        calls++;
        return json(503, { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, fbtrace_id: 'Ax' } });
      },
      { retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 1, sleep: async (ms) => void waits.push(ms) } },
    );
    const e = await graphFailure(client.getWaba('EAAtoken', '102290129340398'));
    expect(e).toMatchObject({ code: 2, retryable: true });
    expect(calls).toBe(6);
    expect(waits).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('sends the business token as a Bearer header and asks for explicit fields', async () => {
    let seen: { url: string; auth: string | null } | undefined;
    const { client } = clientOver(async (url, init) => {
      seen = { url: String(url), auth: new Headers(init?.headers).get('authorization') };
      return json(200, { id: 102290129340398, name: 'Lucky Shrub', timezone_id: 1 });
    });
    const waba = await client.getWaba('EAAtoken', '102290129340398');
    expect(waba).toMatchObject({ id: '102290129340398', timezoneId: '1', currency: null });
    expect(seen?.auth).toBe('Bearer EAAtoken');
    expect(seen?.url).toMatch(/^https:\/\/graph\.example\.test\/v25\.0\/102290129340398\?fields=id%2Cname%2C/);
    expect(seen?.url).not.toContain('access_token');
  });

  it('a 5xx without the envelope is an http error, retryable', async () => {
    const { client } = clientOver(async () => new Response('<html>Bad gateway</html>', { status: 502 }), { retry: { maxAttempts: 1 } });
    expect(await graphFailure(client.getWaba('EAAtoken', '102290129340398'))).toMatchObject({ kind: 'http', httpStatus: 502, code: null, retryable: true });
  });

  it('a 2xx of the wrong shape is invalid_response, not retried, naming the path only', async () => {
    let calls = 0;
    const { client } = clientOver(async () => {
      calls++;
      return json(200, { name: 'no id here EAAtoken' });
    });
    const e = await graphFailure(client.getWaba('EAAtoken', '102290129340398'));
    expect(e).toMatchObject({ kind: 'invalid_response', retryable: false, message: 'Unexpected Graph API response shape at id' });
    expect(calls).toBe(1);
  });

  it('success: false is a failure', async () => {
    const { client } = clientOver(async () => json(200, { success: false }));
    expect(await graphFailure(client.subscribeApp('EAAtoken', '102290129340398'))).toMatchObject({ kind: 'invalid_response' });
  });

  it('an unreachable host is a retryable network error', async () => {
    const sim = await startMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET });
    await sim.close();
    const { logger } = captureLogger();
    const client = createGraphClient({ baseUrl: sim.url, version: 'v25.0', appId: APP_ID, appSecret: APP_SECRET, timeoutMs: 1_000, logger, retry: { maxAttempts: 1 } });
    const e = await graphFailure(client.getWaba('EAAtoken', '102290129340398'));
    expect(e).toMatchObject({ kind: 'network', retryable: true, category: 'transient', message: 'Graph API unreachable (ECONNREFUSED)' });
  });

  it('normalises numeric ids in debug_token to strings, exactly', async () => {
    const body = '{"data":{"app_id":670843887433847,"type":"USER","expires_at":0,"is_valid":true,"scopes":[],"granular_scopes":[{"scope":"whatsapp_business_management","target_ids":[10593849201948573,102289599326934]}],"user_id":10222270944537964}}';
    const { client } = clientOver(async () => json(200, body));
    const info = await client.debugToken('EAAtoken');
    expect(info).toMatchObject({ appId: '670843887433847', userId: '10222270944537964', expiresAt: null, type: 'USER' });
    expect(info.granularScopes[0]?.targetIds).toEqual(['10593849201948573', '102289599326934']);
  });

  it('rejects a bad base URL or version at creation', () => {
    const { logger } = captureLogger();
    const base = { appId: APP_ID, appSecret: APP_SECRET, timeoutMs: 1_000, logger };
    expect(() => createGraphClient({ ...base, baseUrl: 'ftp://x', version: 'v25.0' })).toThrow('http(s)');
    expect(() => createGraphClient({ ...base, baseUrl: 'https://graph.facebook.com', version: '25' })).toThrow('v25.0');
  });
});

describe('parseGraphJson', () => {
  it('quotes only integers beyond 2^53, outside strings', () => {
    const text = '{"a":10593849201948573,"b":"x 10593849201948573 \\" 99999999999999999","c":[1,-20000000000000001,1.5e300,9007199254740991]}';
    expect(parseGraphJson(text)).toEqual({ a: '10593849201948573', b: 'x 10593849201948573 " 99999999999999999', c: [1, '-20000000000000001', 1.5e300, 9007199254740991] });
  });

  it('leaves ordinary JSON alone', () => {
    expect(parseGraphJson('{"id":"106540352242922","n":2}')).toEqual({ id: '106540352242922', n: 2 });
  });
});
