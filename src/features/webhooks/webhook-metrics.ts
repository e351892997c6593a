/**
 * In-process counters of the webhook endpoint, for /metrics (per process; a scrape sums instances).
 */
export const webhookMetrics = {
  /** deliveries refused for a missing, malformed or wrong X-Hub-Signature-256 */
  signatureFailures: 0,
  /** verified deliveries stored */
  deliveries: 0,
  /** changes stored (any state) */
  changes: 0,
  /** changes that were duplicates of an earlier one */
  duplicates: 0,
};

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
