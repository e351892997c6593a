/** `npm run cli -- verify-audit [--anchor]`: checks the chain and anchors; exit code 1 on a break. */
import type { Runtime } from '../../../runtime.js';
import { systemClock } from '../../../lib/clock.js';
import { runVerification } from './verify.service.js';

export async function runVerifyAudit(runtime: Runtime, opts: { anchorFirst: boolean }, out: (line: string) => void): Promise<number> {
  const report = await runVerification(
    { db: runtime.database.db, clock: systemClock, keyring: runtime.keyring },
    { actorType: 'cli', actorId: null, requestId: null },
    { record: true, anchorFirst: opts.anchorFirst },
  );
  out(report.summary);
  out(`checked ${report.linksChecked} links from position ${report.startPosition} and ${report.anchorsChecked} anchors`);
  const b = report.firstBreak;
  if (b) {
    out(`first broken link: position ${b.position}, event ${b.eventId ?? '-'}${b.anchorId !== null ? `, anchor ${b.anchorId}` : ''}: ${b.kind}`);
    return 1;
  }
  return 0;
}
