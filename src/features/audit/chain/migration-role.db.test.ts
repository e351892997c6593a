/**
 * DATABASE_MIGRATION_URL as docs/SECURITY.md describes it: migrations run as an owning role, the app
 * as a runtime role with the documented default privileges. The runtime role then works normally
 * (writes, seals, anchors, purges through audit_purge, erases personal values) but can neither
 * delete audit rows (not even with the purge flag set) nor drop or disable the triggers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config.js';
import { createLogger } from '../../../logger.js';
import { manualClock } from '../../../lib/clock.js';
import { openRuntime, type Runtime } from '../../../runtime.js';
import { withDatabase } from '../../../test-support/global-db.js';
import { recordAudit } from '../audit.service.js';
import { anchorChain } from './anchor.js';
import { purgeAuditEvents } from './audit-purge.js';
import { sealAll } from './test-fixtures/seal-all.js';
import { verifyChain } from './verify.js';

const suffix = randomBytes(4).toString('hex');
const MIG = `crm_mig_${suffix}`;
const RT = `crm_rt_${suffix}`;
const DB = `crm_roles_${suffix}`;
const PASSWORD = `pw_${suffix}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-roles-'));

/** The admin URL with another role's credentials (socket URLs too). */
function asRole(url: string, role: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/)(?:[^@/]*@)?/, `$1${role}:${PASSWORD}@`);
}

async function admin(statements: string[], db = 'postgres'): Promise<void> {
  const c = new pg.Client({ connectionString: withDatabase(inject('testAdminUrl'), db) });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

let runtime: Runtime | undefined;
afterAll(async () => {
  await runtime?.close();
  await admin([`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, `DROP ROLE IF EXISTS ${RT}`, `DROP ROLE IF EXISTS ${MIG}`]).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DATABASE_MIGRATION_URL: a separate migration role', () => {
  it('is refused without DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'postgres://m@h/db', DATA_DIR: dataDir })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'postgres://m@h/db', DATA_DIR: dataDir })).toThrow(/^DATABASE_MIGRATION_URL: /);
  });

  it('migrates as the owner; the runtime role works but cannot delete audit rows or touch the triggers', async () => {
    const base = inject('testAdminUrl');
    // the one-time setup docs/SECURITY.md gives operators
    await admin([`CREATE ROLE ${MIG} LOGIN PASSWORD '${PASSWORD}'`, `CREATE ROLE ${RT} LOGIN PASSWORD '${PASSWORD}'`, `CREATE DATABASE ${DB} OWNER ${MIG}`, `GRANT CONNECT, CREATE ON DATABASE ${DB} TO ${RT}`]);
    const migUrl = withDatabase(asRole(base, MIG), DB);
    const rtUrl = withDatabase(asRole(base, RT), DB);
    const setup = new pg.Client({ connectionString: migUrl });
    await setup.connect();
    await setup.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${MIG} GRANT USAGE ON SCHEMAS TO ${RT}`);
    await setup.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${MIG} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${RT}`);
    await setup.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${MIG} GRANT USAGE, SELECT ON SEQUENCES TO ${RT}`);
    await setup.end();

    const config = loadConfig({ DATABASE_URL: rtUrl, DATABASE_MIGRATION_URL: migUrl, ENCRYPTION_KEY: Buffer.alloc(32, 4).toString('base64'), DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    runtime = await openRuntime(config, createLogger('silent'), 'cli');
    expect(await runtime.isReady()).toBe(true);
    const db = runtime.database.db;
    const owner = await db.execute<{ owner: string; me: string }>(sql`SELECT pg_get_userbyid(relowner) AS owner, current_user AS me FROM pg_class WHERE relname = 'audit_events'`);
    expect(owner.rows[0]).toEqual({ owner: MIG, me: RT });

    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    const deps = { clock, keyring: runtime.keyring };
    for (let i = 0; i < 4; i++) {
      await db.transaction((tx) =>
        recordAudit(tx, clock, { actorType: 'system', actorId: null, requestId: null }, {
          action: 'user.unlocked',
          targetType: 'user',
          targetId: `u${i}`,
          details: {},
          personal: [{ field: 'email', kind: 'value', subjectType: 'user', subjectId: `u${i}`, value: `u${i}@example.test` }],
        }),
      );
      clock.advance(60_000);
    }
    await sealAll(db, clock);
    await anchorChain(db, deps, 'manual');

    const refused = async (statement: string, pattern: RegExp) => {
      await expect(
        db.transaction(async (tx) => {
          await tx.execute(sql`SELECT set_config('crm.audit_purge', 'on', true)`);
          await tx.execute(sql.raw(statement));
        }),
      ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(pattern) }) });
    };
    await refused('DELETE FROM audit_events', /append-only: DELETE on audit_events/);
    await refused('DELETE FROM audit_chain', /append-only: DELETE on audit_chain/);
    await refused('UPDATE audit_anchors SET mac = mac', /append-only: UPDATE on audit_anchors/);
    await refused('DROP TRIGGER audit_events_append_only ON audit_events', /must be owner/);
    await refused('ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be owner/);
    await refused('DROP FUNCTION audit_refuse_change() CASCADE', /must be owner/);

    // personal values stay erasable by the runtime role
    await db.execute(sql`DELETE FROM audit_personal_values WHERE subject_id = 'u0'`);
    // the purge goes through the function (it runs as its owner) and records its anchor
    const purged = await purgeAuditEvents(db, deps, new Date('2026-01-01T00:02:30Z'), { dryRun: false });
    expect(purged.events).toBe(3);
    expect(purged.anchorId).not.toBeNull();
    await sealAll(db, clock);
    expect((await verifyChain(db, runtime.keyring)).ok).toBe(true);
  });
});
