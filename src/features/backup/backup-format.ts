/**
 * The backup file format (version 1), line by line:
 *
 *   CRM-BACKUP 1                      magic line and format version
 *   {"format":"crm-backup",...}       the header, one line of JSON (BackupHeader)
 *   TABLE <name>                      then the table's rows in COPY text format, one per line,
 *   ...                               each section ended by the line `\.` (a data line never is:
 *   \.                                COPY text format writes a backslash as `\\`)
 *   ...                               one section per table, in foreign-key dependency order
 *   SHA256 <64 hex>                   SHA-256 of every byte before this line
 *
 * The trailer has a fixed length, so a reader finds it at the end without parsing. The checksum
 * finds corruption (a truncated copy, a flipped bit); it is not a signature.
 */
import { z } from 'zod';

export const MAGIC_LINE = 'CRM-BACKUP 1\n';
export const FORMAT_VERSION = 1;
export const SECTION_END = '\\.\n';
export const TRAILER_PREFIX = 'SHA256 ';
/** `SHA256 ` + 64 hex digits + newline */
export const TRAILER_LENGTH = TRAILER_PREFIX.length + 64 + 1;

export const backupHeaderSchema = z.object({
  format: z.literal('crm-backup'),
  version: z.literal(FORMAT_VERSION),
  /** the snapshot's time (its transaction's start), ISO 8601 */
  createdAt: z.string(),
  /** the schema version: drizzle's applied migrations, oldest first */
  schema: z.object({
    migrationCount: z.number().int().nonnegative(),
    migrations: z.array(z.object({ hash: z.string(), createdAt: z.number() })),
  }),
  /** vault key check values (never a key): a restore needs keys that match them */
  keyChecks: z.array(z.object({ keyId: z.string(), checkValue: z.string() })),
  /** the key ids stored secrets are encrypted under: a restore needs each of them */
  secretKeyIds: z.array(z.string()),
  /** the snapshot's next transaction id (xid8 as text): a restore target's counter is moved past it */
  xidNext: z.string().regex(/^\d+$/),
  /** the highest erasure_log id in the snapshot (null: none) */
  erasureMaxId: z.number().int().nullable(),
  /** each table's columns as written, in file order */
  tables: z.array(z.object({ name: z.string().min(1), columns: z.array(z.string().min(1)).min(1) })),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Thrown for anything that makes a backup or restore refuse; the CLI prints the message. */
export class BackupError extends Error {
  override name = 'BackupError';
}
