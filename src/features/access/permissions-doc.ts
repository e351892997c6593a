/** Renders the permission table as Markdown for docs/SECURITY.md (a test keeps the doc in step). */
import { PERMISSIONS, ROLES, loopbackMay, type Action } from './permissions.js';

/** The Markdown table: one row per action, a column per role. */
export function permissionsMarkdown(): string {
  const head = `| action | ${ROLES.join(' | ')} | what it allows |\n|---|${ROLES.map(() => '---').join('|')}|---|`;
  const rows = (Object.keys(PERMISSIONS) as Action[]).map((a) => {
    const who = PERMISSIONS[a].who;
    const cells = ROLES.map((r) => (who === 'public' ? 'public' : (who as readonly string[]).includes(r) ? 'yes' : 'no'));
    const loopback = loopbackMay(a) ? ' (also unauthenticated loopback clients)' : '';
    return `| \`${a}\` | ${cells.join(' | ')} | ${PERMISSIONS[a].describe}${loopback} |`;
  });
  return [head, ...rows].join('\n');
}
