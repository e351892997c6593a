/**
 * Audit events for the audit-query and audit-export benchmarks: staff users, then N events over the
 * last 365 days in ONE INSERT ... SELECT generate_series (85% by the staff users, the rest by the
 * system, Meta or the CLI; a realistic mix of actions, targets, changed fields and details), a
 * tenth of them with a personal value in the side table, then VACUUM (ANALYZE).
 */
import type pg from 'pg';
import { note } from './stats.js';

export const AUDIT_STAFF = 200;

const ACTIONS = [
  'user.invited', 'user.role_changed', 'user.deactivated', 'profile.updated', 'password.changed', 'session.signed_out',
  'onboarding.started', 'onboarding.connected', 'onboarding.failed', 'onboarding_link.created', 'onboarding_link.opened',
  'vault.secret_used', 'privacy.request_received', 'invitation.accepted', 'password.reset_sent', 'user.sessions_ended',
];
const TARGETS = ['user', 'onboarding', 'onboarding_link', 'privacy_request', 'session'];

const SEED_USERS_SQL = `
INSERT INTO users (email, display_name, role, status, created_at, updated_at)
SELECT 'staff' || i || '@example.test', 'Staff Member ' || i, CASE WHEN i % 10 = 0 THEN 'admin' ELSE 'operator' END::user_role, 'active', now(), now()
FROM generate_series(1, $1::int) AS i`;

const SEED_EVENTS_SQL = `
WITH staff AS (SELECT array_agg(id::text ORDER BY email) AS ids FROM users WHERE email LIKE 'staff%@example.test'),
g AS (
  SELECT i,
    (hashint8extended(i, 1) & 9007199254740991)::float8 / 9007199254740992 AS r_actor,
    (hashint8extended(i, 2) & 2147483647) AS h
  FROM generate_series(1, $1::int) AS i
)
INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, request_id, changed_fields, details)
SELECT
  -- i = 1 is the newest; events ~31.5 s apart over a year, some sharing a second
  date_trunc('second', now()) - (i::float8 / $1::int) * interval '365 days' + (h % 3) * interval '1 second',
  CASE WHEN r_actor < 0.85 THEN 'user' WHEN r_actor < 0.95 THEN 'system' WHEN r_actor < 0.98 THEN 'meta' ELSE 'cli' END,
  CASE WHEN r_actor < 0.85 THEN staff.ids[1 + (h % cardinality(staff.ids))] WHEN r_actor < 0.98 AND r_actor >= 0.95 THEN (100000000000 + h)::text END,
  ($2::text[])[1 + (i % cardinality($2::text[]))],
  ($3::text[])[1 + (h % cardinality($3::text[]))],
  md5(i::text)::uuid::text,
  CASE WHEN r_actor < 0.85 THEN md5((i * 31)::text)::uuid::text END,
  CASE WHEN i % 4 = 0 THEN ARRAY['role'] WHEN i % 4 = 1 THEN ARRAY['email', 'displayName'] WHEN i % 4 = 2 THEN ARRAY['state'] ELSE '{}' END,
  jsonb_build_object('role', CASE WHEN h % 2 = 0 THEN 'viewer' ELSE 'admin' END, 'sessionsEnded', h % 5, 'step', 'lookup', 'metaError', CASE WHEN h % 7 = 0 THEN 100 END)
FROM g, staff`;

const SEED_PERSONAL_SQL = `
INSERT INTO audit_personal_values (event_id, field, kind, subject_type, subject_id, value)
SELECT id, 'email', 'after', 'user', target_id, 'person' || id || '@example.test' FROM audit_events WHERE id % 10 = 0`;

/** Seeds the staff and `events` audit events; returns the seconds it took. */
export async function seedAuditEvents(pool: pg.Pool, events: number): Promise<number> {
  const t0 = performance.now();
  await pool.query(SEED_USERS_SQL, [AUDIT_STAFF]);
  note(`seeding ${events} audit events (one INSERT ... SELECT generate_series)`);
  await pool.query(SEED_EVENTS_SQL, [events, ACTIONS, TARGETS]);
  await pool.query(SEED_PERSONAL_SQL);
  await pool.query('VACUUM (ANALYZE) audit_events');
  await pool.query('VACUUM (ANALYZE) audit_personal_values');
  await pool.query('VACUUM (ANALYZE) users');
  const seconds = (performance.now() - t0) / 1000;
  note(`seeded in ${seconds.toFixed(1)} s`);
  return seconds;
}

/** The staff user with the most events (the filtered page's actor). */
export async function busiestActor(pool: pg.Pool): Promise<{ id: string; events: number }> {
  const { rows } = await pool.query<{ id: string; n: number }>(
    `SELECT actor_id AS id, count(*)::int AS n FROM audit_events WHERE actor_type = 'user' AND actor_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
  );
  return { id: rows[0]!.id, events: rows[0]!.n };
}
