/**
 * Creating the cluster (initdb) and checking that an existing one matches the binaries.
 * initdb runs into a temp sibling that is renamed into place, so a crash or a concurrent
 * start never leaves a half-initialised `pgdata` (PG_VERSION is written early by initdb,
 * so its presence alone would not prove that initdb finished).
 */
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddedLogger } from './index.js';
import { EmbeddedPostgresError, errnoCode, storageHint } from './errors.js';
import type { Layout } from './layout.js';
import { type RunAs, pidState, runCommand } from './proc.js';

const TEMP_PATTERN = /^(?:pgdata\.init|pwfile\.init|password\.tmp)-(\d+)-[0-9a-f]+$/;
/** initdb takes ~1 s; a temp dir this old is a leftover even if its pid was reused. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** Environment for initdb/postgres: English messages (we match FATAL/HINT) and no PG* overrides from the caller's shell. */
export function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  env.LC_ALL = 'C';
  env.LANG = 'C';
  return env;
}

/** Removes `pgdata.init-<pid>-*`, `pwfile.init-<pid>-*` and `password.tmp-<pid>-*` left by dead processes. */
export async function removeStaleTemps(pgDir: string, logger: EmbeddedLogger): Promise<void> {
  for (const name of await readdir(pgDir)) {
    const m = TEMP_PATTERN.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const path = join(pgDir, name);
    const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (pid === process.pid || ((await pidState(pid)) === 'alive' && age < TEMP_MAX_AGE_MS)) continue;
    logger.info(`embedded PostgreSQL: removing ${path} left by an interrupted initdb`);
    await rm(path, { recursive: true, force: true });
  }
}

async function hasCluster(pgdata: string): Promise<boolean> {
  try {
    await stat(join(pgdata, 'PG_VERSION'));
    return true;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  let entries: string[];
  try {
    entries = await readdir(pgdata);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  if (entries.length === 0) return false; // an empty dir is replaced by the rename below
  throw new EmbeddedPostgresError(
    `${pgdata} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away, or set DATA_DIR to another directory`,
  );
}

/** Options for {@link ensureCluster}. */
export interface ClusterOptions {
  layout: Layout;
  initdb: string;
  runAs: RunAs | null;
  password: string;
  ephemeral: boolean;
  logger: EmbeddedLogger;
}

/** Runs initdb unless the cluster exists. Returns true when it created one. */
export async function ensureCluster(opts: ClusterOptions): Promise<boolean> {
  const { layout, runAs, logger } = opts;
  await removeStaleTemps(layout.pgDir, logger);
  if (await hasCluster(layout.pgdata)) return false;

  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(layout.pgDir, `pgdata.init-${suffix}`);
  const pwfile = join(layout.pgDir, `pwfile.init-${suffix}`);
  const started = Date.now();
  try {
    // initdb runs as the server user: it must own both; it accepts an existing empty dir.
    await mkdir(tmp, { mode: 0o700 });
    await writeFile(pwfile, `${opts.password}\n`, { mode: 0o600, flag: 'wx' });
    if (runAs) {
      await chown(tmp, runAs.uid, runAs.gid);
      await chown(pwfile, runAs.uid, runAs.gid);
    }
    const args = [
      '-D', tmp,
      '-U', 'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      // Independent of host locales, glibc and ICU; no collation-version drift.
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--locale=C.UTF-8',
      ...(opts.ephemeral ? ['--no-sync'] : []),
    ];
    const res = await runCommand(opts.initdb, args, {
      runAs,
      cwd: layout.pgDir,
      env: serverEnv(),
      timeoutMs: 120_000,
    });
    if (res.code !== 0) {
      const detail = res.output.split('\n').filter((l) => /error|fatal|hint|denied/i.test(l)).slice(-3).join(' | ');
      throw new EmbeddedPostgresError(
        `initdb failed (${res.signal ?? `exit ${String(res.code)}`}): ${detail || res.output.trim().split('\n').slice(-2).join(' | ')}${storageHint(res.output)}`,
      );
    }
    try {
      await rename(tmp, layout.pgdata);
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another process initialised the cluster first: use theirs.
      logger.info('embedded PostgreSQL: another process initialised the cluster first; using it');
      return false;
    }
    logger.info(`embedded PostgreSQL: initialised a new cluster in ${layout.pgdata} (${Date.now() - started} ms)`);
    return true;
  } finally {
    await rm(pwfile, { force: true });
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * A data dir made by another major version will not start under these binaries, and this
 * package ships no pg_upgrade/pg_dump: the way across is the product's logical backup.
 */
export async function checkVersion(pgdata: string, binaryMajor: number, dataDir: string): Promise<void> {
  const raw = (await readFile(join(pgdata, 'PG_VERSION'), 'utf8')).trim();
  const dataMajor = Number(raw);
  if (dataMajor === binaryMajor) return;
  if (!/^\d+$/.test(raw)) {
    // e.g. written just before a crash or an emergency read-only switch, and lost with the page cache
    throw new EmbeddedPostgresError(
      `the embedded database in ${dataDir} is damaged (${join(pgdata, 'PG_VERSION')} is empty or unreadable); restore DATA_DIR from a backup (npm run cli -- restore FILE into a fresh DATA_DIR), see docs/OPERATIONS.md "Backups and restore"`,
    );
  }
  throw new EmbeddedPostgresError(
    `the embedded database in ${dataDir} was created by PostgreSQL ${raw}, but this build runs PostgreSQL ${binaryMajor}; ` +
      `to keep the data, take a backup with the previous version of the app (npm run cli -- backup FILE), then with this one restore it into a fresh DATA_DIR with the same encryption key (npm run cli -- restore FILE), or set DATABASE_URL; see docs/OPERATIONS.md "Upgrading"`,
  );
}
