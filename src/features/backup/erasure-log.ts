/**
 * The erasure log: one row per erasure, with a pseudonymous subject id and what was erased (never
 * the personal data itself). Erasing code calls recordErasure in the same transaction as the
 * erasure; `npm run cli -- erasure-log export FILE` writes the log on its own (JSON lines), and
 * `restore --erasures FILE` applies every exported erasure the restored backup does not hold yet,
 * so a restore from an older backup does not bring erased people back.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { asc, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { erasureLog } from '../../db/schema.js';
import { BackupError } from './backup-format.js';
import { ERASURE_ACTIONS, ERASURE_SUBJECT_TYPES, erasureProblem, type ErasureAction, type ErasureEntry, type ErasureSubjectType } from './erasure-actions.js';

export interface ErasureInput {
  subjectType: ErasureSubjectType;
  /** the user's or record's uuid, or the Meta user id: never an email, name or phone number */
  subjectId: string;
  action: ErasureAction;
  /** non-personal parameters: kinds, counts, the request id, record ids */
  details?: Record<string, unknown>;
}

/**
 * Records an erasure; call it inside the transaction that erases, so the log and the data agree
 * (the backup's snapshot then holds both or neither). Returns the entry's id.
 */
export async function recordErasure(ex: Executor, input: ErasureInput): Promise<number> {
  const details = input.details ?? {};
  const problem = erasureProblem({ ...input, details });
  if (problem) throw new Error(`recordErasure: ${problem}`);
  const [row] = await ex
    .insert(erasureLog)
    .values({ at: sql`now()`, subjectType: input.subjectType, subjectId: input.subjectId, action: input.action, details })
    .returning({ id: erasureLog.id });
  return row!.id;
}

const FILE_FORMAT = 'crm-erasure-log';
const fileHeaderSchema = z.object({ format: z.literal(FILE_FORMAT), version: z.literal(1), exportedAt: z.string() });
const fileEntrySchema = z.object({
  id: z.number().int().positive(),
  at: z.iso.datetime({ offset: true }),
  subjectType: z.enum(ERASURE_SUBJECT_TYPES),
  subjectId: z.string().min(1),
  action: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
});

/** Writes the whole log as JSON lines (a header line, then one entry per line, oldest first) to FILE, mode 0600. */
export async function exportErasureLog(ex: Executor, file: string): Promise<{ file: string; entries: number }> {
  const target = path.resolve(file);
  const tmp = `${target}.tmp`;
  await rm(tmp, { force: true });
  const out = createWriteStream(tmp, { mode: 0o600, flags: 'wx' });
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  let entries = 0;
  try {
    await write(JSON.stringify({ format: FILE_FORMAT, version: 1, exportedAt: new Date().toISOString() }));
    let after = 0;
    for (;;) {
      const rows = await ex.select().from(erasureLog).where(gt(erasureLog.id, after)).orderBy(asc(erasureLog.id)).limit(1000);
      for (const r of rows) {
        await write(JSON.stringify({ id: r.id, at: r.at.toISOString(), subjectType: r.subjectType, subjectId: r.subjectId, action: r.action, details: r.details }));
      }
      entries += rows.length;
      if (rows.length < 1000) break;
      after = rows[rows.length - 1]!.id;
    }
    out.end();
    await once(out, 'finish');
    const fh = await open(tmp, 'r');
    await fh.sync();
    await fh.close();
    await rename(tmp, target);
    return { file: target, entries };
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Reads and checks an exported log: every line well-formed, every action one this version can
 * apply. Refuses (BackupError naming the line) before the restore writes anything.
 */
export async function readErasureFile(file: string): Promise<ErasureEntry[]> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const entries: ErasureEntry[] = [];
  let n = 0;
  try {
    for await (const line of rl) {
      n++;
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new BackupError(`${file} line ${n}: not JSON`);
      }
      if (n === 1) {
        if (!fileHeaderSchema.safeParse(json).success) throw new BackupError(`${file}: not an erasure log export (npm run cli -- erasure-log export FILE)`);
        continue;
      }
      const parsed = fileEntrySchema.safeParse(json);
      if (!parsed.success) throw new BackupError(`${file} line ${n}: ${parsed.error.issues[0]?.path.join('.') || 'entry'}: ${parsed.error.issues[0]?.message}`);
      const problem = erasureProblem(parsed.data);
      if (problem) throw new BackupError(`${file} line ${n} (erasure ${parsed.data.id}): ${problem}; the restore applies none of the file`);
      entries.push({ ...parsed.data, at: new Date(parsed.data.at), action: parsed.data.action as ErasureAction });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupError(`${file}: no such file`);
    throw err;
  }
  if (n === 0) throw new BackupError(`${file}: empty; expected an erasure log export`);
  return entries;
}

export { ERASURE_ACTIONS };
