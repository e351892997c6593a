import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has the contract defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicUrl.toString()).toBe('http://127.0.0.1:3000/');
    expect(c.secure).toBe(false);
    expect(c.meta.sandbox).toBe(true);
    expect(c.meta.graphVersion).toBe('v25.0');
    expect(c.meta.timeoutMs).toBe(10_000);
    expect(c.sessionIdleMs).toBe(30 * 60_000);
    expect(c.sessionMaxMs).toBe(12 * 3_600_000);
    expect(c.logLevel).toBe('info');
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('derives PUBLIC_URL from PORT, and https turns on secure cookies', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl.origin).toBe('http://127.0.0.1:8080');
    const c = loadConfig({ PUBLIC_URL: 'https://crm.example.com', META_APP_ID: '123', META_APP_SECRET: 'x'.repeat(32) });
    expect(c.secure).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: must be between/],
    [{ PUBLIC_URL: 'ftp://x' }, /^PUBLIC_URL: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: /],
    [{ DATABASE_URL: 'postgres://x/db' }, /^ENCRYPTION_KEYS: required/],
    [{ ENCRYPTION_KEY: 'c2hvcnQ=' }, /^ENCRYPTION_KEY: must be a base64-encoded 32-byte key/],
    [{ ENCRYPTION_KEYS: 'no-colon' }, /^ENCRYPTION_KEYS: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ SESSION_IDLE_MINUTES: '0' }, /^SESSION_IDLE_MINUTES: /],
    [{ ONBOARDING_STALE_STEP_SECONDS: '0' }, /^ONBOARDING_STALE_STEP_SECONDS: /],
    [{ META_APP_ID: '123' }, /^META_APP_SECRET: required/],
    [{ META_GRAPH_VERSION: '25' }, /^META_GRAPH_VERSION: /],
    [{ PUBLIC_URL: 'https://crm.example.com' }, /^META_APP_ID: required when PUBLIC_URL is https/],
    [{ CONTACT_EMAIL: 'nope' }, /^CONTACT_EMAIL: /],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('treats empty values as unset and allows sandbox on https with SANDBOX=1', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ PUBLIC_URL: 'https://demo.example.com', SANDBOX: '1' }).meta.sandbox).toBe(true);
  });
});
