import { ACTOR_TYPES, type ActorType, type AuditFilters } from './api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const EMPTY_FILTERS: AuditFilters = { actor: '', actorType: '', actions: [], targetType: '', targetId: '', from: '', to: '', q: '' };

/** The filters from the address; anything malformed is dropped rather than sent to the server. */
export function readAuditFilters(params: URLSearchParams): AuditFilters {
  const actorType = params.get('actorType') ?? '';
  const targetType = params.get('targetType') ?? '';
  const day = (key: string) => (DAY.test(params.get(key) ?? '') ? (params.get(key) as string) : '');
  return {
    actor: UUID.test(params.get('actor') ?? '') ? (params.get('actor') as string) : '',
    actorType: (ACTOR_TYPES as readonly string[]).includes(actorType) ? (actorType as ActorType) : '',
    actions: params.getAll('action').filter((a) => ACTION.test(a)).slice(0, 50),
    targetType: /^[a-z][a-z_]{0,39}$/.test(targetType) ? targetType : '',
    targetId: (params.get('targetId') ?? '').slice(0, 200),
    from: day('from'),
    to: day('to'),
    q: (params.get('q') ?? '').slice(0, 200),
  };
}

export function writeAuditFilters(f: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (f.actor) params.set('actor', f.actor);
  if (f.actorType) params.set('actorType', f.actorType);
  for (const a of f.actions) params.append('action', a);
  if (f.targetType) params.set('targetType', f.targetType);
  if (f.targetType && f.targetId) params.set('targetId', f.targetId);
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  if (f.q) params.set('q', f.q);
  return params;
}

export function hasAuditFilters(f: AuditFilters): boolean {
  return Boolean(f.actor || f.actorType || f.actions.length > 0 || f.targetType || f.targetId || f.from || f.to || f.q);
}
