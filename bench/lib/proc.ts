/** Child processes of the benchmarks: spawn with captured output, stop with a deadline, /proc probes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** last lines of stdout+stderr, for error messages */
  output(): string;
  /** why it is gone, or null while it runs */
  exited(): string | null;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const KEEP_CHARS = 16_000;

/** Spawns `cmd args` with exactly `env` (nothing inherited unless passed in). */
export function spawnCaptured(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Spawned {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-KEEP_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let gone: string | null = null;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      gone = `could not run ${cmd}: ${err.message}`;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => {
      gone = `process exited (${code ?? signal}) before it was ready:\n${out}`;
      resolve({ code, signal });
    });
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${cmd}`);
  return { child, pid: child.pid, output: () => out, exited: () => gone, exit };
}

/** SIGTERM, then SIGKILL after `timeoutMs`. Returns how it ended and whether the kill was needed. */
export async function stopProcess(p: Spawned, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return { ...(await p.exit), killed: false };
  p.child.kill('SIGTERM');
  const timer = sleep(timeoutMs).then(() => 'timeout' as const);
  const first = await Promise.race([p.exit, timer]);
  if (first !== 'timeout') return { ...first, killed: false };
  p.child.kill('SIGKILL');
  return { ...(await p.exit), killed: true };
}

/** Resident memory of `pid` in MB (VmRSS from /proc). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live processes whose command line mentions `needle`, or whose parent is one of `parents`. */
export function processesMatching(needle: string, parents: readonly number[] = []): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (fields[0] !== 'Z' && (cmdline.includes(needle) || parents.includes(ppid))) found.push(pid);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** Waits up to `timeoutMs` for `pids()` to become empty; returns what is left. */
export async function waitGone(pids: () => number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids();
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}
