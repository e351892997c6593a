/**
 * Examines `pgdata/postmaster.pid` (and the socket lock) before every start, so that a
 * postmaster orphaned by a SIGKILLed app, a zombie that PID 1 has not reaped yet, or a
 * pid reused by another program never blocks the start with PostgreSQL's "lock file
 * already exists", and a server owned by a live app is never touched.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddedLogger } from './index.js';
import { EmbeddedPostgresError } from './errors.js';
import {
  cwdPath,
  exePath,
  isNodeProcess,
  livePostgresIn,
  parentPid,
  pidState,
  realpathOrNull,
  stopPostmaster,
  waitFor,
} from './proc.js';

/** The fields of postmaster.pid we use (1: pid, 2: data dir, 4: port, 5: socket dir, 8: status). */
export interface PostmasterPid {
  pid: number;
  dataDir: string;
  port: number | null;
  socketDir: string | null;
  status: string | null;
}

/** Parses a postmaster.pid; 'missing' if absent, 'bogus' if empty or malformed (being written?). */
export async function readPostmasterPid(file: string): Promise<PostmasterPid | 'missing' | 'bogus'> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return 'missing';
  }
  const lines = raw.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return 'bogus';
  const port = Number(lines[3]);
  return {
    pid,
    dataDir: lines[1] ?? '',
    port: Number.isInteger(port) && port > 0 ? port : null,
    socketDir: lines[4]?.trim() || null,
    // The status is space-padded ("ready   ").
    status: lines[7]?.trim() || null,
  };
}

/** Context for {@link examineLocks}. */
export interface LockContext {
  dataDir: string;
  pgdata: string;
  sockDir: string;
  port: number;
  /** realpath of our postgres binary */
  postgresBin: string;
  logger: EmbeddedLogger;
}

/** Outcome: nothing in the way, or a live server owned by the live app `appPid`. */
export type LockOutcome = { kind: 'clear' } | { kind: 'running'; appPid: number; lock: PostmasterPid };

const ZOMBIE_REAP_WAIT_MS = 3_000;

/**
 * Clears what can safely be cleared and reports a server owned by a live app. Orphans
 * (parent gone, PID 1, or not a Node process) are stopped: SIGINT, 15 s, SIGQUIT, SIGKILL.
 */
export async function examineLocks(ctx: LockContext): Promise<LockOutcome> {
  const pidFile = join(ctx.pgdata, 'postmaster.pid');
  const lock = await readPostmasterPid(pidFile);
  if (lock === 'bogus') {
    const age = Date.now() - (await stat(pidFile).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
    // A fresh empty file is a postmaster starting right now; an old one is a remnant of a crash during start.
    if (age < 5_000) throw new EmbeddedPostgresError(`DATA_DIR ${ctx.dataDir} is in use: another process is starting its PostgreSQL server; try again`);
    ctx.logger.warn(`embedded PostgreSQL: removing malformed ${pidFile}`);
    await removeLocks(ctx, [pidFile]);
  } else if (lock !== 'missing') {
    const outcome = await examinePid(ctx, lock, pidFile);
    if (outcome.kind === 'running') return outcome;
  }
  await examineSocketLock(ctx);
  return { kind: 'clear' };
}

async function examinePid(ctx: LockContext, lock: PostmasterPid, pidFile: string): Promise<LockOutcome> {
  const { pid } = lock;
  const state = await pidState(pid);
  // Dead: PostgreSQL itself removes a lock whose pid does not exist.
  if (state === 'dead') return { kind: 'clear' };
  if (state === 'zombie') {
    await clearZombieLock(ctx, pid);
    return { kind: 'clear' };
  }
  const identity = await identify(ctx, pid, lock.dataDir);
  if (identity === 'gone') return { kind: 'clear' };
  if (identity === 'other') {
    ctx.logger.warn(`embedded PostgreSQL: removing stale ${pidFile} (pid ${pid} is now another program)`);
    await removeLocks(ctx, [pidFile]);
    return { kind: 'clear' };
  }
  if (identity === 'unknown') {
    throw new EmbeddedPostgresError(
      `DATA_DIR ${ctx.dataDir} is in use by PostgreSQL pid ${pid}, which this process cannot identify; stop that process, or set DATA_DIR to another directory`,
    );
  }
  const ppid = await parentPid(pid);
  const orphan =
    ppid === null || ppid <= 1 || (await pidState(ppid)) !== 'alive' || !(await isNodeProcess(ppid));
  if (!orphan) return { kind: 'running', appPid: ppid, lock };

  ctx.logger.warn(`embedded PostgreSQL: stopping orphaned server pid ${pid} left by an app that exited without stopping it`);
  if (!(await stopPostmaster(pid))) {
    throw new EmbeddedPostgresError(`could not stop the orphaned PostgreSQL server pid ${pid} on ${ctx.pgdata}; kill it and start again`);
  }
  // A fast shutdown removes its lock files (then nothing waits for PID 1 to reap the
  // zombie); SIGQUIT/SIGKILL may leave them behind.
  if ((await pidState(pid)) === 'zombie') await clearZombieLock(ctx, pid);
  return { kind: 'clear' };
}

/**
 * 'ours': our binary, running in our data dir. 'other': a reused pid (another program,
 * not in our data dir). 'unknown': cannot tell, or a different postgres in our dir: never
 * delete its lock. 'gone': it exited meanwhile.
 */
async function identify(ctx: LockContext, pid: number, lockDataDir: string): Promise<'ours' | 'other' | 'unknown' | 'gone'> {
  const [exe, cwd] = await Promise.all([exePath(pid), cwdPath(pid)]);
  if (exe === null) return (await pidState(pid)) === 'alive' ? 'unknown' : 'gone';
  const pgdataReal = await realpathOrNull(ctx.pgdata);
  const inOurDir = cwd !== null && cwd === pgdataReal;
  if (exe === ctx.postgresBin && inOurDir && (await realpathOrNull(lockDataDir)) === pgdataReal) return 'ours';
  if (!inOurDir && exe !== ctx.postgresBin) return 'other';
  return 'unknown';
}

function socketFiles(ctx: LockContext): { socket: string; lock: string } {
  const socket = join(ctx.sockDir, `.s.PGSQL.${ctx.port}`);
  return { socket, lock: `${socket}.lock` };
}

/** The lock files (postmaster.pid, socket lock + socket) that still name `pid`. */
async function lockFilesOf(ctx: LockContext, pid: number): Promise<string[]> {
  const files: string[] = [];
  const pidFile = join(ctx.pgdata, 'postmaster.pid');
  const main = await readPostmasterPid(pidFile);
  if (typeof main === 'object' && main.pid === pid) files.push(pidFile);
  const { socket, lock } = socketFiles(ctx);
  const sock = await readPostmasterPid(lock);
  if (typeof sock === 'object' && sock.pid === pid) files.push(lock, socket);
  return files;
}

/**
 * The lock's pid is a zombie: the postmaster is dead, but PostgreSQL's own check
 * (kill(pid, 0)) still thinks it runs. Give PID 1 a moment to reap it; if it does not,
 * remove the lock files that still name it.
 */
async function clearZombieLock(ctx: LockContext, pid: number): Promise<void> {
  if ((await lockFilesOf(ctx, pid)).length === 0) return;
  if (await waitFor(async () => (await pidState(pid)) === 'dead', ZOMBIE_REAP_WAIT_MS, 100)) return;
  ctx.logger.warn(`embedded PostgreSQL: pid ${pid} is an unreaped zombie; removing its lock files`);
  await removeLocks(ctx, await lockFilesOf(ctx, pid));
}

/**
 * Deletes lock files, but only once no process of our binary is still running in the
 * data dir (backends outliving a killed postmaster exit on their own within moments).
 */
async function removeLocks(ctx: LockContext, files: string[]): Promise<void> {
  const pgdataReal = await realpathOrNull(ctx.pgdata);
  if (pgdataReal !== null) {
    let live: number[] = [];
    const clear = await waitFor(async () => (live = await livePostgresIn(pgdataReal, ctx.postgresBin)).length === 0, 5_000, 100);
    if (!clear) {
      throw new EmbeddedPostgresError(
        `PostgreSQL processes ${live.join(', ')} still run on ${ctx.pgdata} without a postmaster; kill them and start again`,
      );
    }
  }
  for (const file of files) await rm(file, { force: true });
}

/**
 * The socket dir holds `.s.PGSQL.<port>.lock` with the postmaster pid, checked the same
 * way as postmaster.pid, so a zombie or reused pid there blocks the start too.
 */
async function examineSocketLock(ctx: LockContext): Promise<void> {
  const { socket, lock: lockFile } = socketFiles(ctx);
  const lock = await readPostmasterPid(lockFile);
  if (lock === 'missing' || lock === 'bogus') return;
  const state = await pidState(lock.pid);
  if (state === 'zombie') {
    await clearZombieLock(ctx, lock.pid);
  } else if (state === 'alive' && (await identify(ctx, lock.pid, ctx.pgdata)) === 'other') {
    ctx.logger.warn(`embedded PostgreSQL: removing stale ${lockFile} (pid ${lock.pid} is now another program)`);
    await removeLocks(ctx, [lockFile, socket]);
  }
}
