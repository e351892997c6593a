import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { manualClock } from '../../lib/clock.js';
import { createLogger } from '../../logger.js';
import { loadKeyRing } from '../vault/keyring.js';
import { SANDBOX_APP_ID } from '../sandbox/sandbox-meta.js';
import { createOnboardingDeps, staleStepMsFor } from './onboarding.deps.js';

const key = Buffer.alloc(32, 7).toString('base64');
const keyring = loadKeyRing({ key, dataDir: '/nonexistent', embedded: false });
const build = (env: Record<string, string> = {}, extra: { staleStepMs?: number } = {}) =>
  createOnboardingDeps({ config: loadConfig({ DATA_DIR: '/nonexistent', ENCRYPTION_KEY: key, ...env }), db: {} as never, clock: manualClock(), keyring, logger: createLogger('silent'), ...extra });

describe('createOnboardingDeps', () => {
  it('takes a running step over after 2 minutes at the default Graph timeout, later for longer timeouts', () => {
    expect(staleStepMsFor(10_000)).toBe(120_000);
    expect(staleStepMsFor(60_000)).toBe(2 * (3 * 60_000 + 2 * 4_000));
    expect(build().staleStepMs).toBe(120_000);
    expect(build({ META_TIMEOUT_MS: '60000' }).staleStepMs).toBe(376_000);
    expect(build({}, { staleStepMs: 5_000 }).staleStepMs).toBe(5_000);
    // the operator's limit wins over the derived one (crash tests shorten it)
    expect(build({ ONBOARDING_STALE_STEP_SECONDS: '3', META_TIMEOUT_MS: '60000' }).staleStepMs).toBe(3_000);
  });

  it('uses the Meta app in use and sets the webhook override only when META_WEBHOOK_OVERRIDE_URL is set', () => {
    const sandbox = build();
    expect(sandbox.appId).toBe(SANDBOX_APP_ID);
    expect(sandbox.webhookOverride).toBeNull();
    expect(sandbox.scheduleResume).toBeUndefined();
    const withOverride = build({ META_WEBHOOK_OVERRIDE_URL: 'https://hooks.example.com/wa' });
    expect(withOverride.webhookOverride).toMatchObject({ callbackUri: 'https://hooks.example.com/wa' });
    expect(withOverride.webhookOverride!.verifyToken.length).toBeGreaterThan(10);
    const real = build({ META_APP_ID: '670843887433847', META_APP_SECRET: 'test-app-secret-3f9c2a7d41b8e605', META_WEBHOOK_OVERRIDE_URL: 'https://hooks.example.com/wa', META_WEBHOOK_VERIFY_TOKEN: 'verify-me-please' });
    expect(real.appId).toBe('670843887433847');
    expect(real.webhookOverride).toEqual({ callbackUri: 'https://hooks.example.com/wa', verifyToken: 'verify-me-please' });
    // Meta needs a verify token with an override: without one the step is skipped
    expect(build({ META_APP_ID: '670843887433847', META_APP_SECRET: 'test-app-secret-3f9c2a7d41b8e605', META_WEBHOOK_OVERRIDE_URL: 'https://hooks.example.com/wa' }).webhookOverride).toBeNull();
  });
});
