/**
 * The default privacy policy against the real tables: every table of src/db/schema.ts is classified
 * (a policy section or 'no personal data'), every named section exists in default-policy.md, and no
 * table with an obviously personal column is called free of personal data.
 */
import { readFileSync } from 'node:fs';
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../../../db/schema.js';
import { DEFAULT_POLICY_PATH } from './policy-source.js';
import { NO_PERSONAL_DATA, PERSONAL_COLUMNS, POLICY_SECTIONS, TABLE_COVERAGE } from './policy-coverage.js';

const tables: PgTable[] = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
const headings = new Set([...readFileSync(DEFAULT_POLICY_PATH, 'utf8').matchAll(/^## (.+?)\s*$/gm)].map((m) => m[1]!));

describe('default privacy policy coverage', () => {
  it('finds the tables', () => {
    expect(tables.length).toBeGreaterThan(20);
  });

  it('classifies every table of the schema', () => {
    const unclassified = tables.map((t) => getTableName(t)).filter((name) => !(name in TABLE_COVERAGE));
    expect(unclassified, 'add these tables to TABLE_COVERAGE (policy-coverage.ts) and describe them in default-policy.md').toEqual([]);
  });

  it('names no table that does not exist', () => {
    const names = new Set(tables.map((t) => getTableName(t)));
    expect(Object.keys(TABLE_COVERAGE).filter((n) => !names.has(n))).toEqual([]);
  });

  it('finds the section of every table with personal data in the default text', () => {
    const missing = Object.entries(TABLE_COVERAGE).filter(([, section]) => section !== NO_PERSONAL_DATA && !headings.has(section));
    expect(missing).toEqual([]);
    for (const section of Object.values(POLICY_SECTIONS)) expect(headings.has(section), section).toBe(true);
  });

  it('calls no table with a personal column free of personal data', () => {
    const wrong = tables
      .filter((t) => TABLE_COVERAGE[getTableName(t)] === NO_PERSONAL_DATA)
      .flatMap((t) => Object.values(getTableColumns(t)).filter((c) => PERSONAL_COLUMNS.has(c.name)).map((c) => `${getTableName(t)}.${c.name}`));
    expect(wrong).toEqual([]);
  });

  it('tells people how to use their rights and whom to ask', () => {
    expect(headings.has('Your rights and how to use them')).toBe(true);
    expect(headings.has('Contact')).toBe(true);
  });
});
