/**
 * The onboarding engine's triggers against the Meta simulator over real HTTP: a customer link
 * completing, a token Meta refuses (190) and an expired token found by the refresh. Each is one
 * notification per owner and admin, however often the refresh or the scan finds it again; the
 * development outbox gets their mail.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config.js';
import { SEED } from '../../meta-simulator/index.js';
import { createUser } from '../../test-support/test-app.js';
import { useTestDatabase } from '../../test-support/test-db.js';
import type { UserRow } from '../access/users.repo.js';
import { createMailer } from '../mail/mailer.js';
import { refreshRecord } from '../onboarding/onboarding-refresh.js';
import { receiveCode, receiveSessionInfo, startAttempt } from '../onboarding/onboarding.service.js';
import { sessionEventSchema, SYSTEM_ACTOR } from '../onboarding/onboarding.types.js';
import { startOnboardingHarness, type OnboardingHarness } from '../onboarding/test-fixtures/onboarding-harness.js';
import { deliverNotifications } from './deliver.service.js';
import { scanTimeTriggers } from './scan.service.js';

const LS = SEED.luckyShrub;
const tdb = useTestDatabase();
let h: OnboardingHarness | undefined;
let owner: UserRow, admin: UserRow;

beforeAll(async () => {
  owner = await createUser(tdb.current.database, 'owner');
  admin = await createUser(tdb.current.database, 'admin');
  await createUser(tdb.current.database, 'operator');
  await createUser(tdb.current.database, 'viewer');
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await tdb.current.database.db.execute(sql`DELETE FROM notifications; DELETE FROM notification_intents; DELETE FROM outbox_mails`);
});

const db = () => tdb.current.database.db;

async function run(harness: OnboardingHarness) {
  const mailer = createMailer({ smtpUrl: undefined, secure: false, mailFrom: 'crm@example.test', meta: {} as Config['meta'] }, db());
  const deps = { db: db(), clock: harness.h.clock, mailer, publicUrl: new URL('http://127.0.0.1:3000') };
  await scanTimeTriggers(deps);
  await deliverNotifications(deps);
}

async function byKind(): Promise<Record<string, string[]>> {
  const r = await db().execute<{ kind: string; user_id: string }>(sql`SELECT kind, user_id FROM notifications ORDER BY kind, user_id`);
  const out: Record<string, string[]> = {};
  for (const row of r.rows) (out[row.kind] ??= []).push(row.user_id);
  return out;
}
const ownersAndAdmins = () => [owner.id, admin.id].sort();

/** Embedded Signup to `connected` through a customer link. */
async function connect(harness: OnboardingHarness, scenario?: 'token_expires_in_3_days') {
  const { attemptId } = await startAttempt(harness.deps, { linkId: await harness.linkId() });
  await receiveSessionInfo(harness.deps, attemptId, sessionEventSchema.parse({ event: 'FINISH', data: { waba_id: LS.wabaId, business_id: LS.businessId, phone_number_id: LS.phoneNumberId } }));
  const code = harness.mint({ businessId: LS.businessId, wabaId: LS.wabaId, phoneNumberId: LS.phoneNumberId, ...(scenario ? { scenario } : {}) });
  const out = await receiveCode(harness.deps, attemptId, code);
  expect(out.state).toBe('connected');
  return out.recordId;
}

describe('onboarding triggers', () => {
  it('a customer completing an onboarding link: one notification each to the owner and the admin, linking the record; mailed to the outbox', async () => {
    h = await startOnboardingHarness(tdb.current.database);
    const recordId = await connect(h);
    await run(h);
    await run(h);
    expect(await byKind()).toEqual({ 'link.completed': ownersAndAdmins() });
    const links = await db().execute<{ link: string }>(sql`SELECT DISTINCT link FROM notifications`);
    expect(links.rows).toEqual([{ link: `/onboarding/${recordId}` }]);
    const mails = await db().execute<{ to: string; subject: string; text: string }>(sql`SELECT "to", subject, text FROM outbox_mails ORDER BY "to"`);
    expect(mails.rows.map((m) => m.to)).toEqual([owner.email, admin.email].sort());
    expect(mails.rows[0]!.subject).toBe('A customer completed an onboarding link');
    expect(mails.rows[0]!.text).toContain(`http://127.0.0.1:3000/onboarding/${recordId}`);
    const token = await h.secret(recordId, 'waba_token');
    expect(mails.rows.map((m) => m.text).join('\n')).not.toContain(token);
  });

  it('a token Meta refuses (190) on refresh: one "refused" notification, also after a second refresh', async () => {
    h = await startOnboardingHarness(tdb.current.database);
    const recordId = await connect(h);
    expect(h.h.sim.revokeTokens({ wabaId: LS.wabaId }, 'app_removed')).toBe(1);
    await refreshRecord(h.deps, recordId, SYSTEM_ACTOR);
    await refreshRecord(h.deps, recordId, SYSTEM_ACTOR);
    await run(h);
    expect((await byKind())['token.refused']).toEqual(ownersAndAdmins());
    const body = await db().execute<{ body: string }>(sql`SELECT body FROM notifications WHERE kind = 'token.refused' LIMIT 1`);
    expect(body.rows[0]!.body).toContain('error 190');
  });

  it('a token expiring in 3 days: "expiring" from the scan; once expired, the refresh and the scan share one "expired" notice', async () => {
    h = await startOnboardingHarness(tdb.current.database);
    const recordId = await connect(h, 'token_expires_in_3_days');
    await run(h);
    expect((await byKind())['token.expiring']).toEqual(ownersAndAdmins());
    h.h.clock.advance(4 * 86_400_000);
    await refreshRecord(h.deps, recordId, SYSTEM_ACTOR);
    await run(h);
    h.h.clock.advance(86_400_000);
    await run(h);
    const kinds = await byKind();
    expect(kinds['token.expired']).toEqual(ownersAndAdmins());
    expect(kinds['token.expiring']).toEqual(ownersAndAdmins());
    expect(kinds['token.refused']).toBeUndefined();
  });
});
