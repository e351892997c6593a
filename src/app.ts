/**
 * buildApp(deps): the Fastify instance with its plugins and every feature's routes. No listen, no
 * process concerns: main.ts and the tests both build the app from here.
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { accountRoutes } from './features/access/account.routes.js';
import { apiTokenRoutes } from './features/access/api-tokens/api-tokens.routes.js';
import { ssoRoutes } from './features/access/sso/sso.routes.js';
import { auditLogRoutes } from './features/audit/log/audit-log.routes.js';
import { auditChainRoutes } from './features/audit/chain/verify.routes.js';
import type { AccessDeps } from './features/access/access.deps.js';
import { SIGN_IN_FAILURE_FLOOR_MS, authRoutes } from './features/access/auth.routes.js';
import { linksRoutes } from './features/access/links.routes.js';
import { usersRoutes } from './features/access/users.routes.js';
import { createMailer } from './features/mail/mailer.js';
import { outboxRoutes } from './features/mail/outbox.routes.js';
import { notificationRoutes } from './features/notifications/notifications.routes.js';
import { healthRoutes } from './features/health/health.routes.js';
import { metaCallbackRoutes } from './features/meta-callbacks/meta-callbacks.routes.js';
import { overviewRoutes } from './features/overview/overview.routes.js';
import { privacyPublicRoutes } from './features/privacy/public/privacy-public.routes.js';
import { metricsRoutes, recordRequestDurations } from './features/metrics/metrics.routes.js';
import type { KeyRing } from './features/vault/keyring.js';
import { connectConfigOf, missingSettings, type ConnectSettings } from './features/onboarding/connect/connect-page.js';
import { connectRoutes } from './features/onboarding/connect/connect.routes.js';
import { customerConnectRoutes } from './features/onboarding/customer-links/customer-connect.routes.js';
import { customerLinksRoutes } from './features/onboarding/customer-links/customer-links.routes.js';
import type { CustomerLinkDeps } from './features/onboarding/customer-links/customer-links.service.js';
import { createOnboardingDeps } from './features/onboarding/onboarding.deps.js';
import type { OnboardingDeps } from './features/onboarding/onboarding.types.js';
import { onboardingRoutes } from './features/onboarding/onboarding.routes.js';
import { metaAppOf } from './features/sandbox/sandbox-meta.js';
import { sandboxRoutes } from './features/sandbox/sandbox.routes.js';
import { privacyRequestRoutes } from './features/privacy/requests/requests.routes.js';
import { envDefaultsOf } from './features/retention/retention.deps.js';
import { retentionRoutes } from './features/retention/retention.routes.js';
import { twoFactorRoutes } from './features/access/two-factor/two-factor.routes.js';
import { webRoutes } from './features/web/web.routes.js';
import { webhookDepsOf } from './features/webhooks/webhooks.deps.js';
import { webhookRoutes } from './features/webhooks/webhooks.routes.js';
import { createMetaSimulator, type MetaSimulator } from './meta-simulator/index.js';
import { registerErrorHandler, sendNotFound } from './http/error-handler.js';
import { toProblem } from './http/errors.js';
import { registerGuard } from './http/guard.js';
import { SECURITY_SCHEMES, transformWithSecurity } from './http/openapi-security.js';
import { pgRateLimitStore } from './http/rate-limit-store.js';
import './http/fastify-types.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './logger.js';
import type { StorageProblem } from './db/unavailable.js';

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  keyring: KeyRing;
  logger: Logger;
  /** readiness: database answers and migrations are applied */
  isReady(): Promise<boolean>;
  /** readiness: the embedded database's volume is full or read-only (absent: not watched) */
  storageProblem?: () => Promise<StorageProblem | null>;
  webDir: string;
  /** the onboarding deps the job queue uses too (one Graph client, so one circuit breaker, per process); built here when absent */
  onboarding?: OnboardingDeps;
  /** sandbox mode: the simulator to mount (shared with the signup dialog); created here when absent */
  simulator?: MetaSimulator;
  /** sandbox mode: the origin of the simulator's signup dialog (second loopback port), when running */
  sandboxDialogOrigin?: string;
  /** per-IP sign-in limit (tests lower or raise it) */
  signInRateLimit?: { max: number; timeWindowMs: number };
  /** refused sign-ins are answered no sooner than this after they arrive (default SIGN_IN_FAILURE_FLOOR_MS; tests set 0) */
  signInFailureFloorMs?: number;
  /** enqueues `onboarding.resume-steps` for a record (main.ts: the job queue) */
  scheduleResume?: (recordId: string) => Promise<void>;
  /** enqueues `webhooks.process` after a delivery is stored (main.ts: the job queue) */
  scheduleWebhookProcessing?: () => Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;

/** Builds the application (routes registered, not listening). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 256 },
    // Errors Fastify raises before any route runs (a malformed percent-encoded URL): our problem shape too.
    frameworkErrors: (_err, req, reply) => {
      void (reply as FastifyReply)
        .status(400)
        .type('application/problem+json')
        .send(toProblem('validation_failed', 'The request URL is malformed.', req.id, [{ path: 'url', message: 'is not a valid URL' }]));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API reads JSON only; features that take other bodies (Meta's form posts) add their own parser.
  app.removeContentTypeParser('text/plain');
  registerErrorHandler(app);
  recordRequestDurations(app);
  app.setNotFoundHandler((req, reply) => sendNotFound(req, reply));

  await app.register(swagger, {
    openapi: {
      info: { title: 'CRM console API', version: '1' },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: transformWithSecurity,
  });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: config.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
  // counters in PostgreSQL, shared by every instance; a database error lets the request through (it fails anyway)
  await app.register(rateLimit, { global: false, store: pgRateLimitStore(deps.database.pool), skipOnError: true });

  const mailer = createMailer(config, deps.database.db);
  const access: AccessDeps = {
    mailer,
    publicUrl: config.publicUrl,
    db: deps.database.db,
    clock: deps.clock,
    sessionIdleMs: config.sessionIdleMs,
    sessionMaxMs: config.sessionMaxMs,
    deviceKey: deps.keyring.derive('device-cookie'),
  };
  const cookies = { secure: config.secure, sessionMaxMs: config.sessionMaxMs };
  app.decorate('routeActions', registerGuard(app, { ...access, secure: config.secure, publicOrigin: config.publicUrl.origin, stepUpMs: config.stepUpMs, apiTokenRatePerMinute: config.apiTokenRatePerMinute }));

  await app.register(healthRoutes, { isReady: deps.isReady, ...(deps.storageProblem ? { storageProblem: deps.storageProblem } : {}) });
  await app.register(authRoutes, { access, cookies, signInRateLimit: deps.signInRateLimit ?? { max: 20, timeWindowMs: 60_000 }, failureFloorMs: deps.signInFailureFloorMs ?? SIGN_IN_FAILURE_FLOOR_MS });
  const meta = metaAppOf(config, deps.keyring);
  const connectSettings: ConnectSettings = { sandbox: config.meta.sandbox, appId: meta.appId, configId: meta.configId, graphVersion: config.meta.graphVersion, sandboxDialogOrigin: deps.sandboxDialogOrigin };
  const missing = missingSettings(connectSettings);
  const environment = { outbox: mailer.mode === 'outbox', sandbox: config.meta.sandbox, embeddedSignup: { ready: missing.length === 0, missing } };
  await app.register(accountRoutes, { access, cookies, environment });
  await app.register(apiTokenRoutes, { access });
  await app.register(ssoRoutes, { sso: { ...access, keyring: deps.keyring, logger: deps.logger }, cookies });
  await app.register(usersRoutes, { access });
  await app.register(linksRoutes, { access, cookies });
  await app.register(outboxRoutes, { db: deps.database.db, mailer });
  await app.register(notificationRoutes, { notifications: { db: deps.database.db, clock: deps.clock } });
  if (config.meta.sandbox) {
    const simulator = deps.simulator ?? createMetaSimulator({ appId: meta.appId, appSecret: meta.appSecret, logger: deps.logger, now: () => deps.clock.now() });
    await app.register(sandboxRoutes, { simulator, config, db: deps.database.db });
  }
  const onboarding = deps.onboarding ?? createOnboardingDeps({ config, db: deps.database.db, clock: deps.clock, keyring: deps.keyring, logger: deps.logger, scheduleResume: deps.scheduleResume });
  const links: CustomerLinkDeps = {
    db: deps.database.db,
    clock: deps.clock,
    publicUrl: config.publicUrl,
    ttlDays: config.onboardingLinks.ttlDays,
    prefillRetentionDays: config.onboardingLinks.prefillRetentionDays,
  };
  await app.register(onboardingRoutes, { onboarding });
  await app.register(customerLinksRoutes, { links });
  await app.register(connectRoutes, connectSettings);
  await app.register(customerConnectRoutes, { links, onboarding, connect: connectConfigOf(connectSettings), sandbox: config.meta.sandbox, secure: config.secure });
  await app.register(metaCallbackRoutes, { onboarding, appSecret: meta.appSecret, publicUrl: config.publicUrl, contactEmail: config.contactEmail, rejected: { count: 0 } });
  await app.register(webhookRoutes, { webhooks: webhookDepsOf({ ...deps, scheduleProcessing: deps.scheduleWebhookProcessing }) });
  await app.register(metricsRoutes, { token: config.metricsToken, pool: deps.database.pool });
  await app.register(auditLogRoutes, { audit: { db: deps.database.db, clock: deps.clock } });
  await app.register(privacyRequestRoutes, { access });
  await app.register(privacyPublicRoutes, {
    db: deps.database.db,
    clock: deps.clock,
    mailer,
    publicUrl: config.publicUrl,
    secure: config.secure,
    contactEmail: config.contactEmail,
    privacyPolicyFile: config.privacyPolicyFile,
    formKey: deps.keyring.derive('privacy-form'),
  });
  await app.register(retentionRoutes, {
    retention: { db: deps.database.db, clock: deps.clock, keyring: deps.keyring, sessionIdleMs: config.sessionIdleMs, envDefaults: envDefaultsOf(config) },
    logger: deps.logger,
  });
  await app.register(twoFactorRoutes, {
    twoFactor: { ...access, keyring: deps.keyring, stepUpMs: config.stepUpMs },
    cookies,
    signInRateLimit: deps.signInRateLimit ?? { max: 20, timeWindowMs: 60_000 },
  });
  await app.register(auditChainRoutes, { chain: { db: deps.database.db, clock: deps.clock, keyring: deps.keyring, logger: deps.logger } });
  await app.register(overviewRoutes, { overview: { db: deps.database.db, clock: deps.clock } });
  await app.register(webRoutes, { webDir: deps.webDir });
  return app;
}
