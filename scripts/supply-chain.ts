/**
 * Supply-chain report for CI (issue #11): `npm audit --omit=dev` read against a dated exceptions
 * file, and the lock file checked for packages that run install scripts without being allowed to.
 *
 * Why it reports instead of failing on advisories: an advisory published upstream must not turn main
 * red without a code change, but it must not go unseen either. So new high/critical advisories are
 * printed loudly and listed with what to do, and so are exceptions past their review date; only a
 * malformed exceptions file or an install script nobody allowed fails the step (those are changes
 * made in this repository).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const exceptionSchema = z.object({
  advisory: z.string().min(1), // GHSA id or npm advisory URL
  package: z.string().min(1),
  reason: z.string().min(20),
  added: z.iso.date(),
  review_by: z.iso.date(),
});
export const exceptionsFileSchema = z.object({ exceptions: z.array(exceptionSchema) });
export type AuditException = z.infer<typeof exceptionSchema>;

export interface Advisory {
  package: string;
  severity: string;
  advisory: string;
  title: string;
}

/** The high and critical advisories of `npm audit --json` (v7+ shape), one per package and advisory. */
export function advisoriesOf(auditJson: unknown): Advisory[] {
  const parsed = z
    .object({
      vulnerabilities: z.record(
        z.string(),
        z.object({ severity: z.string(), via: z.array(z.union([z.string(), z.object({ url: z.string().optional(), title: z.string().optional(), severity: z.string().optional() })])) }),
      ),
    })
    .safeParse(auditJson);
  if (!parsed.success) return [];
  const out: Advisory[] = [];
  for (const [pkg, v] of Object.entries(parsed.data.vulnerabilities)) {
    for (const via of v.via) {
      if (typeof via === 'string') continue; // a transitive pointer; the advisory itself is listed under that package
      const severity = via.severity ?? v.severity;
      if (severity !== 'high' && severity !== 'critical') continue;
      out.push({ package: pkg, severity, advisory: via.url ?? 'unknown', title: via.title ?? '' });
    }
  }
  return out;
}

/** Splits advisories into those covered by a current exception and those nobody has looked at. */
export function classify(advisories: Advisory[], exceptions: AuditException[], today: string) {
  const current = exceptions.filter((e) => e.review_by >= today);
  const covered = (a: Advisory) => current.some((e) => e.package === a.package && a.advisory.includes(e.advisory));
  return {
    unlisted: advisories.filter((a) => !covered(a)),
    excepted: advisories.filter(covered),
    expired: exceptions.filter((e) => e.review_by < today),
  };
}

/** Packages in the lock file that declare install scripts but are not in package.json's allowScripts. */
export function unallowedInstallScripts(lock: { packages: Record<string, { hasInstallScript?: boolean }> }, allowed: Record<string, boolean>): string[] {
  return Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => path.replace(/^.*node_modules\//, ''))
    .filter((name) => name !== '' && allowed[name] !== true);
}

function main(): number {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const today = new Date().toISOString().slice(0, 10);
  const exceptions = exceptionsFileSchema.parse(JSON.parse(readFileSync(`${root}security/audit-exceptions.json`, 'utf8'))).exceptions;
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  let failed = false;

  const scripts = unallowedInstallScripts(lock, pkg.allowScripts ?? {});
  if (scripts.length > 0) {
    console.log(`FAIL install scripts not in package.json allowScripts: ${scripts.join(', ')}`);
    failed = true;
  } else console.log('ok   every package with an install script is listed in allowScripts');

  let raw = '';
  try {
    raw = execFileSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  } catch (err) {
    raw = (err as { stdout?: string }).stdout ?? ''; // npm audit exits non-zero when it finds something
  }
  let auditJson: unknown;
  try {
    auditJson = JSON.parse(raw);
  } catch {
    auditJson = undefined;
  }
  const reachable = typeof auditJson === 'object' && auditJson !== null && 'vulnerabilities' in auditJson;
  if (!reachable) {
    console.log('WARN npm audit could not reach the advisory database from this machine: no advisories were checked');
  } else {
    const { unlisted, excepted, expired } = classify(advisoriesOf(auditJson), exceptions, today);
    for (const a of excepted) console.log(`ok   ${a.severity} ${a.package} ${a.advisory} (listed in security/audit-exceptions.json)`);
    for (const a of unlisted) console.log(`WARN ${a.severity} ${a.package}: ${a.title} ${a.advisory} — fix it, or list it with a reason in security/audit-exceptions.json`);
    if (unlisted.length === 0) console.log('ok   no unlisted high or critical advisory in production dependencies');
    for (const e of expired) console.log(`WARN exception for ${e.package} ${e.advisory} was due for review on ${e.review_by}`);
  }
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main());
