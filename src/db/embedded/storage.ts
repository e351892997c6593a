/**
 * Watches the volume under the embedded cluster's data directory: full or read-only storage makes
 * every write fail, and a full one can make PostgreSQL PANIC when it needs its next WAL segment.
 * The app reports it on /readyz and logs each change once, so the operator learns the cause from
 * one line instead of from a stream of failed requests.
 */
import { statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StorageProblem } from '../unavailable.js';
import { errnoCode } from './errors.js';

/**
 * PostgreSQL writes its WAL in 16 MiB segment files: with less free space than one segment, the
 * next segment cannot be created, and that is a PANIC (all connections cut), not an error.
 */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

export interface StorageState {
  problem: StorageProblem | null;
  /** free bytes for an unprivileged user (the server runs as one); null when unknown */
  freeBytes: number | null;
}

/**
 * Checks that `dir` is writable and has at least `minFree` bytes free. Writability is probed by
 * creating and removing an empty file beside `dir` (in DATA_DIR/pg, which the app owns): a kernel's
 * emergency read-only switch after I/O errors (ext4 errors=remount-ro) does not show in access(2).
 * Unknown counts as fine.
 */
export async function checkStorage(dir: string, minFree = MIN_FREE_BYTES): Promise<StorageState> {
  const probe = join(dirname(dir), `.write-probe-${process.pid}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
  } catch (err) {
    if (errnoCode(err) === 'EROFS') return { problem: 'storage_read_only', freeBytes: null };
  }
  try {
    const s = await statfs(dir);
    const free = s.bavail * s.bsize;
    return { problem: free < minFree ? 'storage_full' : null, freeBytes: free };
  } catch {
    return { problem: null, freeBytes: null };
  }
}

export interface StorageWatch {
  /** checks now (logging a change) and returns the state */
  check(): Promise<StorageState>;
  stop(): void;
}

/** Checks every `intervalMs` and whenever asked; logs when the state changes. */
export function watchStorage(opts: {
  dir: string;
  logger: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  intervalMs?: number;
}): StorageWatch {
  let last: StorageProblem | null = null;
  const check = async (): Promise<StorageState> => {
    const state = await checkStorage(opts.dir);
    if (state.problem !== last) {
      const previous = last;
      last = state.problem;
      const where = { dir: opts.dir, freeBytes: state.freeBytes };
      if (state.problem === 'storage_full') {
        opts.logger.error(where, `embedded database storage is full (less than ${MIN_FREE_BYTES / 1024 / 1024} MiB free): writes fail until disk space is freed on the volume of DATA_DIR`);
      } else if (state.problem === 'storage_read_only') {
        opts.logger.error(where, 'embedded database storage is read-only: writes fail; make the volume of DATA_DIR writable again (a volume the kernel remounted read-only after an I/O error needs a check first)');
      } else {
        // warn, not info: the all-clear must show wherever the error showed
        opts.logger.warn({ ...where, previous }, 'embedded database storage is writable and has free space again');
      }
    }
    return state;
  };
  const timer = setInterval(() => void check().catch(() => undefined), opts.intervalMs ?? 5_000);
  timer.unref();
  void check().catch(() => undefined);
  return { check, stop: () => clearInterval(timer) };
}
