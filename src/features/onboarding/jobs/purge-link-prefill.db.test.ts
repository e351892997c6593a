import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { onboardingLinks } from '../../../db/schema.js';
import type { JobContext } from '../../../jobs/job-context.js';
import { manualClock } from '../../../lib/clock.js';
import { createLogger } from '../../../logger.js';
import { useTestDatabase } from '../../../test-support/test-db.js';
import { purgeLinkPrefillJob } from './purge-link-prefill.job.js';

const tdb = useTestDatabase();

describe('onboarding-links.purge-prefill job', () => {
  it('erases the prefill of links whose retention ended, and only theirs', async () => {
    const clock = manualClock(new Date('2026-06-01T00:00:00Z'));
    const db = tdb.current.database.db;
    const day = 86_400_000;
    const at = (d: number) => new Date(clock.now().getTime() + d * day);
    const prefill = { businessName: 'Acme', email: 'owner@acme.test', phone: '+1 555 0100' };
    await db.insert(onboardingLinks).values([
      { tokenHash: 'h-old', label: 'old', ...prefill, expiresAt: at(-100), prefillPurgeAfter: at(-1) },
      { tokenHash: 'h-new', label: 'new', ...prefill, expiresAt: at(5), prefillPurgeAfter: at(95) },
    ]);
    const ctx = { database: tdb.current.database, clock, logger: createLogger('silent'), sessionIdleMs: 0 } as unknown as JobContext;
    await purgeLinkPrefillJob.handler({}, ctx);
    const rows = await db.execute<{ label: string; business_name: string | null; email: string | null; phone: string | null }>(
      sql`SELECT label, business_name, email, phone FROM onboarding_links ORDER BY label`,
    );
    expect(rows.rows).toEqual([
      { label: 'new', business_name: 'Acme', email: 'owner@acme.test', phone: '+1 555 0100' },
      { label: 'old', business_name: null, email: null, phone: null },
    ]);
    expect(purgeLinkPrefillJob.cron).toBeDefined();
  });
});
