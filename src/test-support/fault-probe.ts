/**
 * The load a fault test keeps sending while it breaks something (the database, its disk): signed
 * webhook deliveries (writes), session-checked API reads and /readyz. Each answer comes back with
 * its time, status and problem code (or /readyz's `reason`), never as a throw, so a test can assert
 * "fast, and never a 500" over all of them; `ackedKeys` lists what the server acknowledged, to
 * check afterwards that all of it was stored.
 */
import { randomBytes } from 'node:crypto';
import { signedDeliveries } from '../features/webhooks/test-fixtures/webhook-mix.js';
import { parseDelivery } from '../features/webhooks/webhook-parse.js';
import { WEBHOOK_PATH } from '../features/webhooks/webhooks.routes.js';

export interface Answer {
  what: string;
  status: number | null;
  ms: number;
  code: string | null;
  /** the first 300 characters of the body, or the fetch error's name */
  body: string;
}

export function faultProbe(o: { port: () => number; appSecret: string; deliveries: number; seed: number }) {
  const deliveries = signedDeliveries(o.deliveries, { appSecret: o.appSecret, seed: o.seed });
  let next = 0;
  const acked: number[] = [];

  async function call(what: string, init: RequestInit & { path: string }): Promise<Answer> {
    const started = performance.now();
    try {
      const res = await fetch(`http://127.0.0.1:${o.port()}${init.path}`, { ...init, signal: AbortSignal.timeout(30_000) });
      const body = await res.text();
      let code: string | null = null;
      try {
        const json = JSON.parse(body) as { code?: string; reason?: string };
        code = json.code ?? json.reason ?? null;
      } catch {
        /* not JSON */
      }
      return { what, status: res.status, ms: performance.now() - started, code, body: body.slice(0, 300) };
    } catch (e) {
      return { what, status: null, ms: performance.now() - started, code: null, body: (e as Error).name };
    }
  }

  return {
    call,
    /** the next signed delivery (a write) */
    async deliver(): Promise<Answer> {
      const i = next++;
      const d = deliveries[i]!;
      const a = await call('webhook', { path: WEBHOOK_PATH, method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature }, body: d.body });
      if (a.status === 200) acked.push(i);
      return a;
    },
    /** an API read that needs the database (an unknown session: 401 when it answers) */
    read: () => call('api read', { path: '/api/v1/me', headers: { cookie: `crm_session=${randomBytes(32).toString('base64url')}` } }),
    ready: () => call('readyz', { path: '/readyz' }),
    acked: () => acked.length,
    /** the de-duplication keys of every change in an acknowledged delivery */
    ackedKeys: () => acked.flatMap((i) => parseDelivery(Buffer.from(deliveries[i]!.body), { now: new Date(), rawRetentionHours: 1 }).map((r) => r.dedupeKey)),
  };
}
