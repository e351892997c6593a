import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openRuntime } from '../src/runtime.js';
import { prepareBenchEnv } from './lib/database.js';
import { median } from './lib/stats.js';
const env = await prepareBenchEnv('explore');
const config = loadConfig({ DATA_DIR: env.dataDir, LOG_LEVEL: 'warn', ...env.appEnv });
const rt = await openRuntime(config, createLogger('warn', process.stderr), 'server');
const pool = rt.database.pool;
await pool.query('create table t (id serial primary key, v text)');
async function time(label: string, fn: () => Promise<unknown>, n = 100) {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); await fn(); xs.push(performance.now() - t0); }
  console.error(label, median(xs).toFixed(3), 'ms');
}
await time('select 1', () => pool.query('select 1')); await time('txid_current', () => pool.query('select txid_current()'));
await time('insert autocommit', () => pool.query("insert into t(v) values ('x')"));
const c = await pool.connect();
await time('txn 5 stmts', async () => { await c.query('begin'); for (let i=0;i<3;i++) await c.query("insert into t(v) values ('x')"); await c.query('commit'); });
await c.query('set synchronous_commit = off');
await time('insert async commit', () => c.query("insert into t(v) values ('x')"));
c.release();
console.error((await pool.query("select name, setting from pg_settings where name in ('fsync','synchronous_commit','wal_sync_method','shared_buffers')")).rows);
await rt.close(); await env.cleanup();
