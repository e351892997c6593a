/** SQL of a deletion request: what is erased beyond the account's own de-identification. */
import { and, eq, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import {
  auditPersonalValues,
  emailChanges,
  loginActivity,
  notificationIntents,
  notificationPreferences,
  notifications,
  onboardingLinks,
  onboardingRecords,
  outboxMails,
  privacyRequests,
  setupTokens,
} from '../../../db/schema.js';

const count = (r: { rowCount: number | null }) => r.rowCount ?? 0;

/** Deletes every sign-in attempt of the user, and attempts that typed their email. */
export async function deleteLoginActivityOf(ex: Executor, userId: string | null, email: string): Promise<number> {
  const conds = [sql`lower(${loginActivity.attemptedEmail}) = ${email}`];
  if (userId) conds.push(eq(loginActivity.userId, userId));
  return count(await ex.delete(loginActivity).where(or(...conds)));
}

/** Audit personal values naming this person that are not filed under their user id (e.g. a public requester's email). */
export async function deletePersonValuesByEmail(ex: Executor, email: string): Promise<number> {
  return count(await ex.delete(auditPersonalValues).where(and(ne(auditPersonalValues.subjectType, 'user'), sql`lower(${auditPersonalValues.value}) = ${email}`)));
}

/** Erases email, message and details of the person's other requests (their outcome and dates stay). */
export async function erasePersonalInOtherRequests(ex: Executor, keepId: string, userId: string | null, email: string, at: Date): Promise<number> {
  const who = [sql`lower(${privacyRequests.email}) = ${email}`];
  if (userId) who.push(eq(privacyRequests.subjectUserId, userId));
  return count(
    await ex
      .update(privacyRequests)
      .set({ email: null, message: null, details: {}, personalErasedAt: at, updatedAt: at })
      .where(and(ne(privacyRequests.id, keepId), or(...who))),
  );
}

/** Deletes pending email changes of the user. */
export async function deleteEmailChangesOf(ex: Executor, userId: string): Promise<number> {
  return count(await ex.delete(emailChanges).where(eq(emailChanges.userId, userId)));
}

/** Deletes the user's notifications, the intents about their own account and their mail preferences; returns the notifications deleted. */
export async function deleteNotificationsOf(ex: Executor, userId: string): Promise<number> {
  const n = count(await ex.delete(notifications).where(eq(notifications.userId, userId)));
  await ex.delete(notificationIntents).where(eq(notificationIntents.audienceUserId, userId));
  await ex.delete(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  return n;
}

/** Deletes outbox mails addressed to the person; in mails to others, their name and email become `pseudonym`. */
export async function eraseFromOutbox(ex: Executor, email: string, name: string | null, pseudonym: string): Promise<{ deleted: number; redacted: number }> {
  const deleted = count(await ex.delete(outboxMails).where(sql`lower(${outboxMails.to}) = ${email}`));
  let redacted = 0;
  for (const value of [email, name].filter((v): v is string => !!v && v.length >= 2)) {
    redacted += count(
      await ex
        .update(outboxMails)
        .set({ subject: sql`replace(${outboxMails.subject}, ${value}::text, ${pseudonym}::text)`, text: sql`replace(${outboxMails.text}, ${value}::text, ${pseudonym}::text)` })
        .where(or(sql`strpos(${outboxMails.text}, ${value}::text) > 0`, sql`strpos(${outboxMails.subject}, ${value}::text) > 0`)),
    );
  }
  return { deleted, redacted };
}

/** Deletes set-up links that named the email. */
export async function deleteSetupLinksOf(ex: Executor, email: string): Promise<number> {
  return count(await ex.delete(setupTokens).where(sql`lower(${setupTokens.email}) = ${email}`));
}

/** Clears the email prefilled in onboarding links for this person (the link itself is a business record). */
export async function clearLinkPrefillOf(ex: Executor, email: string): Promise<number> {
  return count(await ex.update(onboardingLinks).set({ email: null }).where(sql`lower(${onboardingLinks.email}) = ${email}`));
}

/** Removes a Meta user id from one onboarding record (login user and token user alike); true when something changed. */
export async function clearMetaUserOnRecord(ex: Executor, recordId: string, metaUserId: string, at: Date): Promise<boolean> {
  const r = await ex
    .update(onboardingRecords)
    .set({
      metaUserId: sql`CASE WHEN ${onboardingRecords.metaUserId} = ${metaUserId} THEN NULL ELSE ${onboardingRecords.metaUserId} END`,
      tokenUserId: sql`CASE WHEN ${onboardingRecords.tokenUserId} = ${metaUserId} THEN NULL ELSE ${onboardingRecords.tokenUserId} END`,
      updatedAt: at,
    })
    .where(and(eq(onboardingRecords.id, recordId), or(eq(onboardingRecords.metaUserId, metaUserId), eq(onboardingRecords.tokenUserId, metaUserId))));
  return count(r) > 0;
}
