/**
 * The one error shape. AppErrors map to their status; schema validation to a 400 naming the field;
 * Fastify's own client errors (bad JSON, too large, wrong content type) to their 4xx; the database
 * being unreachable to a 503 with Retry-After (its storage being full or read-only to a 503 naming
 * that, storage_full / storage_read_only: 503 rather than 507, since for the client it is the same
 * "retry later" and 507 would blame the request's size); anything else to a 500 that carries only
 * the request id (the details go to the log, never to the client).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { databaseCause, databaseStorageProblem, isDatabaseUnavailable, type StorageProblem } from '../db/unavailable.js';
import { AppError, toProblem, type ErrorCode, type FieldError } from './errors.js';

function sendProblem(reply: FastifyReply, req: FastifyRequest, code: ErrorCode, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
  const problem = toProblem(code, detail, req.id, errors);
  if (headers) reply.headers(headers);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

function validationErrors(err: { validation: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[]; validationContext?: string }): FieldError[] {
  return err.validation.map((v) => {
    const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys)) {
      const keys = (v.params.keys as string[]).map((k) => (base ? `${base}.${k}` : k));
      return { path: keys.join(', '), message: 'is not a known field' };
    }
    return { path: base || (err.validationContext ?? 'body'), message: v.message ?? 'is invalid' };
  });
}

const STORAGE_DETAIL: Record<StorageProblem, string> = {
  storage_full: 'The database storage is full, so nothing can be saved right now; the administrator must free disk space. Try again later.',
  storage_read_only: 'The database storage is read-only, so nothing can be saved right now; the administrator must make it writable. Try again later.',
};

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

/** Installs the error and not-found handlers for the API. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      return sendProblem(reply, req, err.code, err.message, err.errors, err.headers);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = validationErrors(err);
      return sendProblem(reply, req, 'validation_failed', `Invalid ${errors.map((e) => e.path).join(', ')}`, errors);
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) {
      const detail = mapped === 'validation_failed' ? 'The request body is not valid JSON.' : err.message;
      return sendProblem(reply, req, mapped, detail, mapped === 'validation_failed' ? [{ path: 'body', message: detail }] : undefined);
    }
    if (err.statusCode === 429) return sendProblem(reply, req, 'rate_limited', 'Too many requests; try again later.');
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, req, 'validation_failed', 'The request could not be understood.', [{ path: 'request', message: 'is malformed' }]);
    }
    const storage = databaseStorageProblem(err);
    if (storage) {
      // The operator must act (free space, remount); the request wrote nothing. Logged as an error
      // so it reaches alerting; the driver's cause only (drizzle's message carries the parameters).
      req.log.error({ ...databaseCause(err), storage }, storage === 'storage_full' ? 'database storage is full: writes fail until disk space is freed' : 'database storage is read-only: writes fail until it is writable again');
      return sendProblem(reply, req, storage, STORAGE_DETAIL[storage], undefined, { 'retry-after': '30' });
    }
    if (isDatabaseUnavailable(err)) {
      // Not a bug: PostgreSQL is restarting, failing over or out of connections. Say so and when to
      // retry; the request wrote nothing (its transaction never committed).
      req.log.warn(databaseCause(err), 'database unavailable');
      return sendProblem(reply, req, 'unavailable', 'The database is unavailable right now; try again shortly.', undefined, { 'retry-after': '5' });
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, req, 'internal', `Something went wrong. Quote request id ${req.id} to your administrator.`);
  });
}

/** The problem for API paths that match no route. */
export function sendNotFound(req: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, req, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}`);
}
