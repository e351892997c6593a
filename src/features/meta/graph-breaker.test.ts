/**
 * The Graph client's circuit breaker, over real HTTP against the simulator: consecutive outage
 * failures open it, and calls then fail at once without reaching Meta; an error about the request
 * itself does not count; after the open period one probe decides; the metric follows the state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED } from '../../meta-simulator/index.js';
import { registry } from '../metrics/metrics.js';
import { APP_SECRET, graphFailure, logEntries, startHarness } from './test-fixtures/graph-harness.js';

const LS = SEED.luckyShrub;
let h: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const circuitMetric = async () => (await registry.getSingleMetric('graph_api_circuit_open')!.get()).values[0]?.value;
const failedAttempts = () => logEntries(h!.logs, 'graph call failed').length;

async function setup(openMs: number) {
  h = await startHarness({ client: { breaker: { failures: 3, openMs }, retry: { maxAttempts: 2, baseDelayMs: 0, sleep: async () => {} } } });
  const token = await h.onboard({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId });
  return { h, token };
}

describe('Graph API circuit breaker', () => {
  it('opens after consecutive outage failures, then fails fast without calling Meta', async () => {
    const { h, token } = await setup(60_000);
    h.sim.injectFault({ code: 2, httpStatus: 503, isTransient: true, times: 100 });
    for (let i = 0; i < 3; i++) expect(await graphFailure(h.client.getWaba(token, LS.wabaId))).toMatchObject({ kind: 'graph', code: 2, category: 'transient' });
    expect(failedAttempts()).toBe(6); // 3 calls x 2 attempts reached the simulator
    expect(await circuitMetric()).toBe(1);

    h.sim.setLatency(500); // were a call sent, it would take at least this long
    const started = performance.now();
    const e = await graphFailure(h.client.listPhoneNumbers(token, LS.wabaId));
    expect(performance.now() - started).toBeLessThan(100);
    expect(e).toMatchObject({ kind: 'circuit_open', operation: 'listPhoneNumbers', retryable: true, category: 'transient' });
    expect(e.retryAfterMs).toBeGreaterThan(55_000);
    expect(e.message).toMatch(/^Graph API calls are paused for \d+ s: the last 3 calls failed/);
    expect(e.message).not.toContain(token);
    expect(JSON.stringify(e)).not.toContain(APP_SECRET);
    expect(failedAttempts()).toBe(6); // nothing more reached Meta
    expect(h.logs.some((l) => l.includes('Graph API circuit opened'))).toBe(true);
  });

  it('errors about the request itself do not open it: Meta answered', async () => {
    const { h, token } = await setup(60_000);
    h.sim.injectFault({ code: 100, httpStatus: 400, times: 10 });
    for (let i = 0; i < 10; i++) expect(await graphFailure(h.client.getWaba(token, LS.wabaId))).toMatchObject({ code: 100, retryable: false });
    // a failure streak broken by such an answer starts again from zero
    h.sim.injectFault({ code: 2, httpStatus: 503, isTransient: true, times: 4 }); // 2 calls x 2 attempts
    for (let i = 0; i < 2; i++) await graphFailure(h.client.getWaba(token, LS.wabaId));
    h.sim.injectFault({ code: 100, httpStatus: 400, times: 1 });
    await graphFailure(h.client.getWaba(token, LS.wabaId));
    h.sim.injectFault({ code: 2, httpStatus: 503, isTransient: true, times: 4 });
    for (let i = 0; i < 2; i++) expect(await graphFailure(h.client.getWaba(token, LS.wabaId))).toMatchObject({ kind: 'graph', code: 2 });
    await expect(h.client.getWaba(token, LS.wabaId)).resolves.toMatchObject({ id: LS.wabaId });
    expect(h.client.breakerState()).toBe('closed');
  });

  it('after the open period one probe decides: a failure opens it again, a success closes it', async () => {
    const { h, token } = await setup(150);
    h.sim.injectFault({ code: 2, httpStatus: 503, isTransient: true, times: 8 }); // 3 calls x 2 attempts, then 2 for the probe
    for (let i = 0; i < 3; i++) await graphFailure(h.client.getWaba(token, LS.wabaId));
    expect(h.client.breakerState()).toBe('open');
    await new Promise((r) => setTimeout(r, 200));
    expect(await graphFailure(h.client.getWaba(token, LS.wabaId))).toMatchObject({ kind: 'graph', code: 2 }); // the probe reached Meta
    expect(h.client.breakerState()).toBe('open');
    expect(await graphFailure(h.client.getWaba(token, LS.wabaId))).toMatchObject({ kind: 'circuit_open' });
    await new Promise((r) => setTimeout(r, 200));
    await expect(h.client.getWaba(token, LS.wabaId)).resolves.toMatchObject({ id: LS.wabaId });
    expect(h.client.breakerState()).toBe('closed');
    expect(await circuitMetric()).toBe(0);
    expect(h.logs.some((l) => l.includes('Graph API circuit closed'))).toBe(true);
  });

  it('an unreachable Meta (connection refused) opens it too', async () => {
    h = await startHarness();
    const down = h.clientWith({ baseUrl: 'http://127.0.0.1:9/', breaker: { failures: 2, openMs: 60_000 }, retry: { maxAttempts: 1, sleep: async () => {} } });
    for (let i = 0; i < 2; i++) expect(await graphFailure(down.getWaba('EAAtoken', LS.wabaId))).toMatchObject({ kind: 'network' });
    expect(await graphFailure(down.getWaba('EAAtoken', LS.wabaId))).toMatchObject({ kind: 'circuit_open' });
  });
});
