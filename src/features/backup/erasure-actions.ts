/**
 * The erasure kinds a restore can apply again, and how. Each applier is idempotent (applying an
 * erasure twice, or one already reflected in the backup, changes nothing more) and works at the
 * repository level, inside the restore's transaction, with no HTTP caller.
 */
import { and, eq, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { auditPersonalValues, loginActivity, onboardingRecords, users } from '../../db/schema.js';
import { deidentifyUser, deleteUser } from '../../features/access/users-admin.repo.js';

export const ERASURE_SUBJECT_TYPES = ['user', 'meta_user', 'onboarding'] as const;
export type ErasureSubjectType = (typeof ERASURE_SUBJECT_TYPES)[number];

export const ERASURE_ACTIONS = ['user_deleted', 'login_activity', 'audit_personal_values', 'meta_user'] as const;
export type ErasureAction = (typeof ERASURE_ACTIONS)[number];

export interface ErasureEntry {
  id: number;
  at: Date;
  subjectType: ErasureSubjectType;
  subjectId: string;
  action: ErasureAction;
  details: Record<string, unknown>;
}

const uuid = z.uuid();

/** The same pseudonym users-admin.service's removeUser gives a removed user. */
export function removedUserPseudonym(userId: string): string {
  return `removed-user-${userId.replace(/-/g, '').slice(0, 12)}`;
}

interface Applier {
  /** subject types the action is recorded for */
  subjects: readonly ErasureSubjectType[];
  /** a reason the entry cannot be applied (checked for every entry before anything is written) */
  invalid?(e: Pick<ErasureEntry, 'subjectType' | 'subjectId' | 'details'>): string | null;
  apply(ex: Executor, e: ErasureEntry): Promise<number>;
}

const userSubject = (e: Pick<ErasureEntry, 'subjectId'>) => (uuid.safeParse(e.subjectId).success ? null : 'subject_id must be a user uuid');

export const ERASURE_APPLIERS: Record<ErasureAction, Applier> = {
  /**
   * The user was removed: de-identified the way the access feature removes a user (pseudonym,
   * no password, sessions, device locks, links and their audit personal values gone), and their
   * sign-in activity deleted. `details.deleted: true` records a user row deleted outright (a
   * never-accepted invitation).
   */
  user_deleted: {
    subjects: ['user'],
    invalid: userSubject,
    async apply(ex, e) {
      const [row] = await ex.select({ id: users.id }).from(users).where(eq(users.id, e.subjectId));
      if (!row) return 0;
      await ex.delete(loginActivity).where(eq(loginActivity.userId, e.subjectId));
      if (e.details.deleted === true) {
        await deleteUser(ex, e.subjectId);
        return 1;
      }
      await deidentifyUser(ex, e.subjectId, removedUserPseudonym(e.subjectId), e.at);
      return 1;
    },
  },
  /** The user's sign-in activity was deleted. */
  login_activity: {
    subjects: ['user'],
    invalid: userSubject,
    async apply(ex, e) {
      const r = await ex.delete(loginActivity).where(eq(loginActivity.userId, e.subjectId));
      return r.rowCount ?? 0;
    },
  },
  /**
   * A subject's personal values in the audit trail were deleted. They are filed under the audit
   * side table's own subject type: `details.auditSubjectType` when it differs from the entry's.
   */
  audit_personal_values: {
    subjects: ['user', 'meta_user', 'onboarding'],
    invalid: (e) => (e.details.auditSubjectType !== undefined && typeof e.details.auditSubjectType !== 'string' ? 'details.auditSubjectType must be text' : null),
    async apply(ex, e) {
      const type = typeof e.details.auditSubjectType === 'string' ? e.details.auditSubjectType : e.subjectType;
      const r = await ex.delete(auditPersonalValues).where(and(eq(auditPersonalValues.subjectType, type), eq(auditPersonalValues.subjectId, e.subjectId)));
      return r.rowCount ?? 0;
    },
  },
  /**
   * A Meta user's id was removed from the onboarding records holding it (login user and token
   * user alike), as the data deletion callback does. `details.recordIds` limits it to the records
   * the erasure touched (records under a legal hold were skipped then, so they are now).
   */
  meta_user: {
    subjects: ['meta_user'],
    invalid: (e) =>
      e.details.recordIds !== undefined && !(Array.isArray(e.details.recordIds) && e.details.recordIds.every((id) => uuid.safeParse(id).success))
        ? 'details.recordIds must be a list of record uuids'
        : null,
    async apply(ex, e) {
      const id = e.subjectId;
      const holding = or(eq(onboardingRecords.metaUserId, id), eq(onboardingRecords.tokenUserId, id));
      const only = Array.isArray(e.details.recordIds) ? (e.details.recordIds as string[]) : null;
      if (only && only.length === 0) return 0;
      const r = await ex
        .update(onboardingRecords)
        .set({
          metaUserId: sql`CASE WHEN ${onboardingRecords.metaUserId} = ${id} THEN NULL ELSE ${onboardingRecords.metaUserId} END`,
          tokenUserId: sql`CASE WHEN ${onboardingRecords.tokenUserId} = ${id} THEN NULL ELSE ${onboardingRecords.tokenUserId} END`,
          updatedAt: e.at,
        })
        .where(only ? and(holding, sql`${onboardingRecords.id} IN (${sql.join(only.map((x) => sql`${x}::uuid`), sql`, `)})`) : holding);
      return r.rowCount ?? 0;
    },
  },
};

/** Why an entry cannot be applied, or null. */
export function erasureProblem(e: { subjectType: string; subjectId: string; action: string; details: Record<string, unknown> }): string | null {
  if (!(ERASURE_ACTIONS as readonly string[]).includes(e.action)) return `unknown action "${e.action}" (this version applies: ${ERASURE_ACTIONS.join(', ')})`;
  const applier = ERASURE_APPLIERS[e.action as ErasureAction];
  if (!(applier.subjects as readonly string[]).includes(e.subjectType)) return `action ${e.action} is not recorded for subject type "${e.subjectType}"`;
  return applier.invalid?.(e as ErasureEntry) ?? null;
}
