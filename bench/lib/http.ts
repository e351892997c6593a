/** Minimal HTTP helpers (node:http, so client overhead stays small and predictable). */
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request to 127.0.0.1:port; resolves once the whole body has arrived. */
export function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string; agent?: http.Agent | false; timeoutMs?: number },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers, agent: opts.agent ?? false, timeout: opts.timeoutMs ?? 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to :${port}${opts.path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls GET path every `intervalMs` until it answers 200; returns when it does. `abort()` is
 * checked between attempts (e.g. the server process died) and its message ends the wait.
 */
export async function waitFor200(port: number, path: string, o: { intervalMs: number; timeoutMs: number; abort?: () => string | null }): Promise<void> {
  const deadline = performance.now() + o.timeoutMs;
  let last = 'no answer';
  for (;;) {
    const why = o.abort?.();
    if (why) throw new Error(why);
    try {
      const res = await request(port, { path, timeoutMs: 2_000 });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (performance.now() > deadline) throw new Error(`GET ${path} on :${port} not 200 after ${o.timeoutMs} ms (last: ${last})`);
    await sleep(o.intervalMs);
  }
}
