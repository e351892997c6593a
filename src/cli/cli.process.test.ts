/** The CLI as an operator runs it: without a running server it starts the embedded database itself. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', TEST_DATABASE_URL: '', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run cli', () => {
  it('lists its commands, creates an owner link, refuses bad input with the option named, and reset-password needs an active user', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('create-owner');
    expect(help.stdout).toContain('reset-password');
    const bad = cli('create-owner', '--email', 'not-an-email', '--name', 'X');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--email');
    const ok = cli('create-owner', '--email', 'ops@example.test', '--name', 'Ops Owner');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/http:\/\/127\.0\.0\.1:3000\/setup#token=[A-Za-z0-9_-]{40,}/);
    const reset = cli('reset-password', '--email', 'ops@example.test');
    expect(reset.status).toBe(1); // the owner has not set a password yet: not active
    expect(reset.stderr).toContain('no active user');
    expect(cli('frobnicate').status).toBe(2);
  }, 120_000);
});
