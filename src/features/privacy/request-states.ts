/**
 * The privacy request life cycle (contract.md states) as data: which transitions exist, and the
 * legal clock (due one month from receipt, extendable once by two months). Every module that moves
 * a request (public form, "My data", the admin queue, Meta's callback) goes through `canMove`.
 */
export const REQUEST_STATES = ['received', 'verifying', 'in_progress', 'completed', 'rejected', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_KINDS = ['access', 'correction', 'deletion'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_SOURCES = ['self', 'public_form', 'meta_callback', 'admin'] as const;
export type RequestSource = (typeof REQUEST_SOURCES)[number];

/** How a request was verified. An unverified request never releases or changes data. */
export const VERIFIED_HOW = ['session', 'email_link', 'meta_signature', 'admin'] as const;
export type VerifiedHow = (typeof VERIFIED_HOW)[number];

/**
 * Allowed moves. `received`: filed, not yet asked to verify; `verifying`: a verification link is
 * out; `in_progress`: verified, being worked; the last three are final.
 */
const MOVES: Record<RequestState, readonly RequestState[]> = {
  received: ['verifying', 'in_progress', 'rejected', 'cancelled'],
  verifying: ['in_progress', 'rejected', 'cancelled'],
  in_progress: ['completed', 'rejected', 'cancelled'],
  completed: [],
  rejected: [],
  cancelled: [],
};

export const isFinal = (s: RequestState): boolean => MOVES[s].length === 0;

export function canMove(from: RequestState, to: RequestState): boolean {
  return MOVES[from].includes(to);
}

/** Adds calendar months in UTC, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** Due one month from receipt. */
export const dueDateOf = (receivedAt: Date): Date => addMonths(receivedAt, 1);

/** The one extension: two more months from the current due date. */
export const extendedDueDate = (dueAt: Date): Date => addMonths(dueAt, 2);

/** Due within this many days counts as "due soon" in the queue. */
export const DUE_SOON_DAYS = 7;

export type Urgency = 'overdue' | 'due_soon' | 'on_time' | 'closed';

export function urgencyOf(state: RequestState, dueAt: Date, now: Date): Urgency {
  if (isFinal(state)) return 'closed';
  if (dueAt.getTime() < now.getTime()) return 'overdue';
  if (dueAt.getTime() - now.getTime() <= DUE_SOON_DAYS * 86_400_000) return 'due_soon';
  return 'on_time';
}
