/** The real server (tsx src/main.ts) as a child process, for tests that kill, restart or race it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from './global-db.js';

/** A started server process. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** what the server wrote to stderr (the last `keepChars` characters) */
  stderr: () => string;
  /** what the server wrote to stdout, its structured log (the last `keepChars` characters) */
  stdout: () => string;
  exited: Promise<number | null>;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns the server with `env` (it must set PORT to `port`); `children` collects it for clean-up. */
export function spawnServer(port: number, env: NodeJS.ProcessEnv, children: ChildProcess[], keepChars = 200_000): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  let out = '';
  child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-keepChars)));
  child.stdout!.on('data', (d) => (out = (out + String(d)).slice(-keepChars)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, port, stderr: () => err, stdout: () => out, exited };
}

/** Waits until /readyz answers 200; throws with the server's stderr when it exits or times out. */
export async function waitReady(p: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`server exited: ${p.stderr()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${p.port}/readyz`);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready in time: ${p.stderr()}`);
}

/** SIGKILLs every child still running and waits for each to exit (afterAll of process tests). */
export async function killChildren(children: ChildProcess[]): Promise<void> {
  const running = children.filter((ch) => ch.exitCode === null && ch.signalCode === null);
  await Promise.all(running.map((ch) => new Promise((r) => ch.once('exit', r).kill('SIGKILL'))));
}

/**
 * A database of its own for a test whose server processes outlive a per-file clone's connection
 * rules (they connect by URL, migrate, get killed): created empty on the test server, dropped by `drop`.
 */
export async function createOwnDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const admin = inject('testAdminUrl');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  return { name, url: withDatabase(admin, name), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined) };
}
