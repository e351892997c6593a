/**
 * CSV for the audit export (RFC 4180: CRLF rows, fields quoted when they hold a quote, comma or line
 * break), made formula-safe: spreadsheet programs run a cell that starts with = + - @ (or a tab or
 * carriage return, which some strip before looking) as a formula, so such a cell gets a leading '.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: formula-safe, quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record with its CRLF. */
export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
