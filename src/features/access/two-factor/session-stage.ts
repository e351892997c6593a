/**
 * What a session that is not fully signed in may reach. 'second_factor': the password was accepted
 * and a code is owed; 'enrol': 2FA is required for the role and the grace period is over, so only
 * enrolment. Every other route answers 401 (second_factor_required / enrolment_required).
 */
import type { SessionStage } from '../sessions.repo.js';

const ALLOWED: Record<Exclude<SessionStage, 'full'>, ReadonlySet<string>> = {
  second_factor: new Set(['POST /api/v1/auth/second-factor', 'POST /api/v1/auth/sign-out']),
  enrol: new Set([
    'GET /api/v1/me/two-factor',
    'POST /api/v1/me/two-factor/enrolment',
    'POST /api/v1/me/two-factor/enrolment/confirm',
    'POST /api/v1/auth/sign-out',
  ]),
};

/** Sessions not fully signed in end this long after they began (a code or an enrolment is quick). */
export const PENDING_STAGE_MS = 15 * 60_000;

/** True when a session at `stage` may reach `method url`. */
export function stageAllows(stage: string, method: string, url: string | undefined): boolean {
  if (stage === 'full') return true;
  const allowed = ALLOWED[stage as Exclude<SessionStage, 'full'>];
  return allowed !== undefined && url !== undefined && allowed.has(`${method} ${url}`);
}
