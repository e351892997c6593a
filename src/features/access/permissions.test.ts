import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { permissionsMarkdown } from './permissions-doc.js';
import { abilitiesOf, roleAtMost, roleMay } from './permissions.js';

describe('permission table', () => {
  it('is what docs/SECURITY.md shows (regenerate the block with `npx tsx scripts/permissions-doc.ts`)', () => {
    const doc = readFileSync('docs/SECURITY.md', 'utf8');
    const block = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(doc)?.[1];
    expect(block).toBe(permissionsMarkdown());
  });

  it('denies by default and follows permissions.md for a few anchor rows', () => {
    expect(roleMay('viewer', 'users.list')).toBe(true);
    expect(roleMay('operator', 'users.activity.read')).toBe(false);
    expect(roleMay('admin', 'onboarding.pin.reveal')).toBe(false);
    expect(roleMay('owner', 'onboarding.pin.reveal')).toBe(true);
    expect(roleMay('viewer', 'onboarding.retry')).toBe(false);
    expect(roleMay('operator', 'webhooks.read')).toBe(true);
    expect(roleMay('admin', 'legal_hold.manage')).toBe(false);
    expect(roleMay('owner', 'public.health')).toBe(false); // public actions are not abilities
    expect(abilitiesOf('viewer')).not.toContain('audit.read');
  });

  it('never lets anyone grant or act above their own rank', () => {
    expect(roleAtMost('admin', 'owner')).toBe(false);
    expect(roleAtMost('admin', 'admin')).toBe(true);
    expect(roleAtMost('operator', 'viewer')).toBe(true);
  });
});
