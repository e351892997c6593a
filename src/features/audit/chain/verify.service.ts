/**
 * Verification as the API, the page and the CLI run it: optionally anchor the head first (a
 * 'manual' anchor, so everything written so far is covered), walk the chain, and record who
 * verified with what outcome.
 */
import type { Db } from '../../../db/client.js';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../logger.js';
import type { KeyRing } from '../../vault/keyring.js';
import { recordAudit } from '../audit.service.js';
import { messages } from '../../notifications/messages.js';
import { notify } from '../../notifications/notify.js';
import type { AuditContext } from '../audit.types.js';
import { anchorChain } from './anchor.js';
import { verifyChain, type VerifyReport } from './verify.js';

export interface ChainDeps {
  db: Db;
  clock: Clock;
  keyring: KeyRing;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** Verifies; with `record`, an 'audit.verified' event names the actor and the outcome. */
export async function runVerification(deps: ChainDeps, actor: AuditContext, opts: { record: boolean; anchorFirst: boolean }): Promise<VerifyReport> {
  if (opts.anchorFirst) await anchorChain(deps.db, deps, 'manual');
  const report = await verifyChain(deps.db, deps.keyring);
  if (!report.ok) {
    deps.logger?.warn({ auditChain: { firstBreak: report.firstBreak, verifiedUpTo: report.verifiedUpTo } }, 'audit chain verification found a break');
    // one notice per break found (its position and how far the chain verified), however often it is re-run
    await notify(deps.db, deps.clock.now(), messages.auditVerifyFailed(report.verifiedUpTo, report.firstBreak?.position ?? null));
  }
  if (opts.record) {
    await deps.db.transaction((tx) =>
      recordAudit(tx, deps.clock, actor, {
        action: 'audit.verified',
        details: { ok: report.ok, verifiedUpTo: report.verifiedUpTo, firstBreakPosition: report.firstBreak?.position ?? null },
      }),
    );
  }
  return report;
}
