/** The real server process refuses to start, with one line naming PRIVACY_POLICY_FILE, when the file cannot be read. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, spawnServer } from '../../../test-support/server-process.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-policy-proc-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('stops start-up with one line naming PRIVACY_POLICY_FILE', async () => {
  const port = await freePort();
  const missing = path.join(dataDir, 'no-such-policy.md');
  const p = spawnServer(port, { ...process.env, DATA_DIR: dataDir, PORT: String(port), TEST_DATABASE_URL: '', DATABASE_URL: '', PRIVACY_POLICY_FILE: missing }, children);
  expect(await p.exited).toBe(2);
  expect(p.stderr()).toBe(`Configuration error: PRIVACY_POLICY_FILE: cannot read ${missing} (ENOENT)\n`);
});
