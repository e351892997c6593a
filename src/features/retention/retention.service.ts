/** Retention periods: the effective period per kind (owner's setting, else default) and owners changing them. */
import { recordAudit } from '../audit/audit.service.js';
import type { AuditContext } from '../audit/audit.types.js';
import { defaultsFrom, isRetentionKind, KIND_SPECS, RETENTION_KINDS, type RetentionKind, type RetentionUnit } from './retention-kinds.js';
import type { RetentionDeps } from './retention.deps.js';
import { listSettings, upsertSetting } from './retention.repo.js';

export interface PeriodView {
  kind: RetentionKind;
  label: string;
  describe: string;
  unit: RetentionUnit;
  value: number;
  default: number;
  min: number;
  max: number;
  /** null: never changed (the default applies) */
  updatedAt: Date | null;
  updatedBy: { id: string; displayName: string } | null;
}

type PeriodDeps = Pick<RetentionDeps, 'db' | 'clock' | 'envDefaults'>;

/** Every kind with its effective value, default, unit and bounds. */
export async function listPeriods(deps: Pick<RetentionDeps, 'db' | 'envDefaults'>): Promise<PeriodView[]> {
  const defaults = defaultsFrom(deps.envDefaults);
  const saved = new Map((await listSettings(deps.db)).filter((s) => isRetentionKind(s.kind)).map((s) => [s.kind, s]));
  return RETENTION_KINDS.map((kind) => {
    const spec = KIND_SPECS[kind];
    const s = saved.get(kind);
    return {
      kind,
      label: spec.label,
      describe: spec.describe,
      unit: spec.unit,
      // a saved value outside today's bounds (bounds changed in code) is clamped, never trusted blindly
      value: s ? Math.min(spec.max, Math.max(spec.min, s.days)) : defaults[kind],
      default: defaults[kind],
      min: spec.min,
      max: spec.max,
      updatedAt: s?.updatedAt ?? null,
      updatedBy: s?.updatedBy && s.updatedByName !== null ? { id: s.updatedBy, displayName: s.updatedByName } : null,
    };
  });
}

/** The effective period per kind, in the kind's unit. */
export async function effectivePeriods(deps: Pick<RetentionDeps, 'db' | 'envDefaults'>): Promise<Record<RetentionKind, number>> {
  return Object.fromEntries((await listPeriods(deps)).map((p) => [p.kind, p.value])) as Record<RetentionKind, number>;
}

/** Saves the given kinds' periods (already validated against the bounds); one audit event per changed kind. */
export async function updatePeriods(deps: PeriodDeps, actor: AuditContext, changes: Partial<Record<RetentionKind, number>>): Promise<PeriodView[]> {
  const before = new Map((await listPeriods(deps)).map((p) => [p.kind, p.value]));
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    for (const kind of RETENTION_KINDS) {
      const to = changes[kind];
      if (to === undefined) continue;
      const from = before.get(kind)!;
      if (from === to) continue;
      await upsertSetting(tx, { kind, days: to, at: now, by: actor.actorType === 'user' ? actor.actorId : null });
      await recordAudit(tx, deps.clock, actor, { action: 'retention.changed', details: { kind, from, to, unit: KIND_SPECS[kind].unit } });
    }
  });
  return listPeriods(deps);
}
