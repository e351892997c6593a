/**
 * A year of overview data in a few INSERT ... SELECT generate_series statements: 50 users, 1,000
 * onboarding attempts (a quarter each connected, abandoned, failed, started; steps for the
 * connected), `signIns` login activity rows and `webhooks` webhook events spread over the 365 days
 * before `now`. Used by the `overview` benchmark and src/features/overview/overview-scale.db.test.ts.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';

export async function seedOverviewYear(db: Db, o: { now: Date; signIns: number; webhooks: number }): Promise<number> {
  const started = performance.now();
  const now = o.now.toISOString();
  await db.execute(sql`INSERT INTO users (email, display_name, role, status)
    SELECT 'u' || i || '@overview-seed.test', 'User ' || i, 'viewer', 'active' FROM generate_series(1, 50) i`);
  await db.execute(sql`INSERT INTO onboarding_records (state, attempt_id, created_at, updated_at, token_verified_at, connected_at, abandoned_step, error_code)
    SELECT (ARRAY['connected','abandoned','failed','started']::onboarding_state[])[1 + i % 4], 'seed' || i, t, t,
      CASE WHEN i % 4 IN (0, 2) THEN t END, CASE WHEN i % 4 = 0 THEN t END, CASE WHEN i % 4 = 1 THEN 'PHONE_NUMBER_VERIFICATION' END, CASE WHEN i % 4 = 2 THEN 100 END
    FROM (SELECT i, ${now}::timestamptz - (i % 365) * interval '1 day' AS t FROM generate_series(1, 1000) i) s`);
  await db.execute(sql`INSERT INTO onboarding_steps (record_id, step, status, attempt)
    SELECT r.id, s.step::onboarding_step_name, 'succeeded', 1 FROM onboarding_records r, unnest(ARRAY['exchange','verify','subscribe','register']) s(step) WHERE r.state = 'connected'`);
  await db.execute(sql`INSERT INTO login_activity (at, user_id, result, reason, user_agent)
    SELECT ${now}::timestamptz - random() * interval '365 days', u.a[1 + i % 50],
      CASE WHEN i % 5 = 0 THEN 'failure' ELSE 'success' END::login_result,
      CASE WHEN i % 5 = 0 THEN (ARRAY['bad_password','unknown_user','locked'])[1 + i % 3] END::login_reason,
      'UA-' || (i % 20)
    FROM generate_series(1, ${o.signIns}) i, (SELECT array_agg(id ORDER BY id) AS a FROM users) u`);
  // in chunks of 1M rows, so no statement holds a huge transaction
  for (let done = 0; done < o.webhooks; done += 1_000_000) {
    const n = Math.min(1_000_000, o.webhooks - done);
    await db.execute(sql`INSERT INTO webhook_events (received_at, field, dedupe_key, state, processed_at, size_bytes)
      SELECT r, (ARRAY['messages','messages','messages','account_update','phone_number_quality_update','message_template_status_update'])[1 + i % 6],
        'k' || (${done} + i), CASE WHEN i % 100 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'unhandled' ELSE 'processed' END::webhook_event_state,
        r + (i % 2000) * interval '1 millisecond', 100
      FROM (SELECT i, ${now}::timestamptz - random() * interval '365 days' AS r FROM generate_series(1, ${n}) i) s`);
  }
  await db.execute(sql`ANALYZE`);
  return (performance.now() - started) / 1000;
}
