/**
 * Test fixture: a stand-in for the app process that owns an embedded server, so tests can
 * SIGKILL "the app". Usage: node --import tsx owner-app.ts <dataDir> [ephemeral]
 * Prints one JSON line on stdout once ready ({ appPid, pgPid, url } or { error }),
 * logs to stderr, stops the server on SIGTERM, and otherwise runs until killed.
 */
import { startEmbeddedPostgres } from '../index.js';

const [dataDir, flag] = process.argv.slice(2);
const log = (level: string) => (msg: string) => void process.stderr.write(`${level} ${msg}\n`);
const logger = { info: log('info'), warn: log('warn'), error: log('error') };

if (!dataDir) throw new Error('usage: owner-app.ts <dataDir> [ephemeral]');
try {
  const server = await startEmbeddedPostgres({ dataDir, logger, ephemeral: flag === 'ephemeral' });
  process.stdout.write(`${JSON.stringify({ appPid: process.pid, pgPid: server.pid, url: server.urlFor('postgres') })}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
  setInterval(() => undefined, 60_000); // stay alive until killed
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
}
