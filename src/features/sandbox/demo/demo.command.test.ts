/** `cli demo` refuses outside sandbox mode before it touches the database or the network. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext } from '../../../cli/commands.js';
import { loadConfig } from '../../../config.js';
import { runDemo } from './demo.command.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('cli demo', () => {
  it('refuses with META_APP_ID set (not sandbox mode), before any request or query', async () => {
    vi.stubEnv('META_APP_ID', '1234567890');
    vi.stubEnv('META_APP_SECRET', 'x'.repeat(32));
    vi.stubEnv('META_CONFIG_ID', '987654321');
    vi.stubEnv('ENCRYPTION_KEY', Buffer.alloc(32, 1).toString('base64'));
    const config = loadConfig();
    expect(config.meta.sandbox).toBe(false);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const runtime = new Proxy({}, { get: () => { throw new Error('the runtime must not be used'); } });
    const lines: string[] = [];
    const ctx = { config, runtime, values: {}, out: (l: string) => lines.push(l) } as unknown as CommandContext;
    await expect(runDemo(ctx)).rejects.toThrow(/only in sandbox mode/);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('in sandbox mode, says so when no server answers at the address', async () => {
    vi.stubEnv('META_APP_ID', undefined as unknown as string);
    const config = loadConfig();
    expect(config.meta.sandbox).toBe(true);
    const runtime = new Proxy({}, { get: () => { throw new Error('the runtime must not be used'); } });
    const ctx = { config, runtime, values: { url: 'http://127.0.0.1:9' }, out: () => undefined } as unknown as CommandContext;
    await expect(runDemo(ctx)).rejects.toThrow(/no ready server at http:\/\/127\.0\.0\.1:9/);
  });
});
