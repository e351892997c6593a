/** The CLI's backup, restore and erasure-log commands (registered in src/cli/commands.ts). */
import type { Command } from '../../cli/commands.js';
import { writeBackup } from './backup.js';
import { exportErasureLog } from './erasure-log.js';
import { NOT_RESTORED, restoreBackup } from './restore.js';

const one = (positionals: string[] | undefined, what: string): string => {
  if (!positionals || positionals.length !== 1 || !positionals[0]) throw new Error(`expected one ${what}`);
  return positionals[0];
};

export const backupCommand: Command = {
  name: 'backup',
  summary: 'write a consistent backup of every table to FILE (mode 0600) while the app runs; never contains the encryption key',
  usage: 'FILE',
  positionals: true,
  options: {},
  async run({ runtime, positionals, out }) {
    const file = one(positionals, 'FILE to write the backup to');
    const started = Date.now();
    const r = await writeBackup(runtime.database.pool, file);
    const rows = r.tables.reduce((n, t) => n + t.rows, 0);
    out(`Backup written to ${r.file}: ${r.tables.length} tables, ${rows} rows, ${r.bytes} bytes, schema version ${r.header.schema.migrationCount}, in ${Date.now() - started} ms.`);
    out('Keep the encryption key (ENCRYPTION_KEY(S) or DATA_DIR/encryption.key) somewhere else: a restore needs it and the backup does not hold it.');
    return 0;
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'load a backup into a fresh, migrated database (needs the encryption key(s)); --erasures re-applies later erasures',
  usage: 'FILE [--erasures ERASURE_FILE]',
  positionals: true,
  options: { erasures: { type: 'string' } },
  async run({ runtime, values, positionals, out }) {
    const file = one(positionals, 'backup FILE to restore');
    const erasuresFile = typeof values.erasures === 'string' ? values.erasures : undefined;
    const r = await restoreBackup(runtime.database.pool, { file, erasuresFile, ring: runtime.keyring, progress: out });
    const rows = r.tables.reduce((n, t) => n + t.rows, 0);
    out(`Restored ${rows} rows in ${r.tables.length} tables from the backup of ${r.header.createdAt}; ${r.erasuresApplied} later erasure(s) applied again.`);
    out(`Not restored on purpose: ${NOT_RESTORED.join(', ')} (everyone signs in again).`);
    return 0;
  },
};

export const erasureLogCommand: Command = {
  name: 'erasure-log',
  summary: 'export the erasure log (JSON lines, no personal data) for restore --erasures',
  usage: 'export FILE',
  positionals: true,
  options: {},
  async run({ runtime, positionals, out }) {
    if (!positionals || positionals.length !== 2 || positionals[0] !== 'export' || !positionals[1]) throw new Error('usage: erasure-log export FILE');
    const r = await exportErasureLog(runtime.database.db, positionals[1]);
    out(`Erasure log exported to ${r.file}: ${r.entries} entries.`);
    return 0;
  },
};
