/**
 * Canary test: plant recognisable secrets (app secret, tokens, code, PIN, verify token), drive every
 * failure path, and check that no thrown error (message, stack, JSON, inspect) and no log line of the
 * client or the simulator contains any of them, even when the upstream echoes them back.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED } from '../../meta-simulator/index.js';
import { createGraphClient } from './graph-client.js';
import { GraphError } from './graph-error.js';
import { APP_ID, captureLogger, startHarness } from './test-fixtures/graph-harness.js';

const CANARY_SECRET = 'CANARY-app-secret-7d1f0c9e2b';
const CANARY_WRONG_SECRET = 'CANARY-wrong-secret-5a4b3c2d1e';
const CANARY_TOKEN = 'EAACANARYtoken9f8e7d6c5b4a';
const CANARY_CODE = 'AQCANARYcode1234567890abc';
const CANARY_VERIFY = 'CANARY-verify-token-42';
const CANARY_PIN = '864209';
const LS = SEED.luckyShrub;

const canaries = new Set([CANARY_SECRET, CANARY_WRONG_SECRET, CANARY_TOKEN, CANARY_CODE, CANARY_VERIFY, CANARY_PIN, `${APP_ID}|${CANARY_SECRET}`]);

/** Every rendering of an error a log line, API response or crash report could contain. */
function renderings(e: GraphError): string[] {
  return [e.message, String(e.stack), String(e), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e.toJSON())];
}

function expectClean(texts: string[]): void {
  for (const text of texts) {
    for (const c of canaries) {
      expect(text).not.toContain(c);
      expect(text).not.toContain(encodeURIComponent(c));
    }
  }
}

async function collect(errors: GraphError[], p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    errors.push(e as GraphError);
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('secrets never leak', () => {
  it('through the simulator: every failure path of every method', async () => {
    const simLog = captureLogger();
    const h = await startHarness({ sim: { appSecret: CANARY_SECRET, logger: simLog.logger, slowLatencyMs: 200 }, client: { appSecret: CANARY_SECRET } });
    close = h.close;
    const errors: GraphError[] = [];
    const wrong = h.clientWith({ appSecret: CANARY_WRONG_SECRET });
    const mint = (scenario?: 'slow') => h.sim.mintCode({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, scenario }).code;

    await collect(errors, h.client.exchangeCode(CANARY_CODE));
    await collect(errors, wrong.exchangeCode(mint()));
    const expired = mint();
    h.clock.advance(31_000);
    await collect(errors, h.client.exchangeCode(expired));
    const used = mint();
    const token = (await h.client.exchangeCode(used)).accessToken;
    canaries.add(token);
    canaries.add(used);
    await collect(errors, h.client.exchangeCode(used));
    await collect(errors, h.clientWith({ timeoutMs: 30 }).exchangeCode(mint('slow')));

    await h.client.debugToken(CANARY_TOKEN);
    await collect(errors, wrong.debugToken(token));
    await collect(errors, h.client.getWaba(CANARY_TOKEN, LS.wabaId));
    await collect(errors, h.client.getWaba(token, SEED.jaspersMarket.usWabaId));
    await collect(errors, h.client.subscribeApp(token, LS.wabaId, { callbackUri: 'http://not-https.example', verifyToken: CANARY_VERIFY }));
    await h.client.registerNumber(token, LS.phoneNumberId, '111111');
    await collect(errors, h.client.registerNumber(token, LS.phoneNumberId, CANARY_PIN));
    await collect(errors, h.client.registerNumber(CANARY_TOKEN, LS.phoneNumberId, CANARY_PIN));
    h.sim.revokeTokens({ token });
    await collect(errors, h.client.listPhoneNumbers(token, LS.wabaId));
    await collect(errors, h.client.getWaba(' ', LS.wabaId));

    expect(errors.length).toBeGreaterThanOrEqual(12);
    expectClean(errors.flatMap(renderings));
    expectClean(h.logs);
    expectClean(simLog.lines);
    expect(h.logs.length).toBeGreaterThan(10);
  });

  it('when the upstream echoes the URL, the headers and the body back', async () => {
    const { logger, lines } = captureLogger();
    const echo: typeof fetch = async (url, init) => {
      const h = new Headers(init?.headers);
      const said = `url=${String(url)} auth=${h.get('authorization') ?? ''} body=${String(init?.body ?? '')}`;
      const body = { error: { message: said, type: said, code: 100, error_user_title: said, error_user_msg: said, fbtrace_id: said } };
      return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } });
    };
    const client = createGraphClient({ baseUrl: 'https://graph.example.test', version: 'v25.0', appId: APP_ID, appSecret: CANARY_SECRET, timeoutMs: 1_000, logger, fetch: echo });
    const errors: GraphError[] = [];
    await collect(errors, client.exchangeCode(CANARY_CODE));
    await collect(errors, client.debugToken(CANARY_TOKEN));
    await collect(errors, client.getWaba(CANARY_TOKEN, LS.wabaId));
    await collect(errors, client.subscribeApp(CANARY_TOKEN, LS.wabaId, { callbackUri: 'https://x.example/cb', verifyToken: CANARY_VERIFY }));
    await collect(errors, client.registerNumber(CANARY_TOKEN, LS.phoneNumberId, CANARY_PIN));
    expect(errors).toHaveLength(5);
    expect(errors[0]?.message).toContain('[redacted]');
    expectClean(errors.flatMap(renderings));
    expectClean(lines);
  });

  it('when fetch itself throws an error quoting the URL', async () => {
    const { logger, lines } = captureLogger();
    const throwing: typeof fetch = async (url) => {
      throw new TypeError(`fetch failed for ${String(url)}`, { cause: Object.assign(new Error(`connect ECONNRESET ${String(url)}`), { code: 'ECONNRESET' }) });
    };
    const client = createGraphClient({ baseUrl: 'https://graph.example.test', version: 'v25.0', appId: APP_ID, appSecret: CANARY_SECRET, timeoutMs: 1_000, logger, fetch: throwing, retry: { maxAttempts: 2, baseDelayMs: 0 } });
    const errors: GraphError[] = [];
    await collect(errors, client.exchangeCode(CANARY_CODE));
    await collect(errors, client.debugToken(CANARY_TOKEN));
    expect(errors.map((e) => e.message)).toEqual(['Graph API unreachable (ECONNRESET)', 'Graph API unreachable (ECONNRESET)']);
    expect(errors.every((e) => e.cause === undefined)).toBe(true);
    expectClean(errors.flatMap(renderings));
    expectClean(lines);
  });
});
