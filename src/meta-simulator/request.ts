/**
 * Per-request plumbing shared by the simulator's routes: reading Graph-style parameters (query and
 * body alike), the caller's token, simulated latency, and injected faults.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MetaSimulator } from './simulator.js';
import type { SimScenario } from './types.js';

/** Route params of every simulator path. */
export interface GraphParams {
  version: string;
  id?: string;
}

const NO_SCENARIOS: ReadonlySet<SimScenario> = new Set();

/** Graph reads parameters from the query string and from JSON or form bodies alike. */
export function inputOf(req: FastifyRequest): Record<string, unknown> {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  return { ...query, ...body };
}

/** A string parameter, or undefined. */
export function stringParam(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** The access token a call presents: `Authorization: Bearer|OAuth <t>` or the access_token parameter. */
export function tokenOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^(?:bearer|oauth)\s+(.+)$/i.exec(h.trim());
    if (m?.[1]) return m[1].trim();
  }
  return stringParam(inputOf(req), 'access_token');
}

/** The path after the version segment, without the query (what faults match against). */
export function graphPath(req: FastifyRequest): string {
  const path = req.url.split('?')[0] ?? '';
  const { version } = req.params as GraphParams;
  const at = path.indexOf(`/${version}/`);
  return at < 0 ? path : path.slice(at + version.length + 1);
}

/**
 * Waits the simulated latency, then applies an injected fault if one matches. The wait ends early
 * when the client goes away (a timed-out caller), and the call is then still processed, as Meta
 * would: that is why a timed-out code exchange must never be retried.
 */
export async function beginCall(req: FastifyRequest, reply: FastifyReply, sim: MetaSimulator, scenarios: ReadonlySet<SimScenario> = NO_SCENARIOS): Promise<void> {
  const ms = sim.latencyFor(scenarios);
  if (ms > 0) await pause(ms, reply);
  const fault = sim.takeFault(req.method, graphPath(req));
  if (fault) throw fault;
}

function pause(ms: number, reply: FastifyReply): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      reply.raw.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    reply.raw.once('close', done);
  });
}
