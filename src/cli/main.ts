/**
 * Operator commands: `npm run cli -- <command> [options]`. Works whether or not the server runs: in
 * embedded mode it attaches to the running server through DATA_DIR, or starts it itself.
 * Whoever runs the CLI on the server is trusted (outside the permission table).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openRuntime } from '../runtime.js';
import { COMMANDS } from './commands.js';

function usage(): string {
  const lines = ['Usage: npm run cli -- <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(16)} ${c.summary}`, ...(c.usage ? [`  ${''.padEnd(16)} ${c.usage}`] : []));
  return lines.join('\n');
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: command.positionals === true }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${command.usage ?? ''}\n`);
    return 2;
  }
  const config = loadConfig();
  // The CLI's own log lines go to stderr so command output on stdout stays clean.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const runtime = await openRuntime(config, logger, 'cli');
  try {
    return await command.run({ config, runtime, values, positionals, out: (s) => process.stdout.write(`${s}\n`) });
  } finally {
    await runtime.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (err) {
  const msg = err instanceof ConfigError ? `Configuration error: ${err.message}` : `Error: ${(err as Error).message}`;
  process.stderr.write(`${msg}\n`);
  process.exitCode = 1;
}
