/**
 * Routes: the privacy request queue (/api/v1/privacy-requests, owners and admins) and "My data"
 * (/api/v1/me/privacy-requests, every signed-in user).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { decodeCursor, encodeCursor } from '../../../http/cursor.js';
import { AppError } from '../../../http/errors.js';
import type { AccessDeps } from '../../access/access.deps.js';
import { presentUser } from '../../access/access.presenters.js';
import { userEnvelope } from '../../access/access.schemas.js';
import { findUserById } from '../../access/users.repo.js';
import type { AccessExport } from './access-export.js';
import { confirmEmailChange } from './correction.js';
import { downloadExport, fileOwnAndFulfil, fulfilRequest } from './fulfil.service.js';
import { actionsOn, presentItem, requesterLabel } from './requests.present.js';
import { auditTrailOf, findRequest, listQueue, namesOf, ownRequests } from './requests.repo.js';
import {
  confirmEmailBody,
  exportQuery,
  onBehalfBody,
  optionalReasonBody,
  ownList,
  ownRequestBody,
  queuePage,
  queueQuery,
  reasonBody,
  requestDetail,
  requestEnvelope,
  requestIdParams,
} from './requests.schemas.js';
import { cancelRequest, extendRequest, fileOnBehalf, rejectRequest, verifyManually } from './requests.service.js';
import { fileDownload } from '../../../http/schemas.js';

/** Sends an export as a download: the JSON, or the plain-text summary. */
function sendExport(reply: FastifyReply, data: AccessExport, format: 'json' | 'text') {
  const day = data.generatedAt.toISOString().slice(0, 10);
  reply.header('cache-control', 'no-store');
  if (format === 'text') {
    reply.header('content-disposition', `attachment; filename="my-data-${day}.txt"`).type('text/plain; charset=utf-8');
    return reply.send(data.summary);
  }
  reply.header('content-disposition', `attachment; filename="my-data-${day}.json"`).type('application/json; charset=utf-8');
  return reply.send(JSON.stringify(data, null, 2));
}

/** Registers the queue and "My data" routes. */
export async function privacyRequestRoutes(app: FastifyInstance, deps: { access: AccessDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { access } = deps;
  const now = () => access.clock.now();
  const item = async (id: string) => {
    const row = (await findRequest(access.db, id))!;
    const subject = row.subjectUserId ? await findUserById(access.db, row.subjectUserId) : undefined;
    return presentItem(row, requesterLabel(row, subject ?? null), now());
  };

  // --- the queue (owners, admins) ---------------------------------------------------------------

  r.get('/api/v1/privacy-requests', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], querystring: queueQuery, response: { 200: queuePage } },
  }, async (req) => {
    const q = req.query;
    const rows = await listQueue(access.db, {
      state: q.state,
      kind: q.kind,
      source: q.source,
      urgency: q.urgency,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: q.limit + 1,
      now: now(),
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((x) => presentItem(x.request, requesterLabel(x.request, { email: x.subjectEmail, displayName: x.subjectName }), now())),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.request.dueAt.toISOString(), last.request.id) : null,
    };
  });

  r.get('/api/v1/privacy-requests/:id', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, response: { 200: requestDetail } },
  }, async (req) => {
    const row = await findRequest(access.db, req.params.id);
    if (!row) throw new AppError('not_found', 'No such privacy request.');
    const subject = row.subjectUserId ? await findUserById(access.db, row.subjectUserId) : undefined;
    const trail = await auditTrailOf(access.db, row.id);
    const names = await namesOf(access.db, [...new Set([row.createdBy, ...trail.map((t) => t.actorId)].filter((x): x is string => !!x))]);
    return {
      request: {
        ...presentItem(row, requesterLabel(row, subject ?? null), now()),
        email: row.email,
        message: row.message,
        details: row.details as Record<string, unknown>,
        personalErased: row.personalErasedAt !== null,
        subject: subject ? { id: subject.id, email: subject.email, displayName: subject.displayName, status: subject.status } : null,
        createdBy: row.createdBy ? { id: row.createdBy, displayName: names.get(row.createdBy) ?? row.createdBy } : null,
        confirmationCode: row.source === 'public_form' || row.source === 'meta_callback' ? row.confirmationCode : null,
        verifiedAt: row.verifiedAt,
        verifyReason: row.verifyReason,
        extendedAt: row.extendedAt,
        extensionReason: row.extensionReason,
        metaOriginated: row.source === 'meta_callback',
      },
      trail: trail.map((t) => ({
        at: t.at,
        action: t.action,
        actorType: t.actorType,
        actor: t.actorId ? (names.get(t.actorId) ?? t.actorId) : null,
        details: t.details as Record<string, unknown>,
      })),
      can: actionsOn(row),
    };
  });

  r.post('/api/v1/privacy-requests', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], body: onBehalfBody, response: { 201: requestEnvelope } },
  }, async (req, reply) => {
    const row = await fileOnBehalf(access, req.caller!, req.body);
    return reply.status(201).send({ request: await item(row.id) });
  });

  r.post('/api/v1/privacy-requests/:id/verify', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, body: reasonBody, response: { 200: requestEnvelope } },
  }, async (req) => {
    await verifyManually(access, req.caller!, req.params.id, req.body.reason);
    return { request: await item(req.params.id) };
  });

  r.post('/api/v1/privacy-requests/:id/extend', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, body: reasonBody, response: { 200: requestEnvelope } },
  }, async (req) => {
    await extendRequest(access, req.caller!, req.params.id, req.body.reason);
    return { request: await item(req.params.id) };
  });

  r.post('/api/v1/privacy-requests/:id/reject', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, body: reasonBody, response: { 200: requestEnvelope } },
  }, async (req) => {
    await rejectRequest(access, req.caller!, req.params.id, req.body.reason);
    return { request: await item(req.params.id) };
  });

  r.post('/api/v1/privacy-requests/:id/cancel', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, body: optionalReasonBody, response: { 200: requestEnvelope } },
  }, async (req) => {
    await cancelRequest(access, req.caller!, req.params.id, 'admin');
    return { request: await item(req.params.id) };
  });

  r.post('/api/v1/privacy-requests/:id/fulfil', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, body: optionalReasonBody, response: { 200: requestEnvelope } },
  }, async (req) => {
    await fulfilRequest(access, req.caller!, req.params.id, { reason: req.body.reason });
    return { request: await item(req.params.id) };
  });

  r.get('/api/v1/privacy-requests/:id/export', {
    config: { action: 'privacy.manage' },
    schema: { tags: ['privacy'], params: requestIdParams, querystring: exportQuery, response: { 200: fileDownload } },
  }, async (req, reply) => sendExport(reply, await downloadExport(access, req.caller!, req.params.id, 'admin', req.query.format), req.query.format));

  // --- My data (every signed-in user, about themselves) ------------------------------------------

  r.get('/api/v1/me/privacy-requests', {
    config: { action: 'self.privacy' },
    schema: { tags: ['me'], response: { 200: ownList } },
  }, async (req) => ({ items: (await ownRequests(access.db, req.caller!.user.id)).map((row) => presentItem(row, null, now())) }));

  r.post('/api/v1/me/privacy-requests', {
    config: { action: 'self.privacy' },
    schema: { tags: ['me'], body: ownRequestBody, response: { 201: requestEnvelope } },
  }, async (req, reply) => {
    // a new email needs its confirmation mail: refuse before filing rather than leave a request behind
    if (req.body.correction?.email) access.mailer.assertAvailable();
    // the session verified the requester: a copy of their own data, and a change of their own name
    // or email (the email still confirmed at the new address), need no one else (one transaction)
    const row = await fileOwnAndFulfil(access, req.caller!, req.body);
    return reply.status(201).send({ request: await item(row.id) });
  });

  r.post('/api/v1/me/privacy-requests/:id/cancel', {
    config: { action: 'self.privacy' },
    schema: { tags: ['me'], params: requestIdParams, response: { 200: requestEnvelope } },
  }, async (req) => {
    await cancelRequest(access, req.caller!, req.params.id, 'requester');
    return { request: await item(req.params.id) };
  });

  r.get('/api/v1/me/privacy-requests/:id/export', {
    config: { action: 'self.privacy' },
    schema: { tags: ['me'], params: requestIdParams, querystring: exportQuery, response: { 200: fileDownload } },
  }, async (req, reply) => sendExport(reply, await downloadExport(access, req.caller!, req.params.id, 'subject', req.query.format), req.query.format));

  r.post('/api/v1/me/email-change/confirm', {
    config: { action: 'self.privacy' },
    schema: { tags: ['me'], body: confirmEmailBody, response: { 200: userEnvelope } },
  }, async (req) => ({ user: presentUser(await confirmEmailChange(access, req.caller!, req.body.token)) }));
}
