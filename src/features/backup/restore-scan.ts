/**
 * Reads a backup file once, without loading it: checks the SHA-256 trailer, the framing and the
 * header, and finds where each table's rows are, so the load can stream each section into COPY in
 * the target's own foreign-key order. Memory stays bounded (a line at a time).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { BackupError, backupHeaderSchema, MAGIC_LINE, SECTION_END, TRAILER_LENGTH, TRAILER_PREFIX, type BackupHeader } from './backup-format.js';

export interface Section {
  name: string;
  /** byte range of the section's rows: [start, end) */
  start: number;
  end: number;
  rows: number;
}

export interface ScannedBackup {
  header: BackupHeader;
  sections: Section[];
  bytes: number;
}

const corrupt = (why: string) => new BackupError(`the backup is corrupt or incomplete (${why}); nothing was restored`);

export async function scanBackup(file: string): Promise<ScannedBackup> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new BackupError(`${file}: no such file`);
  }
  if (size < MAGIC_LINE.length + TRAILER_LENGTH) throw corrupt('too short');
  const fh = await open(file, 'r');
  const trailer = Buffer.alloc(TRAILER_LENGTH);
  try {
    await fh.read(trailer, 0, TRAILER_LENGTH, size - TRAILER_LENGTH);
  } finally {
    await fh.close();
  }
  const m = /^SHA256 ([0-9a-f]{64})\n$/.exec(trailer.toString('latin1'));
  if (!m || !trailer.toString('latin1').startsWith(TRAILER_PREFIX)) throw corrupt('no checksum at the end: the file was cut short or is not a backup');
  const contentEnd = size - TRAILER_LENGTH;

  const hash = createHash('sha256');
  const sections: Section[] = [];
  type State = 'magic' | 'header' | 'marker' | 'data';
  // (assigned inside onLine: typed wide so the checks after the loop are not narrowed away)
  let state = 'magic' as State;
  let headerLine = '';
  let current = null as Section | null;
  let framing = null as string | null;
  const onLine = (line: Buffer, startOffset: number) => {
    if (framing) return;
    switch (state) {
      case 'magic':
        if (line.toString('utf8') !== MAGIC_LINE) framing = 'not a CRM backup of format 1';
        state = 'header';
        return;
      case 'header':
        headerLine = line.toString('utf8');
        state = 'marker';
        return;
      case 'marker': {
        const text = line.toString('utf8');
        if (!text.startsWith('TABLE ') || !text.endsWith('\n')) {
          framing = `unexpected line at byte ${startOffset}`;
          return;
        }
        current = { name: text.slice(6, -1), start: startOffset + line.length, end: 0, rows: 0 };
        state = 'data';
        return;
      }
      case 'data':
        if (line.length === SECTION_END.length && line.toString('latin1') === SECTION_END) {
          current!.end = startOffset;
          sections.push(current!);
          current = null;
          state = 'marker';
        } else current!.rows++;
    }
  };

  let pending: Buffer | null = null;
  let pendingStart = 0;
  let offset = 0;
  if (contentEnd > 0) {
    for await (const raw of createReadStream(file, { start: 0, end: contentEnd - 1, highWaterMark: 1 << 20 })) {
      const chunk = raw as Buffer;
      hash.update(chunk);
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
        const piece = chunk.subarray(from, nl + 1);
        if (pending) {
          onLine(Buffer.concat([pending, piece]), pendingStart);
          pending = null;
        } else onLine(piece, offset + from);
        from = nl + 1;
      }
      if (from < chunk.length) {
        const rest = chunk.subarray(from);
        if (pending) pending = Buffer.concat([pending, rest]);
        else {
          pending = Buffer.from(rest);
          pendingStart = offset + from;
        }
      }
      offset += chunk.length;
    }
  }
  if (hash.digest('hex') !== m[1]) throw corrupt('checksum mismatch: the file was changed or damaged');
  if (framing) throw corrupt(framing);
  if (pending || state !== 'marker') throw corrupt('a table section is not closed');

  let header: BackupHeader;
  try {
    header = backupHeaderSchema.parse(JSON.parse(headerLine));
  } catch {
    throw corrupt('unreadable header');
  }
  if (header.schema.migrationCount !== header.schema.migrations.length) throw corrupt('the header lists a different number of migrations than it counts');
  const names = sections.map((s) => s.name).join(',');
  if (names !== header.tables.map((t) => t.name).join(',')) throw corrupt('the table sections do not match the header');
  return { header, sections, bytes: size };
}
