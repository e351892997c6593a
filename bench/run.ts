/**
 * Benchmark runner: `npm run bench` runs every bench/benchmarks/NAME.bench.ts in turn, each in its
 * own child process; `npm run bench -- NAME [NAME...]` runs only those. Each child prints its
 * Result as the last stdout line. Exit code 1 when a benchmark crashes or prints no valid result
 * (a goal not met is `met: false`, not a failure), 2 for an unknown name.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { note } from './lib/stats.js';
import { REQUIRED_KEYS, type Benchmark, type Result } from './lib/types.js';

const SUFFIX = '.bench.ts';
const DIR = new URL('./benchmarks/', import.meta.url);
const CHILD_TIMEOUT_MS = 15 * 60_000;

/** name -> module URL, from the file names (NAME.bench.ts). */
function registry(): Map<string, URL> {
  const files = readdirSync(DIR).filter((f) => f.endsWith(SUFFIX)).sort();
  return new Map(files.map((f) => [f.slice(0, -SUFFIX.length), new URL(f, DIR)]));
}

function validResult(v: unknown, name: string): v is Result {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return REQUIRED_KEYS.every((k) => k in r) && r.name === name && typeof r.value === 'number' && typeof r.met === 'boolean';
}

/** Child mode: run one benchmark in this process and print its result last. */
async function runChild(name: string, url: URL): Promise<never> {
  try {
    const mod = (await import(url.href)) as { default?: Benchmark };
    const bench = mod.default;
    if (!bench || bench.name !== name || typeof bench.run !== 'function') throw new Error(`${url.pathname} must default-export { name: '${name}', run }`);
    const result = await bench.run();
    if (!validResult(result, name)) throw new Error(`benchmark ${name} returned an invalid result: ${JSON.stringify(result)}`);
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  } catch (err) {
    process.stderr.write(`benchmark ${name} crashed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
  return new Promise<never>(() => undefined);
}

/** Parent mode: spawn this file in child mode (same tsx loader), forward its stdout, read the last line. */
function runInChild(name: string): Promise<Result | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    const timer = setTimeout(() => {
      note(`${name}: no result after ${CHILD_TIMEOUT_MS / 60_000} min; killing it`);
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trimEnd().split('\n').pop() ?? '';
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(last);
      } catch {
        /* reported below */
      }
      if (code !== 0 || !validResult(parsed, name)) {
        note(`${name}: FAILED (exit ${code ?? signal}${code === 0 ? ', no valid result line' : ''})`);
        resolve(null);
      } else resolve(parsed);
    });
  });
}

async function main(): Promise<void> {
  const benches = registry();
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const url = benches.get(args[1] ?? '');
    if (!url) process.exit(2);
    await runChild(args[1]!, url);
  }
  const unknown = args.filter((a) => !benches.has(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${[...benches.keys()].join(', ')}\n`);
    process.exit(2);
  }
  const names = args.length > 0 ? args : [...benches.keys()];
  let failed = 0;
  const summary: string[] = [];
  for (const name of names) {
    note(`running ${name}`);
    const r = await runInChild(name);
    if (!r) failed++;
    summary.push(r ? `${name}: ${r.value} ${r.unit} (goal ${r.goal}) ${r.met ? 'met' : 'NOT met'}` : `${name}: crashed`);
  }
  note(`summary:\n  ${summary.join('\n  ')}`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
