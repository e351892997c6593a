/**
 * What leaves the server about onboarding records (docs/API-v1-onboarding.md): identifiers, states,
 * Meta's answers, token health — never a token, PIN or code (none is stored in these rows).
 */
import { z } from 'zod';
import { historyItemSchema, messageCountersSchema, metaStatusSchema, phoneMetaSchema, presentCounters, presentHistory, presentMetaStatus, presentPhoneMeta } from './onboarding-meta-status.js';
import type { CounterRow, HistoryRow, PhoneRow, RecordListRow, StepRow } from './onboarding.repo.js';

const metaError = z.object({ code: z.number().int().nullable(), subcode: z.number().int().nullable(), message: z.string().nullable(), fbtraceId: z.string().nullable() }).nullable();
const nullableString = z.string().nullable();

/** The outcome of an operation on a record. */
export const outcomeSchema = z.object({ recordId: z.uuid(), state: z.string(), reason: nullableString });

const phoneSummary = z.object({ phoneNumberId: z.string(), displayPhoneNumber: nullableString, verifiedName: nullableString, qualityRating: nullableString, status: nullableString });
const phoneDetail = phoneSummary.extend({
  codeVerificationStatus: nullableString,
  nameStatus: nullableString,
  platformType: nullableString,
  throughput: nullableString,
  lookedUpAt: z.date(),
  /** what Meta reported about the number by webhook (name decision, quality event) */
  meta: phoneMetaSchema,
  /** counts of `messages` webhook events for the number (never their content) */
  messages: messageCountersSchema,
});

const listItemShape = {
  id: z.uuid(),
  state: z.string(),
  reason: nullableString,
  via: z.enum(['staff', 'link']),
  startedBy: z.object({ id: z.uuid(), displayName: z.string() }).nullable(),
  link: z.object({ id: z.uuid(), label: z.string() }).nullable(),
  businessId: nullableString,
  businessName: nullableString,
  wabaId: nullableString,
  wabaName: nullableString,
  phoneNumbers: z.array(phoneSummary),
  createdAt: z.date(),
  updatedAt: z.date(),
  connectedAt: z.date().nullable(),
  disconnectedAt: z.date().nullable(),
};

/** One row of the records list. */
export const recordListItemSchema = z.object(listItemShape);
/** GET /onboarding. */
export const recordListSchema = z.object({ items: z.array(recordListItemSchema), nextCursor: nullableString });

/** GET /onboarding/:id. */
export const recordDetailSchema = z.object({
  record: z.object({
    ...listItemShape,
    phoneNumberId: nullableString,
    sessionEvent: nullableString,
    abandonedStep: nullableString,
    token: z.object({ type: nullableString, expiresAt: z.date().nullable(), scopes: z.unknown(), verifiedAt: z.date().nullable(), stored: z.boolean() }),
    webhook: z.object({ subscribed: z.boolean(), at: z.date().nullable() }),
    registrationPin: z.object({ stored: z.boolean(), revealable: z.boolean() }),
    error: metaError,
    run: z.number().int(),
    metaStatus: metaStatusSchema,
  }),
  steps: z.array(
    z.object({
      run: z.number().int(),
      step: z.string(),
      status: z.string(),
      attempt: z.number().int(),
      startedAt: z.date().nullable(),
      finishedAt: z.date().nullable(),
      durationMs: z.number().int().nullable(),
      error: metaError,
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  phoneNumbers: z.array(phoneDetail),
  /** the latest history lines (at most 100), newest first */
  history: z.array(historyItemSchema),
});

type ErrorCols = { errorCode: number | null; errorSubcode: number | null; errorMessage: string | null; errorFbtraceId: string | null };
const errorOf = (r: ErrorCols) => (r.errorCode === null && r.errorMessage === null ? null : { code: r.errorCode, subcode: r.errorSubcode, message: r.errorMessage, fbtraceId: r.errorFbtraceId });

const phoneSummaryOf = (p: PhoneRow) => ({ phoneNumberId: p.phoneNumberId, displayPhoneNumber: p.displayPhoneNumber, verifiedName: p.verifiedName, qualityRating: p.qualityRating, status: p.status });

/** A list row as the API shows it. */
export function presentListItem(row: RecordListRow, phones: PhoneRow[]): z.input<typeof recordListItemSchema> {
  const r = row.record;
  return {
    id: r.id,
    state: r.state,
    reason: r.reason,
    via: r.linkId ? 'link' : 'staff',
    startedBy: r.startedBy && row.startedByName !== null ? { id: r.startedBy, displayName: row.startedByName } : null,
    link: r.linkId && row.linkLabel !== null ? { id: r.linkId, label: row.linkLabel } : null,
    businessId: r.businessId,
    businessName: r.businessName,
    wabaId: r.wabaId,
    wabaName: r.wabaName,
    phoneNumbers: phones.map(phoneSummaryOf),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    connectedAt: r.connectedAt,
    disconnectedAt: r.disconnectedAt,
  };
}

/** The detail view of a record. */
export function presentDetail(
  row: RecordListRow,
  steps: StepRow[],
  phones: PhoneRow[],
  vault: { token: boolean; pin: boolean },
  reports: { history: HistoryRow[]; counters: Map<string, CounterRow[]> },
): z.input<typeof recordDetailSchema> {
  const r = row.record;
  const subscribed = [...steps].reverse().find((s) => s.run === r.run && s.step === 'subscribe' && s.status === 'succeeded');
  return {
    record: {
      ...presentListItem(row, phones),
      phoneNumberId: r.phoneNumberId,
      sessionEvent: r.sessionEvent,
      abandonedStep: r.abandonedStep,
      token: { type: r.tokenType, expiresAt: r.tokenExpiresAt, scopes: r.tokenScopes, verifiedAt: r.tokenVerifiedAt, stored: vault.token },
      webhook: { subscribed: !!subscribed && r.state !== 'disconnected', at: subscribed?.finishedAt ?? null },
      registrationPin: { stored: vault.pin, revealable: vault.pin && r.pinRevealedAt === null },
      error: errorOf(r),
      run: r.run,
      metaStatus: presentMetaStatus(r),
    },
    steps: steps.map((s) => ({ run: s.run, step: s.step, status: s.status, attempt: s.attempt, startedAt: s.startedAt, finishedAt: s.finishedAt, durationMs: s.durationMs, error: errorOf(s), detail: (s.detail ?? {}) as Record<string, unknown> })),
    phoneNumbers: phones.map((p) => ({
      ...phoneSummaryOf(p),
      codeVerificationStatus: p.codeVerificationStatus,
      nameStatus: p.nameStatus,
      platformType: p.platformType,
      throughput: p.throughput,
      lookedUpAt: p.lookedUpAt,
      meta: presentPhoneMeta(r.metaStatus, p.phoneNumberId),
      messages: presentCounters(reports.counters.get(p.phoneNumberId) ?? []),
    })),
    history: reports.history.map(presentHistory),
  };
}
