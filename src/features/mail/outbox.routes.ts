/** The development outbox page's API: only while mail goes to the outbox (PUBLIC_URL http, no SMTP_URL). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../http/errors.js';
import type { Db } from '../../db/client.js';
import type { Mailer } from './mailer.js';
import { listOutbox } from './outbox.repo.js';
import { outboxPage, outboxQuery } from '../access/users.schemas.js';

/** Registers GET /api/v1/outbox. */
export async function outboxRoutes(app: FastifyInstance, deps: { db: Db; mailer: Mailer }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/outbox', {
    config: { action: 'outbox.read' },
    schema: { tags: ['outbox'], querystring: outboxQuery, response: { 200: outboxPage } },
  }, async (req) => {
    if (deps.mailer.mode !== 'outbox') throw new AppError('not_found', 'There is no outbox: mail is sent through SMTP_URL or not at all.');
    const rows = await listOutbox(deps.db, req.query.cursor ?? null, 51);
    const items = rows.slice(0, 50);
    return { items, nextCursor: rows.length > 50 ? String(items[items.length - 1]!.id) : null };
  });
}
