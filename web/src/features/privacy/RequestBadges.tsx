import { Badge, Text } from '@mantine/core';
import { formatDateTime } from '../../lib/format.js';
import type { PrivacyRequest, RequestState } from './api.js';
import { STATE_COLORS, STATE_LABELS, URGENCY_LABELS } from './labels.js';

export function StateBadge({ state }: { state: RequestState }) {
  return (
    <Badge color={STATE_COLORS[state]} variant="light">
      {STATE_LABELS[state]}
    </Badge>
  );
}

/** The due date: red when overdue, highlighted when due soon (the words say it too, not only the colour). */
export function DueCell({ request }: { request: Pick<PrivacyRequest, 'dueAt' | 'urgency' | 'extended'> }) {
  const { urgency } = request;
  const color = urgency === 'overdue' ? 'red' : urgency === 'due_soon' ? 'orange' : undefined;
  return (
    <Text fz="sm" c={color} fw={color ? 700 : undefined} data-urgency={urgency}>
      <time dateTime={request.dueAt}>{formatDateTime(request.dueAt)}</time>
      {urgency === 'overdue' || urgency === 'due_soon' ? ` · ${URGENCY_LABELS[urgency]}` : ''}
      {request.extended ? ' · extended' : ''}
    </Text>
  );
}

/** What was deleted, kept (and why) and corrected. */
export function OutcomeView({ outcome }: { outcome: PrivacyRequest['outcome'] }) {
  const empty = outcome.deleted.length === 0 && outcome.kept.length === 0 && !outcome.corrected?.length && !outcome.note;
  if (empty) return <Text c="dimmed" fz="sm">No outcome yet.</Text>;
  return (
    <div>
      {outcome.note ? <Text fz="sm" mb="xs">{outcome.note}</Text> : null}
      {outcome.deleted.length ? (
        <>
          <Text fz="sm" fw={600}>Deleted</Text>
          <ul>{outcome.deleted.map((d) => <li key={d}><Text fz="sm">{d}</Text></li>)}</ul>
        </>
      ) : null}
      {outcome.kept.length ? (
        <>
          <Text fz="sm" fw={600}>Kept, and why</Text>
          <ul>{outcome.kept.map((k) => <li key={k.what}><Text fz="sm">{k.what}: {k.why}</Text></li>)}</ul>
        </>
      ) : null}
      {outcome.corrected?.length ? (
        <>
          <Text fz="sm" fw={600}>Corrected</Text>
          <ul>{outcome.corrected.map((c) => <li key={c}><Text fz="sm">{c}</Text></li>)}</ul>
        </>
      ) : null}
    </div>
  );
}
