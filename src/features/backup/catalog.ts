/**
 * What the backup and restore learn from PostgreSQL's catalog rather than from the drizzle schema,
 * so every table the migrations create is covered, including ones added later: the application's
 * tables (the schema the migrations ran in; pg-boss's own `pgboss` schema is left out on purpose:
 * its jobs are transient and the app re-creates its schedules at start), their columns, the
 * foreign-key order and the sequences behind serial and identity columns.
 */
import type pg from 'pg';
import { quoteIdent } from './backup-format.js';

export interface TableInfo {
  name: string;
  /** stored columns in attribute order (generated columns are left out: they cannot be loaded) */
  columns: string[];
  /** tables this one references (other than itself) */
  references: string[];
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Every ordinary table of the application schema, sorted so referenced tables come first. */
export async function listTables(client: Queryable): Promise<TableInfo[]> {
  const cols = await client.query<{ table: string; column: string }>(`
    SELECT c.relname AS "table", a.attname AS "column"
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
    ORDER BY c.relname, a.attnum`);
  const fks = await client.query<{ table: string; ref: string }>(`
    SELECT DISTINCT c.relname AS "table", r.relname AS "ref"
    FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_class r ON r.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype = 'f' AND n.nspname = current_schema() AND r.relnamespace = n.oid AND r.oid <> c.oid`);
  const tables = new Map<string, TableInfo>();
  for (const row of cols.rows) {
    const t = tables.get(row.table) ?? { name: row.table, columns: [], references: [] };
    t.columns.push(row.column);
    tables.set(row.table, t);
  }
  for (const fk of fks.rows) tables.get(fk.table)?.references.push(fk.ref);
  return dependencyOrder([...tables.values()]);
}

/** Kahn's algorithm, ties by name; a cycle (none today) leaves its tables at the end by name. */
export function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const pending = [...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let progress = true;
  while (progress) {
    progress = false;
    for (const t of pending) {
      if (done.has(t.name)) continue;
      if (t.references.every((r) => done.has(r) || !byName.has(r))) {
        done.add(t.name);
        out.push(t);
        progress = true;
      }
    }
  }
  for (const t of pending) if (!done.has(t.name)) out.push(t);
  return out;
}

/** Every sequence owned by a column of the application schema (serial, bigserial, identity). */
export async function listOwnedSequences(client: Queryable): Promise<{ sequence: string; table: string; column: string }[]> {
  const r = await client.query<{ sequence: string; table: string; column: string }>(`
    SELECT s.relname AS "sequence", t.relname AS "table", a.attname AS "column"
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    JOIN pg_namespace n ON n.oid = s.relnamespace
    WHERE s.relkind = 'S' AND n.nspname = current_schema()
    ORDER BY 1`);
  return r.rows;
}

/** Sets each owned sequence to the max of its column (or back to its start when the table is empty). */
export async function resetSequences(client: Queryable): Promise<number> {
  const seqs = await listOwnedSequences(client);
  for (const s of seqs) {
    const seq = `${quoteIdent(s.sequence)}`;
    await client.query(
      `SELECT CASE WHEN m IS NULL THEN setval($1::regclass, (SELECT seqstart FROM pg_sequence WHERE seqrelid = $1::regclass), false)
                   ELSE setval($1::regclass, m, true) END
       FROM (SELECT max(${quoteIdent(s.column)})::bigint AS m FROM ${quoteIdent(s.table)}) x`,
      [seq],
    );
  }
  return seqs.length;
}
