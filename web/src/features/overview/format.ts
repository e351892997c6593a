import { humanise } from '../../lib/format.js';

const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/** A bucket label from the server (the viewer's local `YYYY-MM-DD` or `YYYY-MM-DDTHH:00`), for people. */
export function bucketLabel(bucket: string): string {
  // The label already is wall-clock time in the viewer's zone: format it as if UTC so nothing shifts.
  const d = new Date(bucket.length > 10 ? `${bucket}:00Z` : `${bucket}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? bucket : (bucket.length > 10 ? hourFmt : dayFmt).format(d);
}

/** The local day a bucket falls on (for links to lists filtered by day). */
export const bucketDay = (bucket: string) => bucket.slice(0, 10);

export const FUNNEL_LABELS: Record<string, string> = {
  started: 'Started',
  codeReceived: 'Code received',
  tokenVerified: 'Token verified',
  subscribed: 'Subscribed',
  registered: 'Registered',
  connected: 'Connected',
};

export function stepLabel(step: string | null): string {
  return step === null ? 'Not reported' : humanise(step.toLowerCase());
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '–';
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
