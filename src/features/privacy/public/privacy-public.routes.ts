/**
 * The public privacy pages (no sign-in, server-rendered, no JavaScript needed):
 *   GET  /privacy                 the policy (PRIVACY_POLICY_FILE, or the project's default text)
 *   GET  /data-deletion           how to ask for deletion, and the request form
 *   POST /data-deletion           the form (urlencoded): opens a request and mails a confirmation link
 *   GET  /data-deletion/verify    the mailed link's page: a "Confirm my request" button, nothing changes
 *   POST /data-deletion/verify    confirms (single use, 24 hours); then shows the status link
 * All in one encapsulated scope, which adds the form parser and renders refusals as HTML pages for
 * browsers (Accept: text/html, as every navigation and form post sends); other clients get the
 * API's problem+json from the app's error handler.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../../http/errors.js';
import { normalisedEmailOf, parseDeletionForm, validateDeletionForm } from './deletion-form.js';
import { checkFormPost, issueFormToken, type FormGuardSettings } from './form-guard.js';
import { renderPolicyMarkdown } from './markdown.js';
import { loadPolicySource } from './policy-source.js';
import { renderDeletionPage, renderLinkUnusablePage, renderPrivacyPage, renderProblemPage, renderRequestSentPage, renderVerifiedPage, renderVerifyPage } from './public-pages.js';
import { isVerifyLinkUsable, LINK_UNUSABLE, openPublicDeletion, verifyByLink, type PublicRequestDeps } from './public-requests.service.js';

export interface PrivacyPublicDeps extends PublicRequestDeps {
  /** PUBLIC_URL is https */
  secure: boolean;
  /** CONTACT_EMAIL */
  contactEmail: string | undefined;
  /** PRIVACY_POLICY_FILE (unset: the project's default text) */
  privacyPolicyFile: string | undefined;
  /** HMAC key of the forms' anti-forgery field (key ring: derive('privacy-form')) */
  formKey: Buffer;
}

/** A form is a few fields: a small limit keeps abusive bodies out. */
const FORM_LIMIT = 16 * 1024;
const MINUTE = 60_000;
/** Page views per IP (the pages are cheap; this only stops floods). */
export const PAGE_LIMIT = { max: 60, timeWindow: MINUTE };
/** Deletion requests per IP: each one sends a mail. */
export const FORM_IP_LIMIT = { max: 10, timeWindow: 15 * MINUTE };
/** Deletion requests per email address, whatever the IP: a mailbox is not flooded with links. */
export const FORM_EMAIL_LIMIT = { max: 3, timeWindow: 60 * MINUTE };
/** Confirmations per IP (tokens have 256 bits: this is flood control, not brute-force defence). */
const VERIFY_LIMIT = { max: 20, timeWindow: 15 * MINUTE };

const tooMany = () => new AppError('rate_limited', 'Too many requests from here or for this email address. Wait a while and try again.');

const PROBLEM_TITLE: Partial<Record<ErrorCode, string>> = {
  rate_limited: 'Too many requests',
  csrf_failed: 'Form not accepted',
  unavailable: 'Not available right now',
  payload_too_large: 'Form too large',
  unsupported_media_type: 'Form not understood',
  validation_failed: 'Request not understood',
};

/** Keeps the urlencoded body as URLSearchParams (this scope only). */
function parseForm(_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  done(null, new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')));
}

const formOf = (body: unknown): URLSearchParams => (body instanceof URLSearchParams ? body : new URLSearchParams());

const wantsHtml = (req: FastifyRequest) => String(req.headers.accept ?? '').includes('text/html');

/** Before anything else on a POST: only a form is read here (JSON and others: 415). */
function requireForm(req: FastifyRequest): void {
  if (!(req.body instanceof URLSearchParams)) throw new AppError('unsupported_media_type', 'Send the form as application/x-www-form-urlencoded, from its page on this site.');
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(html);
}

/** Per-email limit key: a hash of the normalised address, so the limiter's memory holds no emails. */
function emailKey(req: FastifyRequest): string {
  const email = normalisedEmailOf(formOf(req.body).get('email') ?? '');
  return `privacy-form:${createHash('sha256').update(email ?? '').digest('hex')}`;
}

async function publicPages(app: FastifyInstance, deps: PrivacyPublicDeps): Promise<void> {
  // Read and rendered once at start-up: a bad PRIVACY_POLICY_FILE stops the app here (ConfigError).
  const policyHtml = renderPolicyMarkdown(loadPolicySource(deps.privacyPolicyFile).markdown);
  const guard: FormGuardSettings = { publicOrigin: deps.publicUrl.origin, secure: deps.secure, key: deps.formKey };
  const contact = deps.contactEmail;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, parseForm);

  // People reach these routes with a browser: a refusal is a page. Other clients: rethrown, so the
  // app's error handler answers with its problem+json.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (!wantsHtml(req)) throw err;
    if (err instanceof AppError) {
      if (err.code === 'setup_token_invalid') return sendHtml(reply, err.status, renderLinkUnusablePage(err.message, contact));
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      return sendHtml(reply, err.status, renderProblemPage(PROBLEM_TITLE[err.code] ?? 'Request refused', err.message, contact));
    }
    if (err.statusCode === 429) return sendHtml(reply, 429, renderProblemPage('Too many requests', tooMany().message, contact));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendHtml(reply, 413, renderProblemPage('Form too large', 'The form was larger than this page accepts.', contact));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendHtml(reply, 415, renderProblemPage('Form not understood', 'Send the form from its page on this site.', contact));
    if (hasZodFastifySchemaValidationErrors(err) || (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)) {
      return sendHtml(reply, 400, renderProblemPage('Request not understood', 'The address or form was malformed.', contact));
    }
    req.log.error({ err }, 'unhandled error');
    return sendHtml(reply, 500, renderProblemPage('Something went wrong', `Please try again later. Quote request id ${req.id} if you contact us.`, contact));
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  const pageLimit = { ...PAGE_LIMIT, errorResponseBuilder: tooMany };
  // A second limiter on the same route: the plugin runs only one route-level limiter per request, so
  // this one is called by hand (createRateLimit) after the form is parsed. Invalid emails are not
  // counted: the form re-renders without doing anything.
  const emailLimiter = app.createRateLimit({ ...FORM_EMAIL_LIMIT, keyGenerator: emailKey });
  const perEmail = async (req: FastifyRequest, reply: FastifyReply) => {
    if (normalisedEmailOf(formOf(req.body).get('email') ?? '') === null) return;
    const limit = await emailLimiter(req);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.header('retry-after', String(limit.ttlInSeconds));
      throw tooMany();
    }
  };

  r.get('/privacy', { config: { action: 'public.privacy_pages', rateLimit: pageLimit }, schema: { hide: true } }, async (_req, reply) =>
    sendHtml(reply, 200, renderPrivacyPage(policyHtml, contact)),
  );

  r.get('/data-deletion', { config: { action: 'public.privacy_pages', rateLimit: pageLimit }, schema: { hide: true } }, async (req, reply) =>
    sendHtml(reply, 200, renderDeletionPage({ formToken: issueFormToken(guard, req, reply), contactEmail: contact })),
  );

  r.post('/data-deletion', {
    bodyLimit: FORM_LIMIT,
    config: { action: 'public.privacy_pages', rateLimit: { ...FORM_IP_LIMIT, errorResponseBuilder: tooMany } },
    schema: { hide: true },
    // Forgery first (a forged post must not spend the victim's per-email quota), then the per-email limit.
    preValidation: async (req) => {
      requireForm(req);
      checkFormPost(guard, req, formOf(req.body).get('form_token') ?? '');
    },
    preHandler: perEmail,
  }, async (req, reply) => {
    const input = parseDeletionForm(formOf(req.body));
    const checked = validateDeletionForm(input);
    if (!checked.ok) {
      if (!wantsHtml(req)) {
        const errors = Object.entries(checked.errors).map(([path, message]) => ({ path, message }));
        throw new AppError('validation_failed', `Invalid ${errors.map((e) => e.path).join(', ')}`, errors);
      }
      return sendHtml(reply, 400, renderDeletionPage({ formToken: issueFormToken(guard, req, reply), contactEmail: contact, values: input, errors: checked.errors }));
    }
    const sent = await openPublicDeletion(deps, checked.form, req.id);
    if (!sent.delivered) {
      req.log.warn({ reason: sent.error }, 'privacy request verification mail not delivered');
      throw new AppError('unavailable', 'We could not send the confirmation mail just now. Please try again later.');
    }
    return sendHtml(reply, 200, renderRequestSentPage(contact));
  });

  r.get('/data-deletion/verify', {
    config: { action: 'public.privacy_pages', rateLimit: pageLimit },
    schema: { hide: true, querystring: z.object({ token: z.string().max(200).optional() }) },
  }, async (req, reply) => {
    const token = req.query.token ?? '';
    if (!(await isVerifyLinkUsable(deps, token))) throw new AppError('setup_token_invalid', LINK_UNUSABLE);
    return sendHtml(reply, 200, renderVerifyPage({ token, formToken: issueFormToken(guard, req, reply), contactEmail: contact }));
  });

  r.post('/data-deletion/verify', {
    bodyLimit: FORM_LIMIT,
    config: { action: 'public.privacy_pages', rateLimit: { ...VERIFY_LIMIT, errorResponseBuilder: tooMany } },
    schema: { hide: true },
    preValidation: async (req) => {
      requireForm(req);
      checkFormPost(guard, req, formOf(req.body).get('form_token') ?? '');
    },
  }, async (req, reply) => {
    const code = await verifyByLink(deps, formOf(req.body).get('token') ?? '', req.id);
    return sendHtml(reply, 200, renderVerifiedPage(`/data-deletion/status/${code}`, contact));
  });
}

/** Registers the public privacy pages in their own scope. */
export async function privacyPublicRoutes(app: FastifyInstance, deps: PrivacyPublicDeps): Promise<void> {
  await app.register(publicPages, deps);
}
