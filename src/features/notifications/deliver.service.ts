/**
 * Delivery: pending intents fan out to their recipients (role audience through the permission
 * table, or the one user), then waiting mails go out through the mailer. Both steps claim rows with
 * SKIP LOCKED, and the unique (dedupe key, user) key backs them up, so several instances running
 * the job at once deliver each notification once. A mail is marked `sending` before the mailer is
 * called: a crash mid-send loses that mail rather than sending it twice.
 */
import { recordAudit } from '../audit/audit.service.js';
import { ROLES, roleMay } from '../access/permissions.js';
import { CATEGORY_SPECS, isNotificationKind, KIND_SPECS } from './notification-kinds.js';
import type { NotificationDeps } from './notifications.deps.js';
import { claimMails, claimPendingIntents, fanOutIntent, finishMail, markIntentDelivered, type MailClaim } from './notifications.repo.js';

const INTENT_BATCH = 100;
const MAIL_BATCH = 20;

export interface DeliverySummary {
  intents: number;
  notifications: number;
  mailed: number;
  mailFailed: number;
}

/** Fans out every pending intent, then sends every waiting mail. */
export async function deliverNotifications(deps: NotificationDeps): Promise<DeliverySummary> {
  const summary: DeliverySummary = { intents: 0, notifications: 0, mailed: 0, mailFailed: 0 };
  for (;;) {
    const done = await deps.db.transaction(async (tx) => {
      const intents = await claimPendingIntents(tx, INTENT_BATCH);
      const now = deps.clock.now();
      for (const intent of intents) {
        if (isNotificationKind(intent.kind)) {
          const spec = KIND_SPECS[intent.kind];
          const roles = spec.audience === 'self' ? null : ROLES.filter((r) => roleMay(r, spec.audience as Exclude<typeof spec.audience, 'self'>));
          const users = await fanOutIntent(tx, intent, { category: spec.category, roles, mailLocked: CATEGORY_SPECS[spec.category].locked });
          summary.notifications += users.length;
          // security notices about a user's own account are part of the audit trail
          if (spec.category === 'security') {
            for (const userId of users) {
              await recordAudit(tx, deps.clock, { actorType: 'system', actorId: null, requestId: null }, {
                action: 'notification.security_sent',
                targetType: 'user',
                targetId: userId,
                details: { kind: intent.kind },
              });
            }
          }
        }
        await markIntentDelivered(tx, intent.id, now);
      }
      summary.intents += intents.length;
      return intents.length < INTENT_BATCH;
    });
    if (done) break;
  }
  for (;;) {
    const claims = await claimMails(deps.db, MAIL_BATCH, deps.clock.now());
    for (const c of claims) {
      const error = await sendOne(deps, c);
      await finishMail(deps.db, c.id, { state: error === null ? 'sent' : error === NOT_CONFIGURED ? 'skipped' : 'failed', error, at: deps.clock.now() });
      if (error === null) summary.mailed++;
      else summary.mailFailed++;
    }
    if (claims.length < MAIL_BATCH) break;
  }
  if (summary.intents > 0 || summary.mailFailed > 0) deps.logger?.info({ notifications: summary }, 'notifications delivered');
  return summary;
}

const NOT_CONFIGURED = 'mail is not configured (SMTP_URL)';

/** Sends one notification mail; null when delivered, else a short secret-free reason. */
async function sendOne(deps: NotificationDeps, c: MailClaim): Promise<string | null> {
  if (deps.mailer.mode === 'none') return NOT_CONFIGURED;
  try {
    return await deps.mailer.send({ to: c.email, subject: c.title, text: mailText(deps.publicUrl, c) });
  } catch {
    return 'the mail could not be sent';
  }
}

/** The mail body: the notification's text and the page to open (sign-in still required there). */
export function mailText(publicUrl: URL, c: Pick<MailClaim, 'body' | 'link'>): string {
  const lines = [c.body, ''];
  if (c.link) lines.push(`Open it in the app (you will be asked to sign in): ${new URL(c.link, publicUrl).toString()}`, '');
  lines.push(`Choose which notifications you get by mail under "My account": ${new URL('/account', publicUrl).toString()}`);
  return lines.join('\n');
}
