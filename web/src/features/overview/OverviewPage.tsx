import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.js';
import { formatDateTime, roleLabel } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text fz="xs" tt="uppercase" fw={600} c="dimmed">
        {label}
      </Text>
      <Text fz="sm" mt={2}>
        {value}
      </Text>
    </div>
  );
}

export function OverviewPage() {
  const { user } = useSession();
  return (
    <>
      <PageHeader title="Overview" />
      <Card>
        <Stack gap="lg">
          <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
            <Stack gap={4}>
              <Title order={2} fz="h3">
                Welcome, {user.displayName}
              </Title>
              <Text c="dimmed">Use the navigation to reach the areas your role gives you.</Text>
            </Stack>
            <Badge size="lg">{roleLabel(user.role)}</Badge>
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
            <Fact label="Signed in as" value={user.email} />
            <Fact label="Role" value={roleLabel(user.role)} />
            <Fact label="Member since" value={formatDateTime(user.createdAt)} />
          </SimpleGrid>
        </Stack>
      </Card>
    </>
  );
}
