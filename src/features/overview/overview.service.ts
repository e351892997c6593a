/**
 * The overview: one call gathers every panel the caller's role may see, for a period of local days
 * in the viewer's time zone. Panels a role may not see are not computed and not sent.
 */
import type { Db } from '../../db/client.js';
import { fieldError } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';
import { roleMay, type Role } from '../access/permissions.js';
import {
  countAbandonedBySteps,
  countExpiringTokens,
  countFailuresByCode,
  countFunnel,
  countLockedUsers,
  countOpenPrivacyRequests,
  countPhoneNumbers,
  countRecordsByState,
  findLastPurgeRun,
  isKnownTimeZone,
  listBuckets,
  resolveLocalDays,
  type OnboardingSource,
} from './overview.repo.js';
import { readBucketed } from './rollup.repo.js';

export interface OverviewDeps {
  db: Db;
  clock: Clock;
}

export type PeriodChoice = '7' | '30' | '90' | 'custom';
export interface OverviewQuery {
  period: PeriodChoice;
  from?: string | undefined;
  to?: string | undefined;
  tz: string;
  source: OnboardingSource;
}

const MAX_DAYS = 366;
const TOKEN_WINDOW_DAYS = 30;
const DUE_SOON_DAYS = 7;
export const FUNNEL_STEPS = ['started', 'codeReceived', 'tokenVerified', 'subscribed', 'registered', 'connected'] as const;

// Zone names PostgreSQL confirmed; reading pg_timezone_names costs tens of milliseconds.
const knownZones = new Set<string>(['UTC']);

async function checkTimeZone(db: Db, tz: string): Promise<void> {
  if (knownZones.has(tz)) return;
  let intlOk = true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    intlOk = false;
  }
  if (!intlOk || !(await isKnownTimeZone(db, tz))) throw fieldError('tz', 'is not a known IANA time zone');
  knownZones.add(tz);
}

async function resolvePeriod(deps: OverviewDeps, q: OverviewQuery) {
  if (q.period !== 'custom') return resolveLocalDays(deps.db, q.tz, deps.clock.now(), { last: Number(q.period) });
  if (!q.from) throw fieldError('from', 'is required for a custom period');
  if (!q.to) throw fieldError('to', 'is required for a custom period');
  if (q.to < q.from) throw fieldError('to', 'must not be before from');
  const days = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000 + 1;
  if (!(days <= MAX_DAYS)) throw fieldError('to', `must be at most ${MAX_DAYS} days after from`);
  return resolveLocalDays(deps.db, q.tz, deps.clock.now(), { fromDay: q.from, toDay: q.to });
}

type Counts = Record<string, number>;

/** Everything the overview page shows that `role` may see. */
export async function getOverview(deps: OverviewDeps, role: Role, q: OverviewQuery) {
  await checkTimeZone(deps.db, q.tz);
  const range = await resolvePeriod(deps, q);
  const now = deps.clock.now();
  const days = Math.round((range.to.getTime() - range.from.getTime()) / 86_400_000);
  const signInBucket: 'hour' | 'day' = days <= 2 ? 'hour' : 'day';
  const webhookBucket: 'hour' | 'day' = days <= 7 ? 'hour' : 'day';
  const base = { from: range.from, to: range.to, tz: q.tz };
  const db = deps.db;

  const onboarding = async () => {
    const f = { from: range.from, to: range.to, source: q.source };
    const [funnel, abandoned, failures] = await Promise.all([countFunnel(db, f), countAbandonedBySteps(db, f), countFailuresByCode(db, f)]);
    return { source: q.source, funnel: FUNNEL_STEPS.map((step) => ({ step, count: funnel[step] })), abandoned, failures };
  };
  const accounts = async () => {
    const [byState, phones, tokens] = await Promise.all([
      countRecordsByState(db),
      countPhoneNumbers(db),
      countExpiringTokens(db, now, new Date(now.getTime() + TOKEN_WINDOW_DAYS * 86_400_000)),
    ]);
    return { byState, quality: phones.quality, nameStatus: phones.nameStatus, tokens: { ...tokens, windowDays: TOKEN_WINDOW_DAYS } };
  };
  const signIns = async () => {
    const f = { ...base, bucket: signInBucket } as const;
    const [labels, rows, lockedAccounts] = await Promise.all([listBuckets(db, f), readBucketed(db, 'sign_in', f), countLockedUsers(db, now)]);
    const byBucket = new Map<string, Counts>(labels.map((b) => [b, {}]));
    const totals: Counts = {};
    for (const r of rows) {
      const c = byBucket.get(r.bucket) ?? {};
      c[r.k1] = (c[r.k1] ?? 0) + r.count;
      byBucket.set(r.bucket, c);
      totals[r.k1] = (totals[r.k1] ?? 0) + r.count;
    }
    const series = [...byBucket].map(([bucket, counts]) => ({ bucket, counts }));
    return { bucket: signInBucket, series, totals, lockedAccounts };
  };
  const webhooks = async () => {
    const f = { ...base, bucket: webhookBucket } as const;
    const [labels, rows] = await Promise.all([listBuckets(db, f), readBucketed(db, 'webhook', f)]);
    const byBucket = new Map<string, { counts: Counts; lagSum: number; lagN: number }>(labels.map((b) => [b, { counts: {}, lagSum: 0, lagN: 0 }]));
    const byField: Counts = {};
    const byState: Counts = {};
    let lagSum = 0;
    let lagN = 0;
    let lagMax = 0;
    for (const r of rows) {
      const b = byBucket.get(r.bucket) ?? { counts: {}, lagSum: 0, lagN: 0 };
      b.counts[r.k1] = (b.counts[r.k1] ?? 0) + r.count;
      b.lagSum += r.lagMsSum;
      b.lagN += r.lagCount;
      byBucket.set(r.bucket, b);
      byField[r.k1] = (byField[r.k1] ?? 0) + r.count;
      byState[r.k2] = (byState[r.k2] ?? 0) + r.count;
      lagSum += r.lagMsSum;
      lagN += r.lagCount;
      lagMax = Math.max(lagMax, r.lagMsMax);
    }
    const series = [...byBucket].map(([bucket, b]) => ({ bucket, counts: b.counts, lagMsAvg: b.lagN ? Math.round(b.lagSum / b.lagN) : null }));
    return { bucket: webhookBucket, series, byField, byState, lag: { avgMs: lagN ? Math.round(lagSum / lagN) : null, maxMs: lagN ? lagMax : null } };
  };
  const privacy = async () => {
    const [byState, lastPurge] = await Promise.all([countOpenPrivacyRequests(db, now, DUE_SOON_DAYS), findLastPurgeRun(db)]);
    return { byState, dueSoonDays: DUE_SOON_DAYS, lastPurge };
  };

  const when = <T>(ok: boolean, f: () => Promise<T>): Promise<T | undefined> => (ok ? f() : Promise.resolve(undefined));
  const [o, a, s, w, p] = await Promise.all([
    when(roleMay(role, 'onboarding.read'), onboarding),
    when(roleMay(role, 'onboarding.read'), accounts),
    when(roleMay(role, 'users.activity.read'), signIns),
    when(roleMay(role, 'webhooks.read'), webhooks),
    when(roleMay(role, 'privacy.manage'), privacy),
  ]);
  return {
    period: { from: range.from, to: range.to, fromDay: range.fromDay, toDay: range.toDay, tz: q.tz, generatedAt: now },
    onboarding: o,
    accounts: a,
    signIns: s,
    webhooks: w,
    privacy: p,
  };
}
