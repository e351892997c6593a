/** Shapes privacy request rows into API responses (never the verification token hash). */
import type { z } from 'zod';
import { isFinal, urgencyOf, type RequestKind, type RequestSource } from '../request-states.js';
import type { PrivacyRequestRow } from './requests.repo.js';
import type { requestItem } from './requests.schemas.js';

/** The outcome as the API shows it (whatever else the row's outcome holds stays inside). */
export function presentOutcome(o: unknown): z.infer<typeof requestItem>['outcome'] {
  const v = (o ?? {}) as Record<string, unknown>;
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  const kept = Array.isArray(v.kept) ? (v.kept as { what?: unknown; why?: unknown }[]).filter((k) => typeof k?.what === 'string' && typeof k?.why === 'string') : [];
  return {
    deleted: strings(v.deleted),
    kept: kept.map((k) => ({ what: k.what as string, why: k.why as string })),
    ...(Array.isArray(v.corrected) ? { corrected: strings(v.corrected) } : {}),
    note: typeof v.note === 'string' ? v.note : null,
    pending: typeof v.pending === 'string' ? v.pending : null,
    export: v.export === true,
  };
}

/** One request as list rows show it. */
export function presentItem(r: PrivacyRequestRow, requester: string | null, now: Date): z.infer<typeof requestItem> {
  return {
    id: r.id,
    kind: r.kind as RequestKind,
    source: r.source as RequestSource,
    state: r.state,
    urgency: urgencyOf(r.state, r.dueAt, now),
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    completedAt: r.completedAt,
    extended: r.extendedAt !== null,
    verifiedHow: r.verifiedHow,
    requester,
    outcome: presentOutcome(r.outcome),
    rejectionReason: r.rejectionReason,
  };
}

/** "Name <email>", the email named, or the Meta origin. */
export function requesterLabel(r: PrivacyRequestRow, subject: { email: string | null; displayName: string | null } | null): string | null {
  if (subject?.email) return `${subject.displayName ?? ''} <${subject.email}>`.trim();
  if (r.email) return r.email;
  if (r.source === 'meta_callback') return 'Facebook user (Meta callback)';
  return null;
}

/** What may still be done to a request. */
export function actionsOn(r: PrivacyRequestRow) {
  const open = !isFinal(r.state);
  return {
    verify: r.state === 'received' || r.state === 'verifying',
    extend: open && r.extendedAt === null,
    reject: open,
    cancel: open,
    fulfil: r.state === 'in_progress' && r.verifiedAt !== null,
    download: r.kind === 'access' && r.state === 'completed' && r.subjectUserId !== null,
  };
}
