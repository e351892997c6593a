import { Card, Text } from '@mantine/core';
import { PageHeader } from './PageHeader.js';

/** An area that is planned but not built yet: say so plainly. */
export function ComingSoon({ title, arrivesWith }: { title: string; arrivesWith: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <Text fw={600}>Not available yet</Text>
        <Text c="dimmed" mt={4}>
          This area arrives with {arrivesWith}.
        </Text>
      </Card>
    </>
  );
}
