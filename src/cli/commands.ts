/** The CLI's commands; each is a small function over the runtime. */
import type { Config } from '../config.js';
import { email as emailSchema, displayName as nameSchema } from '../features/access/access.schemas.js';
import { createResetLinkForCli } from '../features/access/password-reset.service.js';
import { createSetupLink, setupUrl } from '../features/access/setup.service.js';
import { resetTwoFactorForCli } from '../features/access/two-factor/two-factor.service.js';
import { findUserByEmail } from '../features/access/users.repo.js';
import { backupCommand, erasureLogCommand, restoreCommand } from '../features/backup/backup.commands.js';
import { runPurgeCommand } from '../features/retention/purge.command.js';
import { runRotateKey } from '../features/vault/rotate-key.command.js';
import { runVerifyAudit } from '../features/audit/chain/verify-audit.command.js';
import { demoCommand } from '../features/sandbox/demo/demo.command.js';
import { systemClock } from '../lib/clock.js';
import type { Runtime } from '../runtime.js';

export interface CommandContext {
  config: Config;
  runtime: Runtime;
  values: Record<string, string | boolean | undefined>;
  /** the arguments after the command that are not options (only for commands with `positionals`) */
  positionals?: string[];
  out(line: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage?: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  /** takes plain arguments (a file name) besides its options */
  positionals?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

const createOwner: Command = {
  name: 'create-owner',
  summary: 'print a one-time link (valid 1 hour) to create an owner account',
  usage: '--email E --name N',
  options: { email: { type: 'string' }, name: { type: 'string' } },
  async run({ config, runtime, values, out }) {
    const email = emailSchema.safeParse(values.email ?? '');
    if (!email.success) throw new Error('--email: must be a valid email address');
    const name = nameSchema.safeParse(values.name ?? '');
    if (!name.success) throw new Error('--name: must be 1 to 100 characters');
    if (await findUserByEmail(runtime.database.db, email.data)) throw new Error(`a user with email ${email.data} already exists`);
    const token = await createSetupLink({ db: runtime.database.db, clock: systemClock }, { via: 'cli', email: email.data, displayName: name.data });
    out(`Open this link within 1 hour to set the owner's password:\n\n  ${setupUrl(config.publicUrl, token)}\n`);
    return 0;
  },
};

const resetPassword: Command = {
  name: 'reset-password',
  summary: "print a one-time link (valid 1 hour) to set a user's new password",
  usage: '--email E',
  options: { email: { type: 'string' } },
  async run({ config, runtime, values, out }) {
    const email = emailSchema.safeParse(values.email ?? '');
    if (!email.success) throw new Error('--email: must be a valid email address');
    const token = await createResetLinkForCli({ db: runtime.database.db, clock: systemClock }, email.data);
    out(`Open this link within 1 hour to choose a new password (it signs the user out everywhere):\n\n  ${new URL(`/reset-password#token=${token}`, config.publicUrl).toString()}\n`);
    return 0;
  },
};

const resetTwoFactor: Command = {
  name: 'reset-2fa',
  summary: "reset a user's two-factor authentication (lost device and recovery codes); ends their sessions",
  usage: '--email E',
  options: { email: { type: 'string' } },
  async run({ runtime, values, out }) {
    const email = emailSchema.safeParse(values.email ?? '');
    if (!email.success) throw new Error('--email: must be a valid email address');
    const r = await resetTwoFactorForCli({ db: runtime.database.db, clock: systemClock }, email.data);
    out(`Two-factor authentication of ${email.data} was reset (${r.sessionsEnded} session(s) ended). They sign in with their password and set it up again.`);
    return 0;
  },
};

const rotateKey: Command = {
  name: 'rotate-key',
  summary: 're-encrypt every stored secret under the current (first) key; resumable, safe while the app runs',
  usage: '[--batch-size N] [--max-batches N]',
  options: { 'batch-size': { type: 'string' }, 'max-batches': { type: 'string' } },
  async run({ runtime, values, out }) {
    const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
    return runRotateKey(runtime.database.db, runtime.keyring, { batchSize: str(values['batch-size']), maxBatches: str(values['max-batches']) }, out);
  },
};

const purge: Command = {
  name: 'purge',
  summary: 'delete what is past its retention period now (--dry-run: only count it) and print counts per kind',
  usage: '[--dry-run]',
  options: { 'dry-run': { type: 'boolean' } },
  async run({ config, runtime, values, out }) {
    return runPurgeCommand(config, runtime, { dryRun: values['dry-run'] === true }, out);
  },
};

const verifyAudit: Command = {
  name: 'verify-audit',
  summary: 'check the audit chain and its signed anchors; names the first broken link (exit code 1)',
  usage: '[--anchor]  (--anchor: sign the current head first, so everything written so far is covered)',
  options: { anchor: { type: 'boolean' } },
  async run({ runtime, values, out }) {
    return runVerifyAudit(runtime, { anchorFirst: values.anchor === true }, out);
  },
};

export const COMMANDS: Command[] = [createOwner, resetPassword, resetTwoFactor, rotateKey, purge, verifyAudit, backupCommand, restoreCommand, erasureLogCommand, demoCommand];
