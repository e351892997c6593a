/**
 * Customer onboarding links: an owner or admin creates one for a customer who has no CRM account
 * (label and optional prefill — personal data, erased after its retention period). Only the
 * token's hash is kept. The link expires, can be revoked, and is used up only when an onboarding
 * through it reaches `connected` (the step engine marks it). Creating, opening, completing and
 * revoking are audited.
 */
import type { Db } from '../../../db/client.js';
import { decodeCursor, encodeCursor } from '../../../http/cursor.js';
import type { Clock } from '../../../lib/clock.js';
import { hashToken, newToken } from '../../../lib/tokens.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { AuditContext, PersonalValue } from '../../audit/audit.types.js';
import { OnboardingError } from '../onboarding.types.js';
import { findLink, findLinkByTokenHash, insertLink, listLinks, updateLink, type LinkListRow, type LinkRow } from './customer-links.repo.js';

/** What the link services need. */
export interface CustomerLinkDeps {
  db: Db;
  clock: Clock;
  publicUrl: URL;
  ttlDays: number;
  prefillRetentionDays: number;
}

/** A link's status at `now`. */
export type LinkStatus = 'active' | 'used' | 'revoked' | 'expired';

const DAY_MS = 86_400_000;

/** The status of a link at `now` (used wins over revoked wins over expired). */
export function linkStatus(l: LinkRow, now: Date): LinkStatus {
  if (l.usedAt) return 'used';
  if (l.revokedAt) return 'revoked';
  return l.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** The address a customer opens. */
export function linkUrl(publicUrl: URL, token: string): string {
  return new URL(`/onboard/${token}`, publicUrl).toString();
}

/** Input of a new link. */
export interface NewLink {
  label: string;
  businessName?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  expiresInDays?: number | undefined;
}

/** Creates a link; the URL (with the token) is returned once and never stored. */
export async function createLink(deps: CustomerLinkDeps, createdBy: string, input: NewLink, actor: AuditContext): Promise<{ link: LinkRow; url: string }> {
  const token = newToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + (input.expiresInDays ?? deps.ttlDays) * DAY_MS);
  return deps.db.transaction(async (tx) => {
    const link = await insertLink(tx, {
      tokenHash: hashToken(token),
      label: input.label,
      businessName: input.businessName ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      createdBy,
      createdAt: now,
      expiresAt,
      prefillPurgeAfter: new Date(expiresAt.getTime() + deps.prefillRetentionDays * DAY_MS),
    });
    const personal: PersonalValue[] = [];
    for (const field of ['businessName', 'email', 'phone'] as const) {
      const value = input[field];
      if (value) personal.push({ field, kind: 'value', subjectType: 'person', subjectId: link.id, value });
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'onboarding_link.created',
      targetType: 'onboarding_link',
      targetId: link.id,
      details: { expiresAt: expiresAt.toISOString(), prefill: personal.map((p) => p.field) },
      personal,
    });
    return { link, url: linkUrl(deps.publicUrl, token) };
  });
}

/** Revokes an active link. */
export async function revokeLink(deps: CustomerLinkDeps, id: string, actor: AuditContext): Promise<LinkRow> {
  return deps.db.transaction(async (tx) => {
    const link = await findLink(tx, id, true);
    if (!link) throw new OnboardingError('not_found', 'No such onboarding link.');
    const status = linkStatus(link, deps.clock.now());
    if (status !== 'active') throw new OnboardingError('conflict', `This link is ${status}; only an active link can be revoked.`);
    const row = await updateLink(tx, id, { revokedAt: deps.clock.now() });
    await recordAudit(tx, deps.clock, actor, { action: 'onboarding_link.revoked', targetType: 'onboarding_link', targetId: id, details: {} });
    return row;
  });
}

/** One link as the list shows it. */
export async function linkRow(deps: CustomerLinkDeps, id: string): Promise<LinkListRow> {
  const [row] = await listLinks(deps.db, { id, now: deps.clock.now(), limit: 1 });
  if (!row) throw new OnboardingError('not_found', 'No such onboarding link.');
  return row;
}

/** One page of links, newest first. */
export async function listLinksPage(
  deps: CustomerLinkDeps,
  f: { status?: LinkStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: LinkListRow[]; nextCursor: string | null }> {
  const after = f.cursor ? decodeCursor(f.cursor) : undefined;
  const rows = await listLinks(deps.db, { status: f.status, now: deps.clock.now(), after: after ? { createdAt: new Date(after.value ?? 0), id: after.id } : undefined, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: rows.length > f.limit && last ? encodeCursor(last.link.createdAt.toISOString(), last.link.id) : null };
}

/**
 * The link a token (from the address or the cookie) names, if it may be used now: active, or also
 * used when `allowUsed` (the customer's page may still read the result after connecting).
 */
export async function linkForToken(deps: CustomerLinkDeps, token: string | undefined, allowUsed = false): Promise<LinkRow | null> {
  if (!token || token.length > 200) return null;
  const link = await findLinkByTokenHash(deps.db, hashToken(token));
  if (!link) return null;
  const status = linkStatus(link, deps.clock.now());
  return status === 'active' || (allowUsed && status === 'used') ? link : null;
}

/** Records that a customer opened the link (the first time only is audited). */
export async function markOpened(deps: CustomerLinkDeps, link: LinkRow): Promise<void> {
  if (link.openedAt) return;
  await deps.db.transaction(async (tx) => {
    const locked = await findLink(tx, link.id, true);
    if (!locked || locked.openedAt) return;
    await updateLink(tx, link.id, { openedAt: deps.clock.now() });
    await recordAudit(tx, deps.clock, { actorType: 'customer', actorId: null, requestId: null }, { action: 'onboarding_link.opened', targetType: 'onboarding_link', targetId: link.id, details: {} });
  });
}
