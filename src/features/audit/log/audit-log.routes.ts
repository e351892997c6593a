/**
 * Routes of the audit log viewer (owners and admins: `audit.read`): the filtered list, one event's
 * detail, the known actions, and the streamed CSV / JSON lines export.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { knownActions } from './audit-action-labels.js';
import { actionList, eventDetail, eventPage, eventParams, exportQuery, listQuery } from './audit-log.schemas.js';
import { exportAuditChunks, exportFileName, getAuditEvent, listAuditPage, recordAuditExport, type AuditLogDeps } from './audit-log.service.js';
import { fileDownload } from '../../../http/schemas.js';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' } as const;

/** Registers /api/v1/audit/... */
export async function auditLogRoutes(app: FastifyInstance, deps: { audit: AuditLogDeps }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const d = deps.audit;
  const tags = ['audit'];

  r.get('/api/v1/audit/events', {
    config: { action: 'audit.read' },
    schema: { tags, querystring: listQuery, response: { 200: eventPage } },
  }, async (req) => listAuditPage(d, req.query));

  r.get('/api/v1/audit/events/:id', {
    config: { action: 'audit.read' },
    schema: { tags, params: eventParams, response: { 200: eventDetail } },
  }, async (req) => getAuditEvent(d, req.params.id));

  r.get('/api/v1/audit/actions', {
    config: { action: 'audit.read' },
    schema: { tags, response: { 200: actionList } },
  }, async () => ({ items: knownActions() }));

  r.get('/api/v1/audit/export', {
    config: { action: 'audit.read' },
    schema: { tags, querystring: exportQuery, response: { 200: fileDownload } },
  }, async (req, reply) => {
    const { format, ...filters } = req.query;
    await recordAuditExport(d, req.caller!, req.query);
    // pulled by the socket: one batch is read only when the previous one has been written out
    const body = Readable.from(exportAuditChunks(d, filters, format), { objectMode: true, highWaterMark: 1 });
    return reply
      .header('content-type', CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="${exportFileName(filters, format, d.clock.now())}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
