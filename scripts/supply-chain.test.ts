import { describe, expect, it } from 'vitest';
import { advisoriesOf, classify, exceptionsFileSchema, unallowedInstallScripts } from './supply-chain.js';

const audit = {
  vulnerabilities: {
    lodash: { severity: 'high', via: [{ url: 'https://github.com/advisories/GHSA-aaaa', title: 'Prototype pollution', severity: 'high' }] },
    express: { severity: 'high', via: ['lodash'] },
    minimist: { severity: 'moderate', via: [{ url: 'https://github.com/advisories/GHSA-bbbb', title: 'x', severity: 'moderate' }] },
    jwt: { severity: 'critical', via: [{ url: 'https://github.com/advisories/GHSA-cccc', title: 'Signature bypass', severity: 'critical' }] },
  },
};

describe('supply-chain report', () => {
  it('keeps high and critical advisories, not moderate ones or transitive pointers', () => {
    expect(advisoriesOf(audit).map((a) => `${a.package} ${a.severity}`)).toEqual(['lodash high', 'jwt critical']);
    expect(advisoriesOf({ error: 'endpoint down' })).toEqual([]);
  });

  it('separates excepted advisories from unlisted ones and reports expired exceptions', () => {
    const exceptions = [
      { advisory: 'GHSA-aaaa', package: 'lodash', reason: 'only reachable through the build tool', added: '2026-11-01', review_by: '2027-02-01' },
      { advisory: 'GHSA-cccc', package: 'jwt', reason: 'the vulnerable function is never called', added: '2026-01-01', review_by: '2026-06-01' },
    ];
    const r = classify(advisoriesOf(audit), exceptions, '2026-11-26');
    expect(r.excepted.map((a) => a.package)).toEqual(['lodash']);
    expect(r.unlisted.map((a) => a.package)).toEqual(['jwt']); // its exception expired, so it counts as unseen
    expect(r.expired.map((e) => e.package)).toEqual(['jwt']);
  });

  it('refuses an exception without a dated reason', () => {
    expect(exceptionsFileSchema.safeParse({ exceptions: [{ advisory: 'GHSA-x', package: 'p', reason: 'because', added: 'today', review_by: '2027-01-01' }] }).success).toBe(false);
  });

  it('names packages whose install scripts are not allowed', () => {
    const lock = { packages: { '': {}, 'node_modules/esbuild': { hasInstallScript: true }, 'node_modules/a/node_modules/evil': { hasInstallScript: true }, 'node_modules/ok': {} } };
    expect(unallowedInstallScripts(lock, { esbuild: true })).toEqual(['evil']);
  });
});
