import { useState } from 'react';
import { Button, Group } from '@mantine/core';
import { Section } from '../../components/Section.js';
import type { UserDetail } from './api.js';
import { allowedActions, type ActionSpec } from './actions.js';
import { UserActionModal } from './UserActionModal.js';

/** The actions the server says the signed-in user may take on this user; nothing else is shown. */
export function UserActions({ user }: { user: UserDetail }) {
  // Kept while the dialog closes, so its text does not change under the closing animation.
  const [pending, setPending] = useState<{ spec: ActionSpec; user: UserDetail } | null>(null);
  const [opened, setOpened] = useState(false);
  const specs = allowedActions(user.abilities);

  if (specs.length === 0) return null;

  return (
    <Section title="Actions" description="What you can do for this user. Each action asks for confirmation first.">
      <Group gap="sm" wrap="wrap">
        {specs.map((spec) => (
          <Button
            key={spec.action}
            variant={spec.destructive ? 'light' : 'default'}
            color={spec.destructive ? 'red' : undefined}
            onClick={() => {
              setPending({ spec, user });
              setOpened(true);
            }}
          >
            {spec.label}
          </Button>
        ))}
      </Group>
      {pending ? (
        <UserActionModal spec={pending.spec} user={pending.user} opened={opened} onClose={() => setOpened(false)} />
      ) : null}
    </Section>
  );
}
