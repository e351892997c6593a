/** The erasure log's writer, its export and reader, and each applier on a real database. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/test-db.js';
import { ERASURE_APPLIERS, type ErasureEntry } from './erasure-actions.js';
import { exportErasureLog, readErasureFile, recordErasure } from './erasure-log.js';

const t = useTestDatabase();
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-erasure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.current.database.pool.query(text, params)).rows as T[];
const entry = (e: Omit<ErasureEntry, 'id' | 'at' | 'details'> & { details?: Record<string, unknown> }): ErasureEntry => ({ id: 1, at: new Date(), details: {}, ...e });

async function addUser(email: string): Promise<string> {
  const [row] = await q<{ id: string }>("INSERT INTO users (email, display_name, role, status, password_hash) VALUES ($1, 'Some Body', 'viewer', 'active', 'x') RETURNING id", [email]);
  await q("INSERT INTO login_activity (user_id, result, ip) VALUES ($1, 'success', '198.51.100.1')", [row!.id]);
  const [ev] = await q<{ id: number }>("INSERT INTO audit_events (actor_type, action, details) VALUES ('system', 'user.profile_updated', '{}') RETURNING id");
  await q("INSERT INTO audit_personal_values (event_id, field, kind, subject_type, subject_id, value) VALUES ($1, 'email', 'value', 'user', $2, $3)", [ev!.id, row!.id, email]);
  return row!.id;
}

describe('erasure log', () => {
  it('records erasures without personal data, refuses unknown kinds, and exports them as JSON lines (0600) that read back', async () => {
    const db = t.current.database.db;
    const userId = await addUser('a@erasure.test');
    const id = await recordErasure(db, { subjectType: 'user', subjectId: userId, action: 'login_activity', details: { entries: 1 } });
    expect(id).toBeGreaterThan(0);
    await expect(recordErasure(db, { subjectType: 'user', subjectId: userId, action: 'frobnicate' as never })).rejects.toThrow('unknown action "frobnicate"');
    await expect(recordErasure(db, { subjectType: 'user', subjectId: 'a@erasure.test', action: 'user_deleted' })).rejects.toThrow('subject_id must be a user uuid');
    await expect(recordErasure(db, { subjectType: 'user', subjectId: 'meta-1', action: 'meta_user' })).rejects.toThrow('not recorded for subject type "user"');

    const file = path.join(dir, 'log.jsonl');
    expect((await exportErasureLog(db, file)).entries).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const back = await readErasureFile(file);
    expect(back).toEqual([expect.objectContaining({ id, subjectType: 'user', subjectId: userId, action: 'login_activity', details: { entries: 1 } })]);

    const broken = path.join(dir, 'broken.jsonl');
    writeFileSync(broken, `${readFileSync(file, 'utf8')}{not json\n`);
    await expect(readErasureFile(broken)).rejects.toThrow('line 3: not JSON');
    const notLog = path.join(dir, 'not-a-log.jsonl');
    writeFileSync(notLog, '{"hello":1}\n');
    await expect(readErasureFile(notLog)).rejects.toThrow('not an erasure log export');
  });

  it('applies each kind again, idempotently', async () => {
    const db = t.current.database.db;
    const keep = await addUser('keep@erasure.test');
    const gone = await addUser('gone@erasure.test');

    await ERASURE_APPLIERS.login_activity.apply(db, entry({ subjectType: 'user', subjectId: gone, action: 'login_activity' }));
    expect(await q('SELECT 1 FROM login_activity WHERE user_id = $1', [gone])).toHaveLength(0);
    expect(await q('SELECT 1 FROM login_activity WHERE user_id = $1', [keep])).toHaveLength(1);

    await ERASURE_APPLIERS.audit_personal_values.apply(db, entry({ subjectType: 'user', subjectId: gone, action: 'audit_personal_values' }));
    expect(await q("SELECT 1 FROM audit_personal_values WHERE subject_id = $1", [gone])).toHaveLength(0);
    expect(await q("SELECT 1 FROM audit_personal_values WHERE subject_id = $1", [keep])).toHaveLength(1);

    await q("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('h-gone', $1, now() + interval '1 day')", [gone]);
    const del = entry({ subjectType: 'user', subjectId: gone, action: 'user_deleted' });
    for (let i = 0; i < 2; i++) await ERASURE_APPLIERS.user_deleted.apply(db, del);
    const [u] = await q<{ email: string; display_name: string; status: string; password_hash: string | null }>('SELECT email, display_name, status::text AS status, password_hash FROM users WHERE id = $1', [gone]);
    expect(u).toEqual({ email: `removed-user-${gone.replace(/-/g, '').slice(0, 12)}`, display_name: `removed-user-${gone.replace(/-/g, '').slice(0, 12)}`, status: 'removed', password_hash: null });
    expect(await q('SELECT 1 FROM sessions WHERE user_id = $1', [gone])).toHaveLength(0);
    expect((await q<{ status: string }>('SELECT status::text AS status FROM users WHERE id = $1', [keep]))[0]!.status).toBe('active');

    const [r1] = await q<{ id: string }>("INSERT INTO onboarding_records (attempt_id, meta_user_id, token_user_id) VALUES ('a-1', 'meta-42', 'meta-42') RETURNING id");
    const [r2] = await q<{ id: string }>("INSERT INTO onboarding_records (attempt_id, meta_user_id, token_user_id) VALUES ('a-2', 'meta-42', 'sys-1') RETURNING id");
    const [r3] = await q<{ id: string }>("INSERT INTO onboarding_records (attempt_id, meta_user_id) VALUES ('a-3', 'meta-42') RETURNING id");
    const [other] = await q<{ id: string }>("INSERT INTO onboarding_records (attempt_id, meta_user_id) VALUES ('a-4', 'meta-7') RETURNING id");
    // the erasure skipped r3 (a legal hold then): only the records it names are cleared again
    await ERASURE_APPLIERS.meta_user.apply(db, entry({ subjectType: 'meta_user', subjectId: 'meta-42', action: 'meta_user', details: { recordIds: [r1!.id, r2!.id] } }));
    const ids = async (id: string) => (await q<{ m: string | null; t: string | null }>('SELECT meta_user_id AS m, token_user_id AS t FROM onboarding_records WHERE id = $1', [id]))[0];
    expect(await ids(r1!.id)).toEqual({ m: null, t: null });
    expect(await ids(r2!.id)).toEqual({ m: null, t: 'sys-1' });
    expect(await ids(r3!.id)).toEqual({ m: 'meta-42', t: null });
    await ERASURE_APPLIERS.meta_user.apply(db, entry({ subjectType: 'meta_user', subjectId: 'meta-42', action: 'meta_user' }));
    expect(await ids(r3!.id)).toEqual({ m: null, t: null });
    expect(await ids(other!.id)).toEqual({ m: 'meta-7', t: null });
  });
});
