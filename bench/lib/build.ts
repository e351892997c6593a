/** Makes sure the built server (dist/server/main.js) exists and is complete. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { note } from './stats.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SERVER_ENTRY = path.join(ROOT, 'dist', 'server', 'main.js');
/** An asset the build must copy beside the modules (the server cannot start without it). */
const MIGRATIONS_JOURNAL = path.join(ROOT, 'dist', 'server', 'db', 'migrations', 'meta', '_journal.json');

/** Newest modification time of the files the server build reads (tests excluded). */
function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return /\.test\.ts$/.test(p) ? 0 : st.mtimeMs;
  if (path.basename(p) === 'test-support') return 0;
  return readdirSync(p).reduce((max, e) => Math.max(max, newestMtime(path.join(p, e))), 0);
}

/** Runs `npm run build:server` when dist is missing or incomplete; warns when it is older than src/. */
export function ensureBuiltServer(): void {
  if (!existsSync(SERVER_ENTRY) || !existsSync(MIGRATIONS_JOURNAL)) {
    note('dist/server is missing or incomplete: running npm run build:server');
    const res = spawnSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (res.status !== 0) throw new Error(`npm run build:server failed (exit ${res.status ?? res.signal})`);
    if (!existsSync(MIGRATIONS_JOURNAL)) throw new Error(`npm run build:server did not produce ${path.relative(ROOT, MIGRATIONS_JOURNAL)}`);
  } else if (newestMtime(path.join(ROOT, 'src')) > statSync(SERVER_ENTRY).mtimeMs) {
    note('WARNING: src/ is newer than dist/server: measuring the existing build (run npm run build:server to refresh)');
  }
}
