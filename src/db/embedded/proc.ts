/**
 * Process inspection and control through Linux /proc. The embedded server must tell a
 * live postmaster from a zombie, a reused pid, or an orphan whose Node parent died, and
 * `kill(pid, 0)` alone cannot (it succeeds for zombies and for any reused pid).
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedPostgresError, errnoCode } from './errors.js';

/** `zombie`: exited but not yet reaped by its parent; for our purposes it is dead. */
export type PidState = 'dead' | 'zombie' | 'alive';

const hasProc = process.platform === 'linux';

interface ProcStat {
  state: string;
  ppid: number;
}

async function readStat(pid: number): Promise<ProcStat | null> {
  try {
    const raw = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may contain spaces and ')', so parse after the last ')'.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const ppid = Number(rest[1]);
    if (state === undefined || !Number.isInteger(ppid)) return null;
    return { state, ppid };
  } catch {
    return null;
  }
}

/** Whether `pid` runs, is a zombie, or is gone. EPERM from kill(0) means it exists. */
export async function pidState(pid: number): Promise<PidState> {
  if (!Number.isInteger(pid) || pid <= 0) return 'dead';
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return 'dead';
  }
  if (!hasProc) return 'alive';
  const stat = await readStat(pid);
  if (stat === null) return 'dead'; // vanished between kill(0) and the read
  return stat.state === 'Z' || stat.state === 'X' ? 'zombie' : 'alive';
}

/** The parent pid, or null if the process is gone or /proc is unavailable. */
export async function parentPid(pid: number): Promise<number | null> {
  return (await readStat(pid))?.ppid ?? null;
}

async function procLink(pid: number, which: 'exe' | 'cwd'): Promise<string | null> {
  try {
    // A binary replaced on disk (npm ci while the server runs) shows as "<path> (deleted)".
    return (await readlink(`/proc/${pid}/${which}`)).replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

/** Realpath of the executable of `pid`, or null when unreadable (gone, zombie, other user). */
export function exePath(pid: number): Promise<string | null> {
  return procLink(pid, 'exe');
}

/** Working directory of `pid` (a postmaster and its backends chdir into the data dir). */
export function cwdPath(pid: number): Promise<string | null> {
  return procLink(pid, 'cwd');
}

/** realpath() that returns null instead of throwing. */
export async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

let nodeExe: string | null | undefined;

/** Whether `pid` runs a Node.js binary (the only kind of process that owns our server). */
export async function isNodeProcess(pid: number): Promise<boolean> {
  const exe = await exePath(pid);
  if (exe === null) return false;
  nodeExe ??= await realpathOrNull(process.execPath);
  return exe === nodeExe || /^node/.test(basename(exe));
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Waits until `pid` no longer runs (a zombie counts as stopped). */
export function waitUntilStopped(pid: number, timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await pidState(pid)) !== 'alive', timeoutMs);
}

/**
 * Stops a postmaster we do not parent: SIGINT (fast shutdown: clean, no recovery
 * needed), then SIGQUIT (immediate shutdown), then SIGKILL. Returns false if it
 * survived all three.
 */
export async function stopPostmaster(pid: number, graceMs = 15_000): Promise<boolean> {
  const steps: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', graceMs],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ];
  for (const [signal, waitMs] of steps) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if (errnoCode(err) === 'ESRCH') return true;
      throw err;
    }
    if (await waitUntilStopped(pid, waitMs)) return true;
  }
  return false;
}

/**
 * Pids of live processes running `binary` with their cwd in `dir`: the postmaster and any
 * backends that outlived it. Used before deleting a lock file, which is only safe when
 * nothing is attached to the cluster any more.
 */
export async function livePostgresIn(dir: string, binary: string): Promise<number[]> {
  if (!hasProc) return [];
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if ((await exePath(pid)) !== binary || (await cwdPath(pid)) !== dir) continue;
    if ((await pidState(pid)) === 'alive') found.push(pid);
  }
  return found;
}

/** What to run a command as: the postgres user when we are root, else ourselves (null). */
export interface RunAs {
  uid: number;
  gid: number;
}

/** Result of {@link runCommand}. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs a command to completion with a timeout, capturing stdout+stderr together.
 * Spawn failures (EACCES, ENOENT) become an EmbeddedPostgresError rather than the
 * unhandled 'error' event that crashes Node.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  opts: { runAs?: RunAs | null; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < 256 * 1024) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`could not run ${file}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}
