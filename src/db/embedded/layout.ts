/**
 * On-disk layout of the embedded cluster and the OS user that runs it:
 *
 *   ${DATA_DIR}/pg/            0711 when root (postgres may traverse, not list), else 0700
 *   ${DATA_DIR}/pg/pgdata/     the cluster, 0700, owned by the server user
 *   ${DATA_DIR}/pg/sock/       Unix socket dir, 0700, owned by the server user
 *   ${DATA_DIR}/pg/password    superuser password, 0600, owned by us (only we read it)
 *   ${DATA_DIR}/pg/pg.log      mirror of the server's stderr
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, link, lstat, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { EmbeddedLogger } from './index.js';
import { EmbeddedPostgresError, errMessage, errnoCode } from './errors.js';
import { type RunAs, runCommand } from './proc.js';

/** The port only names the socket file (`.s.PGSQL.5432`): we never listen on TCP. */
export const SOCKET_PORT = 5432;
/** Unix socket paths are limited to 107 bytes; keep a margin. */
const MAX_SOCKET_PATH = 100;

/** Absolute paths of one cluster's files. */
export interface Layout {
  dataDir: string;
  pgDir: string;
  pgdata: string;
  passwordFile: string;
  logFile: string;
  sockDir: string;
  port: number;
}

/** Computes the layout; falls back to a short socket dir under the temp dir for deep paths. */
export function planLayout(dataDirOption: string): Layout {
  const dataDir = resolve(dataDirOption);
  const pgDir = join(dataDir, 'pg');
  const port = SOCKET_PORT;
  // -k takes a comma-separated, quote-aware list: a path with ',' or '"' would be split.
  const fits = (dir: string): boolean =>
    Buffer.byteLength(`${dir}/.s.PGSQL.${port}`) <= MAX_SOCKET_PATH && !/[,"]/.test(dir);
  let sockDir = join(pgDir, 'sock');
  if (!fits(sockDir)) {
    // Derived from the data dir, so every process for this DATA_DIR picks the same one.
    const name = `crm-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
    sockDir = fits(join(tmpdir(), name)) ? join(tmpdir(), name) : join('/tmp', name);
  }
  return {
    dataDir,
    pgDir,
    pgdata: join(pgDir, 'pgdata'),
    passwordFile: join(pgDir, 'password'),
    logFile: join(pgDir, 'pg.log'),
    sockDir,
    port,
  };
}

async function lookupUser(name: string): Promise<RunAs | null> {
  const res = await runCommand('id', [name], { timeoutMs: 10_000 });
  const m = /uid=(\d+).*?gid=(\d+)/.exec(res.output);
  return res.code === 0 && m?.[1] && m[2] ? { uid: Number(m[1]), gid: Number(m[2]) } : null;
}

/**
 * PostgreSQL refuses to run as root, so as root we run it as the system user `postgres`,
 * creating that user if missing. Returns null when not root: the server runs as us.
 */
export async function serverUser(logger: EmbeddedLogger): Promise<RunAs | null> {
  if (process.getuid?.() !== 0) return null;
  const existing = await lookupUser('postgres');
  if (existing) return existing;
  logger.info('embedded PostgreSQL: creating the system user "postgres" (PostgreSQL refuses to run as root)');
  const res = await runCommand('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
    timeoutMs: 30_000,
  }).catch((err: unknown) => ({ code: -1, output: errMessage(err) }));
  // A concurrent start may have created it first (useradd then fails): look up again either way.
  const created = await lookupUser('postgres');
  if (created) return created;
  throw new EmbeddedPostgresError(
    `running as root needs a "postgres" system user and useradd failed (${res.output.trim()}); create one (useradd --system --user-group postgres) or run as a non-root user`,
  );
}

/** Whether `runAs` may search (x) `path` by its mode bits (primary group only: Node's spawn drops supplementary groups). */
async function canExecute(path: string, runAs: RunAs): Promise<boolean> {
  const st = await stat(path);
  if (st.uid === runAs.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === runAs.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    out.unshift(dir);
    if (dir === dirname(dir)) return out;
  }
}

/**
 * Fails with the first directory the server user cannot traverse on the way to the data
 * dir or to the binaries; otherwise initdb dies with EACCES or "could not access directory".
 */
export async function checkReachable(runAs: RunAs, layout: Layout, binaries: readonly string[]): Promise<void> {
  const checks: Array<{ path: string; fix: string }> = [];
  for (const dir of ancestors(layout.pgDir)) {
    checks.push({ path: dir, fix: `run chmod o+x ${dir}, or set DATA_DIR to a path the postgres user can reach` });
  }
  for (const bin of binaries) {
    for (const dir of ancestors(bin)) {
      checks.push({ path: dir, fix: `run chmod o+x ${dir}, or install the app in a path the postgres user can reach` });
    }
    checks.push({ path: bin, fix: `run chmod o+rx ${bin}` });
  }
  const seen = new Set<string>();
  for (const { path, fix } of checks) {
    if (seen.has(path)) continue;
    seen.add(path);
    if (!(await canExecute(path, runAs))) {
      throw new EmbeddedPostgresError(
        `${path} is not accessible to the postgres user (uid ${runAs.uid}) that runs the embedded PostgreSQL server; ${fix}`,
      );
    }
  }
}

/** A directory we own exclusively: refuses symlinks and foreign owners (matters for the /tmp socket dir). */
async function ensurePrivateDir(dir: string, owner: RunAs | null, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
  const st = await lstat(dir);
  const me = process.getuid?.() ?? -1;
  if (!st.isDirectory()) throw new EmbeddedPostgresError(`${dir} is not a directory; remove it`);
  if (owner && st.uid !== owner.uid) {
    if (st.uid !== me) throw new EmbeddedPostgresError(`${dir} is owned by uid ${st.uid}, not by postgres; remove it`);
    await chown(dir, owner.uid, owner.gid);
  } else if (!owner && st.uid !== me) {
    throw new EmbeddedPostgresError(`${dir} is owned by uid ${st.uid}, not by the current user; remove it or fix its owner`);
  }
  if ((st.mode & 0o777) !== mode) await chmod(dir, mode);
}

/** Creates DATA_DIR/pg, the socket dir and the parents, with the owners and modes above. */
export async function prepareDirs(layout: Layout, runAs: RunAs | null): Promise<void> {
  // As root, created parents get o+x so the postgres user can reach pg/pgdata.
  await mkdir(layout.dataDir, { recursive: true, mode: runAs ? 0o711 : 0o700 });
  if (runAs && !(await canExecute(layout.dataDir, runAs))) {
    const st = await stat(layout.dataDir);
    // DATA_DIR itself is ours to adjust; o+x allows traversal only, not listing.
    if (st.uid === process.getuid?.()) await chmod(layout.dataDir, (st.mode & 0o7777) | 0o001);
  }
  await ensurePrivateDir(layout.pgDir, null, runAs ? 0o711 : 0o700);
  await ensurePrivateDir(layout.sockDir, runAs, 0o700);
}

/**
 * Reads the superuser password, creating it (32 random bytes, base64url, 0600) the first
 * time. Created via link() of a complete temp file, so a concurrent start never reads a
 * half-written password.
 */
export async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return await readPassword(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err; // another process created it first: use theirs
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return readPassword(file);
}

async function readPassword(file: string): Promise<string> {
  const st = await stat(file);
  if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await chmod(file, 0o600);
  const pw = (await readFile(file, 'utf8')).trim();
  if (!pw) throw new EmbeddedPostgresError(`${file} is empty; restore it from a backup of DATA_DIR (the cluster was initialised with it)`);
  return pw;
}
