/**
 * Test harness: a Meta simulator on 127.0.0.1:0 with a manual clock, and the real Graph client
 * pointed at it over HTTP, logging every line into `logs`. Retries wait 0 ms so tests stay fast.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { manualClock } from '../../../lib/clock.js';
import { startMetaSimulator, type MintCodeInput, type SimulatorOptions } from '../../../meta-simulator/index.js';
import { createGraphClient, type GraphClient, type GraphClientOptions } from '../graph-client.js';
import { GraphError } from '../graph-error.js';

export const APP_ID = '670843887433847';
export const APP_SECRET = 'test-app-secret-3f9c2a7d41b8e605';
export const VERSION = 'v25.0';

/** A pino logger at trace level (no redaction: the client itself must keep secrets out). */
export function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines };
}

/** Starts a simulator and a client; `close()` stops the listener. */
export async function startHarness(opts: { sim?: Partial<SimulatorOptions>; client?: Partial<GraphClientOptions> } = {}) {
  const clock = manualClock(new Date('2026-03-02T10:00:00Z'));
  const { logger, lines: logs } = captureLogger();
  const running = await startMetaSimulator({ appId: APP_ID, appSecret: APP_SECRET, now: clock.now, ...opts.sim });
  const clientOptions: GraphClientOptions = {
    baseUrl: running.url,
    version: VERSION,
    appId: APP_ID,
    appSecret: APP_SECRET,
    timeoutMs: 2_000,
    logger,
    retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 20, sleep: async () => {} },
    ...opts.client,
  };
  const client = createGraphClient(clientOptions);
  const sim = running.simulator;
  return {
    clock,
    logs,
    sim,
    url: running.url,
    client,
    clientOptions,
    /** a second client on the same simulator with other settings */
    clientWith: (o: Partial<GraphClientOptions>): GraphClient => createGraphClient({ ...clientOptions, ...o }),
    /** mint + exchange: the business token for these assets */
    onboard: async (input: MintCodeInput) => (await client.exchangeCode(sim.mintCode(input).code)).accessToken,
    close: () => running.close(),
  };
}

/** Awaits a promise expected to fail with a GraphError and returns it. */
export async function graphFailure(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error('expected a GraphError, the call succeeded');
}

/** Parsed log lines whose msg matches. */
export function logEntries(logs: string[], msg: string): { graph: Record<string, unknown> }[] {
  return logs.map((l) => JSON.parse(l) as { msg: string; graph: Record<string, unknown> }).filter((l) => l.msg === msg);
}
