/**
 * Test harness for the onboarding flow: the Meta simulator on 127.0.0.1:0, the real Graph client
 * over HTTP, a key ring, capture of every log line, and helpers to read records back.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { onboardingLinks } from '../../../db/schema.js';
import type { Database } from '../../../db/client.js';
import type { MintCodeInput, SimulatorOptions } from '../../../meta-simulator/index.js';
import { startHarness } from '../../meta/test-fixtures/graph-harness.js';
import type { GraphClientOptions } from '../../meta/graph-client.js';
import { loadKeyRing } from '../../vault/keyring.js';
import { useSecret } from '../../vault/vault.service.js';
import { getOnboarding } from '../onboarding.service.js';
import { SYSTEM_ACTOR, type OnboardingDeps, type StepName } from '../onboarding.types.js';

export { APP_ID } from '../../meta/test-fixtures/graph-harness.js';

const b64 = Buffer.alloc(32, 7).toString('base64');
/** A fixed test key ring. */
export const ring = loadKeyRing({ keys: `k1:${b64}`, dataDir: '/nonexistent', embedded: false });

/** Starts a simulator + client and the onboarding deps on `database`. */
export async function startOnboardingHarness(database: Database, o: { sim?: Partial<SimulatorOptions>; client?: Partial<GraphClientOptions> } = {}) {
  const h = await startHarness(o);
  const scheduled: string[] = [];
  const logger = h.clientOptions.logger as unknown as OnboardingDeps['logger'];
  const deps: OnboardingDeps = {
    db: database.db,
    clock: h.clock,
    keyring: ring,
    graph: h.client,
    appId: h.clientOptions.appId,
    logger,
    scheduleResume: async (id) => {
      scheduled.push(id);
    },
  };
  const db = database.db;
  // A fresh simulator is a fresh Meta: records (and their secrets) of an earlier one would be merged
  // into by WABA id (reconnect), so each harness starts without them.
  await db.execute(sql`DELETE FROM onboarding_records`);
  await db.execute(sql`DELETE FROM vault_secrets WHERE owner_type = 'onboarding'`);
  return {
    h,
    deps,
    scheduled,
    mint: (input: MintCodeInput) => h.sim.mintCode(input).code,
    /** a fresh customer link row to start attempts through */
    async linkId(): Promise<string> {
      const at = h.clock.now();
      const [row] = await db
        .insert(onboardingLinks)
        .values({ tokenHash: randomUUID(), label: 'test link', expiresAt: new Date(at.getTime() + 86_400_000), prefillPurgeAfter: new Date(at.getTime() + 86_400_000) })
        .returning({ id: onboardingLinks.id });
      return row!.id;
    },
    /** the record, its steps keyed by step (latest attempt) and its phone numbers */
    async read(recordId: string) {
      const o = await getOnboarding(deps, recordId);
      const steps = new Map<StepName, (typeof o.steps)[number]>();
      for (const s of o.steps) steps.set(s.step, s);
      return { ...o, step: steps };
    },
    /** decrypts a record's secret (test only) */
    secret: (recordId: string, purpose: 'waba_token' | 'registration_pin') =>
      useSecret(db, ring, { ownerType: 'onboarding', ownerId: recordId, purpose }, 'test_inspect', SYSTEM_ACTOR, async (v) => v),
    async vaultRows(recordId: string): Promise<number> {
      const r = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM vault_secrets WHERE owner_id = ${recordId}`);
      return r.rows[0]!.n;
    },
    async auditActions(recordId: string): Promise<string[]> {
      const r = await db.execute<{ action: string }>(sql`SELECT action FROM audit_events WHERE target_id = ${recordId} AND action LIKE 'onboarding.%' ORDER BY id`);
      return r.rows.map((x) => x.action);
    },
    /** every row of every table except vault_secrets, as text */
    async everyRowButVault(): Promise<string> {
      const tables = await db.execute<{ name: string }>(
        sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'vault_secrets'`,
      );
      let all = '';
      for (const { name } of tables.rows) {
        const rows = await db.execute<{ row: string }>(sql`SELECT t::text AS row FROM ${sql.identifier(name)} t`);
        all += rows.rows.map((r) => r.row).join('\n');
      }
      return all;
    },
    close: () => h.close(),
  };
}

/** The harness type. */
export type OnboardingHarness = Awaited<ReturnType<typeof startOnboardingHarness>>;
