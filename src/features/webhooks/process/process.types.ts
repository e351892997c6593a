/** What processing needs and what applying one event reports. */
import type { Db } from '../../../db/client.js';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../logger.js';

/** The dependencies of processing (the app and the jobs build them from their own). */
export interface ProcessDeps {
  db: Db;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** The outcome of one event: the record it concerned, and facts merged into its summary. */
export interface Outcome {
  recordId: string | null;
  note: Record<string, unknown> | null;
}

/** No record of the WABA: not an error. */
export const NO_RECORD: Outcome = { recordId: null, note: { record: 'none' } };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The stored raw value, or an error when retention erased it before processing. */
export function payloadOf(p: unknown): Record<string, unknown> {
  if (!isObject(p)) throw new Error('raw value no longer stored (retention) or not an object');
  return p;
}

/** A plain string field of a payload (bounded), else null. */
export function str(v: unknown, max = 200): string | null {
  return typeof v === 'string' ? v.slice(0, max) : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

/** A nested object of a payload, else an empty one. */
export function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
