/** Test helpers: the test app's Meta app secret and verify token, signed deliveries, processing. */
import { sql } from 'drizzle-orm';
import type { TestApp } from '../../../test-support/test-app.js';
import { createLogger } from '../../../logger.js';
import { metaAppOf } from '../../sandbox/sandbox-meta.js';
import { loadKeyRing } from '../../vault/keyring.js';
import { processPending } from '../process/process.service.js';
import { signatureOf } from '../webhook-signature.js';

/** The Meta app the test app uses (sandbox stand-in derived from the test key). */
export function metaOf(t: TestApp) {
  return metaAppOf(t.config, loadKeyRing({ key: t.config.encryptionKey, dataDir: t.config.dataDir, embedded: false }));
}

/** POSTs `body` (object or exact bytes) signed with the app secret, or with `signature` when given. */
export async function deliver(t: TestApp, body: unknown, opts: { signature?: string | null; contentType?: string } = {}) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  const sig = opts.signature === undefined ? signatureOf(raw, metaOf(t).appSecret) : opts.signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return t.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers, payload: raw, remoteAddress: '203.0.113.7' });
}

/** Processes everything pending, as the job does. */
export const processAll = (t: TestApp) => processPending({ db: t.database.db, clock: t.clock, logger: createLogger('silent') });

/** The envelope around entries. */
export const envelope = (...entry: unknown[]) => ({ object: 'whatsapp_business_account', entry });

/** Events as stored (ordered by id). */
export async function events(t: TestApp) {
  const r = await t.database.db.execute<{ id: number; field: string; state: string; reason: string | null; waba_id: string | null; record_id: string | null; summary: Record<string, unknown>; payload: unknown; attempts: number }>(
    sql`SELECT id, field, state, reason, waba_id, record_id, summary, payload, attempts FROM webhook_events ORDER BY id`,
  );
  return r.rows;
}

/** Every row of every public table as text. */
export async function everyRow(t: TestApp): Promise<string> {
  const db = t.database.db;
  const tables = await db.execute<{ name: string }>(sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  let all = '';
  for (const { name } of tables.rows) {
    const rows = await db.execute<{ row: string }>(sql`SELECT t::text AS row FROM ${sql.identifier(name)} t`);
    all += rows.rows.map((r) => r.row).join('\n') + '\n';
  }
  return all;
}
