// Builds the server and the web UI when dist/ is missing or older than the sources, so that
// `npm start` works on a fresh clone and after a `git pull`.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP = 'dist/.build-stamp';
const SOURCES = ['src', 'web', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) if (e !== 'node_modules') max = Math.max(max, newest(path.join(p, e)));
  return max;
}

const stamp = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const needed = !existsSync('dist/server/main.js') || !existsSync('dist/web/index.html') || Math.max(...SOURCES.map(newest)) > stamp;
if (needed) {
  process.stderr.write('Building the server and the web UI (first start or sources changed)...\n');
  execSync('npm run build', { stdio: ['ignore', 'inherit', 'inherit'] });
  writeFileSync(STAMP, new Date().toISOString());
}
