import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_LABELS, actionLabel, knownActions } from './audit-action-labels.js';

/** The action names declared in audit.types.ts (the keys of AuditDetails), read from the source. */
function declaredActions(): string[] {
  const src = readFileSync(new URL('../audit.types.ts', import.meta.url), 'utf8');
  const body = src.slice(src.indexOf('export interface AuditDetails'), src.indexOf('export type AuditAction'));
  return [...body.matchAll(/^\s+'([a-z0-9_]+(?:\.[a-z0-9_]+)+)':/gm)].map((m) => m[1]!);
}

describe('audit action labels', () => {
  it('labels every action audit.types.ts declares', () => {
    const declared = declaredActions();
    expect(declared.length).toBeGreaterThan(30);
    const missing = declared.filter((a) => !(a in AUDIT_ACTION_LABELS));
    expect(missing, `add a label to src/features/audit/log/audit-action-labels.ts for: ${missing.join(', ')}`).toEqual([]);
  });

  it('makes an unlabelled action readable', () => {
    expect(actionLabel('user.invited')).toBe('User invited');
    expect(actionLabel('retention.purge_ran')).toBe('Retention purge ran');
  });

  it('lists the known actions sorted by label', () => {
    const labels = knownActions().map((a) => a.label);
    expect(labels).toEqual([...labels].sort((a, b) => a.localeCompare(b)));
  });
});
