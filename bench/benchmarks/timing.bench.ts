/**
 * `timing`: can a stranger tell which emails have an account by timing the sign-in answer? Sign-ins
 * with a wrong password for existing accounts (each account tried once, so none locks) and sign-ins
 * for unknown emails are sent alternately, one at a time, against the real app over loopback; both
 * should cost one argon2 verify (the unknown email's against a dummy hash).
 *
 * value = median ms for unknown emails; baseline = median ms for known emails; ratio = value /
 * baseline. The distributions are compared with a Mann-Whitney U test (no normality assumed): |z| < 3
 * means no difference this many samples can see. Goal: ratio within 0.95..1.05 and |z| < 3.
 * Not in CI: on a shared machine the neighbours' noise decides the result (CI checks the defence
 * structurally: sign-in.db.test.ts counts one argon2 verify for each kind of refusal).
 */
import http from 'node:http';
import { hashPassword } from '../../src/features/access/passwords.js';
import type { Runtime } from '../../src/runtime.js';
import { withBenchApp } from '../lib/app.js';
import { request } from '../lib/http.js';
import { median, note, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const SAMPLES = Number(process.env.BENCH_TIMING_SAMPLES ?? 300);
const WARMUP = 20;

/** Mann-Whitney U with the normal approximation (ties get average ranks); returns z. */
export function mannWhitneyZ(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const r1 = all.reduce((s, x, i) => (x.g === 0 ? s + ranks[i]! : s), 0);
  const n1 = a.length;
  const n2 = b.length;
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  return (u - mean) / sd;
}

const bench: Benchmark = {
  name: 'timing',
  async run(): Promise<Result> {
    const accounts = SAMPLES + WARMUP;
    const seed = async (rt: Runtime) => {
      const hash = await hashPassword('the real password of every bench account');
      const values = Array.from({ length: accounts }, (_, i) => `('known${i}@timing.test', 'Known ${i}', 'viewer', 'active', '${hash}')`).join(',');
      await rt.database.pool.query(`INSERT INTO users (email, display_name, role, status, password_hash) VALUES ${values}`);
    };
    return withBenchApp('timing', { seed, signInRateLimit: { max: 1_000_000, timeWindowMs: 60_000 } }, async ({ port, config }) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const headers = { origin: config.publicUrl.origin, 'x-csrf-protection': '1', 'content-type': 'application/json' };
      const attempt = async (email: string): Promise<number> => {
        const t0 = performance.now();
        const res = await request(port, { method: 'POST', path: '/api/v1/auth/sign-in', headers, body: JSON.stringify({ email, password: 'a wrong password, long enough' }), agent, timeoutMs: 10_000 });
        const ms = performance.now() - t0;
        if (res.status !== 401) throw new Error(`sign-in for ${email} answered ${res.status}: ${res.body.slice(0, 200)}`);
        return ms;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < accounts; i++) {
        // alternate which goes first, so drift in the machine's load hits both alike
        let k: number;
        let u: number;
        if (i % 2 === 0) {
          k = await attempt(`known${i}@timing.test`);
          u = await attempt(`nobody${i}@timing.test`);
        } else {
          u = await attempt(`nobody${i}@timing.test`);
          k = await attempt(`known${i}@timing.test`);
        }
        if (i < WARMUP) continue;
        known.push(k);
        unknown.push(u);
      }
      agent.destroy();
      const mk = median(known);
      const mu = median(unknown);
      const z = mannWhitneyZ(unknown, known);
      const ratio = mu / mk;
      note(`timing: known ${round(mk, 2)} ms, unknown ${round(mu, 2)} ms (median of ${known.length} each), Mann-Whitney z ${round(z, 2)}`);
      return {
        name: 'timing',
        value: round(mu, 2),
        unit: 'ms median, sign-in for an unknown email',
        baseline: round(mk, 2),
        ratio: round(ratio, 3),
        goal: 'ratio within 0.95..1.05 and |Mann-Whitney z| < 3',
        met: ratio >= 0.95 && ratio <= 1.05 && Math.abs(z) < 3,
        mann_whitney_z: round(z, 2),
        samples_each: known.length,
      };
    });
  },
};

export default bench;
