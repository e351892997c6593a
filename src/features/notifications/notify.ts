/**
 * How producers raise a notification: `notify` writes an intent, in the caller's transaction when
 * there is one, so the notification exists exactly when the event committed. The dedupe key makes
 * repeats (the same webhook reprocessed, the scan finding the same token again) a no-op; the
 * `notifications.deliver` job fans intents out to their recipients and mails them.
 */
import type { Executor } from '../../db/client.js';
import { KIND_SPECS, type NotificationKind } from './notification-kinds.js';
import { insertIntent } from './notifications.repo.js';

export interface NotificationInput {
  kind: NotificationKind;
  /** what makes this occurrence unique within its kind (a record id and run, a request id, ...) */
  key: string;
  /** short texts shown in the app and mailed: never a secret, a token or a sign-in link */
  title: string;
  body: string;
  /** an in-app path of the thing concerned (the mail turns it into PUBLIC_URL + path) */
  link: string | null;
  /** the user a `self` kind is about */
  userId?: string;
}

/** The dedupe key an input is stored under. */
export const dedupeKeyOf = (n: Pick<NotificationInput, 'kind' | 'key'>) => `${n.kind}:${n.key}`;

/** Records a notification intent; false when this occurrence was already notified. */
export async function notify(ex: Executor, at: Date, n: NotificationInput): Promise<boolean> {
  const spec = KIND_SPECS[n.kind];
  if (spec.audience === 'self' && !n.userId) throw new Error(`notification ${n.kind} needs the user it is about`);
  return insertIntent(ex, {
    kind: n.kind,
    dedupeKey: dedupeKeyOf(n),
    audienceAction: spec.audience === 'self' ? null : spec.audience,
    audienceUserId: spec.audience === 'self' ? n.userId! : null,
    title: n.title.slice(0, 200),
    body: n.body.slice(0, 2000),
    link: n.link,
    createdAt: at,
  });
}
