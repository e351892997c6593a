/** Makes sure the built server (dist/server/main.js) exists and is runnable. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { note } from './stats.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SERVER_ENTRY = path.join(ROOT, 'dist', 'server', 'main.js');

/**
 * Non-TypeScript files the server reads next to its modules. `npm run build:server` (tsc alone)
 * does not copy them, so a plain build cannot start; until the build copies them we do.
 */
const ASSETS = [
  ['src/db/migrations', 'dist/server/db/migrations'],
  ['src/features/access/common-passwords.txt', 'dist/server/features/access/common-passwords.txt'],
] as const;

/** Builds the server when dist is missing; returns the asset paths that had to be copied in. */
export function ensureBuiltServer(): string[] {
  if (!existsSync(SERVER_ENTRY)) {
    note('dist/server/main.js missing: running npm run build:server');
    const res = spawnSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (res.status !== 0) throw new Error(`npm run build:server failed (exit ${res.status ?? res.signal})`);
  }
  const patched: string[] = [];
  for (const [from, to] of ASSETS) {
    if (existsSync(path.join(ROOT, to))) continue;
    cpSync(path.join(ROOT, from), path.join(ROOT, to), { recursive: true });
    patched.push(to);
  }
  if (patched.length > 0) note(`WARNING: the server build lacks ${patched.join(', ')}; copied them from src/ (build bug: tsc does not copy assets)`);
  return patched;
}
