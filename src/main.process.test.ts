/**
 * The real server as a child process on its own embedded PostgreSQL (fsync on, as in real use):
 * the first-start setup link, acknowledged writes surviving kill -9 of the app and of postgres,
 * a second instance on the same DATA_DIR refused, and a graceful SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, waitReady, type ServerProcess } from './test-support/server-process.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-proc-'));
const children: ChildProcess[] = [];

type Proc = ServerProcess;

async function startServer(port: number): Promise<Proc> {
  return spawnServer(port, { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', TEST_DATABASE_URL: '', DATABASE_URL: '' }, children);
}

const api = (p: Proc, pathname: string, init: { method?: string; body?: unknown; cookie?: string } = {}) =>
  fetch(`http://127.0.0.1:${p.port}${pathname}`, {
    method: init.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      origin: `http://127.0.0.1:${p.port}`,
      'x-csrf-protection': '1',
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

function postmasterPid(): number {
  return Number(readFileSync(path.join(dataDir, 'pg', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  try {
    process.kill(postmasterPid(), 'SIGKILL');
  } catch {
    /* already gone */
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server process', () => {
  it('prints a setup link on first start, keeps acknowledged writes through kill -9 of app and postgres, refuses a second instance, and stops cleanly', async () => {
    const port = await freePort();
    const first = await startServer(port);
    await waitReady(first);
    await expect.poll(() => first.stderr(), { timeout: 5000 }).toMatch(/setup#token=/);
    const token = /setup#token=([A-Za-z0-9_-]+)/.exec(first.stderr())![1]!;

    const setup = await api(first, '/api/v1/setup', { method: 'POST', body: { token, email: 'owner@example.test', displayName: 'First Name', password: 'a long enough passphrase 1' } });
    expect(setup.status).toBe(201);
    const cookie = setup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const patch = await api(first, '/api/v1/me', { method: 'PATCH', body: { displayName: 'Acknowledged Name' }, cookie });
    expect(patch.status).toBe(200);

    // a second instance on the same DATA_DIR is refused with the owner's pid
    const second = await startServer(await freePort());
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`in use by pid ${first.child.pid}`);

    // kill -9 both the app and the postmaster, right after the acknowledgement
    const pgPid = postmasterPid();
    first.child.kill('SIGKILL');
    process.kill(pgPid, 'SIGKILL');
    await first.exited;

    const again = await startServer(port);
    await waitReady(again);
    expect(again.stderr()).not.toMatch(/setup#token=/); // users exist: no new setup link
    const signIn = await api(again, '/api/v1/auth/sign-in', { method: 'POST', body: { email: 'owner@example.test', password: 'a long enough passphrase 1' } });
    expect(signIn.status).toBe(200);
    expect((await signIn.json()).user.displayName).toBe('Acknowledged Name');

    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    // the embedded server stopped with the app
    expect(() => process.kill(postmasterPid(), 0)).toThrow();
  }, 120_000);
});
