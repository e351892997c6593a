/**
 * CPU time of processes from /proc/<pid>/stat (Linux): utime + stime in clock ticks (all threads of
 * the process), converted with CLK_TCK from `getconf CLK_TCK`. Read before and after a phase; the
 * difference is what the process spent in it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let clkTck: number | null = null;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
export function clockTicks(): number {
  if (clkTck === null) {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clkTck = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clkTck;
}

interface Stat {
  ppid: number;
  /** utime + stime of the process itself */
  own: number;
  /** cutime + cstime: children it has waited for (exited backends, for a postmaster) */
  reaped: number;
}

/** Fields of /proc/<pid>/stat after the command name, or null when the process is gone. */
function stat(pid: number): Stat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 3 (state) onwards; the command name in parentheses may contain spaces
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3), f[1] = ppid (4), f[11..14] = utime, stime, cutime, cstime (14..17)
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU milliseconds one process has used so far (its own threads only). */
export function processCpuMs(pid: number): number {
  const s = stat(pid);
  if (!s) throw new Error(`process ${pid} is gone`);
  return (s.own * 1000) / clockTicks();
}

/**
 * CPU milliseconds of a server and its direct children (a postmaster and its backends, checkpointer,
 * WAL writer ...) so far: the root's own time, what its reaped children used (exited backends count
 * there once the postmaster has waited for them) and what the live children have used.
 */
export function processTreeCpuMs(root: number): number {
  const r = stat(root);
  if (!r) throw new Error(`process ${root} is gone`);
  let ticks = r.own + r.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.ppid === root) ticks += s.own + s.reaped;
  }
  return (ticks * 1000) / clockTicks();
}
