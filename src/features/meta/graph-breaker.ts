/**
 * Circuit breaking for the Graph API. When Meta is down or hanging, every call would otherwise wait
 * out its timeout and retries, holding request handlers and job workers for tens of seconds each.
 * After `failures` consecutive calls failed for an outage reason (timeout, network error, 5xx,
 * Meta's transient codes), calls fail at once for `openMs` with a retryable `circuit_open`
 * GraphError that says when calls resume; then one call probes (half-open) and its success closes
 * the circuit. An error Meta answers about the request itself (a permission, a bad id, one account's
 * rate limit) proves Meta is up, so it counts as a success here. The onboarding resume job and sweep
 * retry failed steps once calls resume.
 */
import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, BrokenCircuitError } from 'cockatiel';
import type { Logger } from '../../logger.js';
import { graphCircuit } from '../metrics/metrics.js';
import { GraphError } from './graph-error.js';

/** Breaker settings (defaults: 5 consecutive failures open the circuit for 30 s). */
export interface BreakerOptions {
  failures?: number;
  openMs?: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half_open';

export interface GraphBreaker {
  /** Runs one Graph call (with its retries) through the circuit. */
  run<T>(operation: string, call: () => Promise<T>): Promise<T>;
  readonly state: CircuitStateName;
}

/** Failures that say Meta (or the way to it) is unavailable, rather than that the request was wrong. */
const isOutage = (e: unknown): boolean => e instanceof GraphError && e.category === 'transient';

/** A failure that does not count against the circuit travels through it as a value. */
class PassThrough {
  constructor(readonly error: unknown) {}
}

export function createGraphBreaker(o: BreakerOptions, logger: Pick<Logger, 'warn'>): GraphBreaker {
  const failures = Math.max(1, o.failures ?? 5);
  const openMs = Math.max(0, o.openMs ?? 30_000);
  const policy = circuitBreaker(handleWhen(isOutage), { halfOpenAfter: openMs, breaker: new ConsecutiveBreaker(failures) });
  let openedAt = 0;
  policy.onBreak(() => {
    openedAt = Date.now();
    graphCircuit.set(1);
    logger.warn({ graphCircuit: { state: 'open', failures, openMs } }, 'Graph API circuit opened: calls fail fast until a probe succeeds');
  });
  policy.onReset(() => {
    graphCircuit.set(0);
    logger.warn({ graphCircuit: { state: 'closed' } }, 'Graph API circuit closed: Meta answers again');
  });

  return {
    // cockatiel moves to half-open on the first call after the open period; until then it still
    // says Open, but callers deciding whether to try (the onboarding sweep) must see it is time.
    get state(): CircuitStateName {
      if (policy.state === CircuitState.Open) return Date.now() - openedAt < openMs ? 'open' : 'half_open';
      return policy.state === CircuitState.HalfOpen ? 'half_open' : 'closed';
    },
    async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
      let out: T | PassThrough;
      try {
        out = await policy.execute(() => call().catch((e: unknown) => (isOutage(e) ? Promise.reject(e) : new PassThrough(e))));
      } catch (e) {
        if (!(e instanceof BrokenCircuitError)) throw e;
        const retryAfterMs = Math.max(0, openedAt + openMs - Date.now());
        throw new GraphError({
          kind: 'circuit_open',
          operation,
          message: `Graph API calls are paused for ${Math.ceil(retryAfterMs / 1000)} s: the last ${failures} calls failed (Meta unavailable or not answering)`,
          httpStatus: null,
          code: null,
          subcode: null,
          type: null,
          userTitle: null,
          userMessage: null,
          fbtraceId: null,
          retryAfterMs,
        });
      }
      if (out instanceof PassThrough) throw out.error;
      return out;
    },
  };
}
