/**
 * The only reader of process.env. Every setting is parsed by zod once at start-up; a missing or
 * malformed value stops the process with one line naming the variable (ConfigError).
 */
import path from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const intInRange = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://');

const base64Key = z.string().refine((v) => {
  try {
    return Buffer.from(v, 'base64').length === 32;
  } catch {
    return false;
  }
}, 'must be a base64-encoded 32-byte key');

const envSchema = z.object({
  PORT: intInRange(1, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  TRUST_PROXY: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  /** migrations connect with this role instead (it owns the schema; the runtime role cannot drop the audit triggers) */
  DATABASE_MIGRATION_URL: postgresUrl.optional(),
  ENCRYPTION_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/, 'must be id:base64[,id:base64...]')
    .optional(),
  ENCRYPTION_KEY: base64Key.optional(),
  META_APP_ID: z.string().regex(/^\d+$/, 'must be numeric').optional(),
  META_APP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  META_CONFIG_ID: z.string().min(1).optional(),
  META_GRAPH_VERSION: z.string().regex(/^v\d+\.0$/, 'must look like v25.0').default('v25.0'),
  META_GRAPH_URL: z.url({ protocol: /^https?$/ }).optional(),
  META_TIMEOUT_MS: intInRange(100, 120_000).default(10_000),
  META_REDIRECT_URI: z.url().optional(),
  META_WEBHOOK_VERIFY_TOKEN: z.string().min(8).optional(),
  META_WEBHOOK_OVERRIDE_URL: z.url({ protocol: /^https$/ }).optional(),
  SANDBOX: z.enum(['1', '0']).optional(),
  SANDBOX_DIALOG_PORT: intInRange(0, 65535).default(0),
  CONTACT_EMAIL: z.email().optional(),
  PRIVACY_POLICY_FILE: z.string().min(1).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  SESSION_IDLE_MINUTES: intInRange(1, 24 * 60).default(30),
  /** step-up: how long a password or code proof lets sensitive actions through (src/features/access/two-factor/step-up.ts) */
  STEP_UP_SECONDS: intInRange(10, 3600).default(600),
  /** requests per minute each personal API token may make (src/features/access/api-tokens) */
  API_TOKEN_RATE_LIMIT_PER_MINUTE: intInRange(1, 100_000).default(600),
  /** how long a step may stay `running` before another runner takes it over (default: from META_TIMEOUT_MS, see onboarding.deps.ts) */
  ONBOARDING_STALE_STEP_SECONDS: intInRange(1, 24 * 3600).optional(),
  ONBOARDING_LINK_TTL_DAYS: intInRange(1, 30).default(7),
  ONBOARDING_LINK_PREFILL_RETENTION_DAYS: intInRange(1, 3650).default(30),
  WEBHOOK_RAW_RETENTION_HOURS: intInRange(1, 720).default(72),
  SESSION_MAX_HOURS: intInRange(1, 24 * 30).default(12),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: URL;
  /** true when PUBLIC_URL is https: Secure cookies and HSTS */
  secure: boolean;
  trustProxy: TrustProxy;
  dataDir: string;
  databaseUrl: string | undefined;
  /** when set, migrations run under this (owning) role; the app itself connects with databaseUrl */
  databaseMigrationUrl: string | undefined;
  encryptionKeys: string | undefined;
  encryptionKey: string | undefined;
  meta: {
    appId: string | undefined;
    sandbox: boolean;
    appSecret: string | undefined;
    configId: string | undefined;
    graphVersion: string;
    graphUrl: string | undefined;
    timeoutMs: number;
    redirectUri: string | undefined;
    webhookVerifyToken: string | undefined;
    webhookOverrideUrl: string | undefined;
    /** sandbox: the loopback port of the simulator's signup dialog (0 = any free port) */
    sandboxDialogPort: number;
  };
  contactEmail: string | undefined;
  privacyPolicyFile: string | undefined;
  smtpUrl: string | undefined;
  /** sender of every mail; default `CRM console <no-reply@PUBLIC_URL's host>` */
  mailFrom: string;
  sessionIdleMs: number;
  /** step-up window: sensitive actions need a proof newer than this */
  stepUpMs: number;
  /** requests per minute per personal API token */
  apiTokenRatePerMinute: number;
  sessionMaxMs: number;
  /**
   * how long an onboarding step may stay `running` before it is taken for lost (its process died);
   * undefined: derived from the Graph timeout (staleStepMsFor in onboarding.deps.ts)
   */
  onboardingStaleStepMs: number | undefined;
  /** customer onboarding links: default lifetime, and how long their prefill (personal data) is kept after they end */
  onboardingLinks: { ttlDays: number; prefillRetentionDays: number };
  /** webhook events: hours the raw value of a management change is kept */
  webhooks: { rawRetentionHours: number };
  logLevel: Env['LOG_LEVEL'];
  metricsToken: string | undefined;
}

/** Empty strings count as unset: `FOO= npm start` should not be an error. */
function clean(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export type TrustProxy = boolean | string | ((address: string, hop: number) => boolean);

/** `true`, a hop count, or addresses/CIDRs (comma-separated) as Fastify understands them. */
function parseTrustProxy(v: string | undefined): TrustProxy {
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  return v;
}

/** Parses the environment into a Config, or throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(clean(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue.message}`);
  }
  const e = parsed.data;
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`);
  const secure = publicUrl.protocol === 'https:';
  const sandbox = e.META_APP_ID === undefined;
  if (sandbox && secure && e.SANDBOX !== '1') {
    throw new ConfigError('META_APP_ID: required when PUBLIC_URL is https (or set SANDBOX=1 to run the simulator)');
  }
  if (!sandbox && e.META_APP_SECRET === undefined) {
    throw new ConfigError('META_APP_SECRET: required when META_APP_ID is set');
  }
  if (e.DATABASE_URL !== undefined && e.ENCRYPTION_KEYS === undefined && e.ENCRYPTION_KEY === undefined) {
    throw new ConfigError('ENCRYPTION_KEYS: required when DATABASE_URL is set (or ENCRYPTION_KEY)');
  }
  if (e.DATABASE_MIGRATION_URL !== undefined && e.DATABASE_URL === undefined) {
    throw new ConfigError('DATABASE_MIGRATION_URL: only with DATABASE_URL (the embedded server runs with one role)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secure,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL,
    encryptionKeys: e.ENCRYPTION_KEYS,
    encryptionKey: e.ENCRYPTION_KEY,
    meta: {
      appId: e.META_APP_ID,
      sandbox,
      appSecret: e.META_APP_SECRET,
      configId: e.META_CONFIG_ID,
      graphVersion: e.META_GRAPH_VERSION,
      graphUrl: e.META_GRAPH_URL,
      timeoutMs: e.META_TIMEOUT_MS,
      redirectUri: e.META_REDIRECT_URI,
      webhookVerifyToken: e.META_WEBHOOK_VERIFY_TOKEN,
      webhookOverrideUrl: e.META_WEBHOOK_OVERRIDE_URL,
      sandboxDialogPort: e.SANDBOX_DIALOG_PORT,
    },
    contactEmail: e.CONTACT_EMAIL,
    privacyPolicyFile: e.PRIVACY_POLICY_FILE,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? `CRM console <no-reply@${publicUrl.hostname}>`,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    stepUpMs: e.STEP_UP_SECONDS * 1000,
    apiTokenRatePerMinute: e.API_TOKEN_RATE_LIMIT_PER_MINUTE,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    onboardingStaleStepMs: e.ONBOARDING_STALE_STEP_SECONDS === undefined ? undefined : e.ONBOARDING_STALE_STEP_SECONDS * 1000,
    onboardingLinks: { ttlDays: e.ONBOARDING_LINK_TTL_DAYS, prefillRetentionDays: e.ONBOARDING_LINK_PREFILL_RETENTION_DAYS },
    webhooks: { rawRetentionHours: e.WEBHOOK_RAW_RETENTION_HOURS },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
  };
}
