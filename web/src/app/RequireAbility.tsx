import type { ReactNode } from 'react';
import { Card, Text } from '@mantine/core';
import { PageHeader } from '../components/PageHeader.js';
import { useSession } from '../lib/session.js';

/** Renders its children only for users holding `ability`; others get an explanation, not a blank page. */
export function RequireAbility({ ability, title, children }: { ability: string | null; title: string; children: ReactNode }) {
  const { can } = useSession();
  if (ability === null || can(ability)) return children;
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <Text fw={600}>No access</Text>
        <Text c="dimmed" mt={4}>
          Your role does not include this area. Ask an administrator if you need it.
        </Text>
      </Card>
    </>
  );
}
