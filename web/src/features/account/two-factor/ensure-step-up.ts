/**
 * For sensitive actions the api client cannot retry (leaving for the server-rendered connect page,
 * a file download): ask for a proof first unless the last one still counts for a while (half the
 * window, at most 5 minutes), so the request on the next page does not find it expired.
 */
import { api, requestStepUp } from '../../../lib/api.js';

export async function ensureStepUp(): Promise<boolean> {
  const state = await api.get<{ provedAt: string | null; windowMs: number; remainingMs: number }>('/me/step-up');
  if (state.remainingMs >= Math.min(5 * 60_000, state.windowMs / 2)) return true;
  return requestStepUp();
}

/** Navigates to `href` after `ensureStepUp` (a full page load: the connect page, a download). */
export function goAfterStepUp(href: string): void {
  void ensureStepUp()
    .then((ok) => {
      if (ok) window.location.assign(href);
    })
    .catch(() => window.location.assign(href));
}
