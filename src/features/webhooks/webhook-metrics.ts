/** The webhook endpoint's rate-limited warning (its counters are Prometheus metrics: src/features/metrics). */
/** A warn line at most once per `intervalMs`, saying how many were suppressed in between. */
export function rateLimitedLog(intervalMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  let suppressed = 0;
  return (log: (suppressed: number) => void): void => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed++;
      return;
    }
    last = t;
    const n = suppressed;
    suppressed = 0;
    log(n);
  };
}
