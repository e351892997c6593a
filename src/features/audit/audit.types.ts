/**
 * The closed list of audit actions and the non-personal details each carries. Personal values
 * (emails, names, IPs) never go in `details`: they travel as `personal` and land in the side table.
 */
import type { Role } from '../access/permissions.js';

export interface AuditDetails {
  'setup.link_created': { via: 'first_start' | 'cli' };
  'setup.completed': { role: Role };
  'profile.updated': Record<string, never>;
  'password.changed': { otherSessionsEnded: number };
  'session.signed_out': Record<string, never>;
  'session.ended': { self: boolean };
  'session.ended_others': { ended: number };
}

export type AuditAction = keyof AuditDetails;

export type ActorType = 'user' | 'system' | 'cli' | 'meta' | 'customer';

/** Who acted and under which request. */
export interface AuditContext {
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
}

/** One personal value of an event: which field, whose data, and the value itself. */
export interface PersonalValue {
  field: string;
  kind: 'before' | 'after' | 'value';
  subjectType: 'user' | 'person';
  subjectId: string;
  value: string;
}

export type AuditEventInput = {
  [A in AuditAction]: {
    action: A;
    targetType?: 'user' | 'session' | 'setup_link';
    targetId?: string;
    changedFields?: string[];
    details: AuditDetails[A];
    personal?: PersonalValue[];
  };
}[AuditAction];
