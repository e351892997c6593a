import { Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { AuditActor } from './api.js';
import { actorTypeLabel, targetHref, targetLabel } from './labels.js';

/** Who acted: a user's current name (linked), or the kind of actor and its id. */
export function ActorCell({ actor }: { actor: AuditActor }) {
  if (actor.type === 'user' && actor.id) {
    return actor.name ? (
      <Anchor component={Link} to={`/users/${encodeURIComponent(actor.id)}`} fz="sm">
        {actor.name}
      </Anchor>
    ) : (
      <Stack gap={0}>
        <Text fz="sm">Removed user</Text>
        <Text fz="xs" c="dimmed" ff="monospace">
          {actor.id}
        </Text>
      </Stack>
    );
  }
  return (
    <Stack gap={0}>
      <Text fz="sm">{actorTypeLabel(actor.type)}</Text>
      {actor.id ? (
        <Text fz="xs" c="dimmed" ff="monospace">
          {actor.id}
        </Text>
      ) : null}
    </Stack>
  );
}

/** What was acted on: its kind and id, linked when the console has a page for it. */
export function TargetCell({ type, id }: { type: string | null; id: string | null }) {
  if (!type) return <>—</>;
  const href = targetHref(type, id);
  return (
    <Stack gap={0}>
      <Text fz="sm">{targetLabel(type)}</Text>
      {id ? (
        href ? (
          <Anchor component={Link} to={href} fz="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {id}
          </Anchor>
        ) : (
          <Text fz="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {id}
          </Text>
        )
      ) : null}
    </Stack>
  );
}
