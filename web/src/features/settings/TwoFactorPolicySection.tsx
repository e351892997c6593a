import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, NumberInput, Switch, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RetryAlert } from '../../components/RetryAlert.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { api } from '../../lib/api.js';
import { splitServerErrors } from '../../lib/form-errors.js';
import { formatDateTime, roleLabel } from '../../lib/format.js';
import type { Role } from '../../lib/session.js';

interface RolePolicy {
  role: Role;
  required: boolean;
  graceDays: number;
  requiredSince: string | null;
  recommended: boolean;
  activeUsers: number;
  enrolledUsers: number;
}

const policyQuery = queryOptions({
  queryKey: ['settings', 'two-factor'] as const,
  queryFn: ({ signal }) => api.get<{ roles: RolePolicy[] }>('/settings/two-factor', { signal }),
});

const DAY_MS = 24 * 3600_000;

/** Per role: whether 2FA is required, the grace period to enrol, and how many have enrolled (owners). */
export function TwoFactorPolicySection() {
  const queryClient = useQueryClient();
  const policy = useQuery(policyQuery);
  const [grace, setGrace] = useState<Partial<Record<Role, number | string>>>({});
  const [errors, setErrors] = useState<Partial<Record<Role, string>>>({});

  useEffect(() => {
    if (policy.data) setGrace(Object.fromEntries(policy.data.roles.map((r) => [r.role, r.graceDays])));
  }, [policy.data]);

  const save = useMutation({
    mutationFn: ({ role, required, graceDays }: { role: Role; required: boolean; graceDays: number }) =>
      api.put<{ roles: RolePolicy[] }>(`/settings/two-factor/${role}`, { required, graceDays }),
    onSuccess: (data, v) => {
      queryClient.setQueryData(policyQuery.queryKey, data);
      setErrors((e) => ({ ...e, [v.role]: undefined }));
      notifications.show({ color: 'green', message: `${roleLabel(v.role)}: two-factor authentication ${v.required ? `required (${v.graceDays} days to enrol)` : 'not required'}` });
    },
    onError: (error, v) => {
      const split = splitServerErrors(error, ['graceDays'] as const);
      setErrors((e) => ({ ...e, [v.role]: split.fieldErrors.graceDays ?? split.formError ?? 'Saving failed' }));
    },
  });

  const description = 'Require a code from an authenticator app for a role. Users get a grace period to set it up; after it, they can only sign in to set it up.';
  if (policy.isPending) return <Section title="Two-factor authentication" description={description}><InlineLoader /></Section>;
  if (policy.isError) {
    return (
      <Section title="Two-factor authentication" description={description}>
        <RetryAlert title="Could not load the two-factor policy" error={policy.error} onRetry={() => void policy.refetch()} />
      </Section>
    );
  }

  const apply = (p: RolePolicy, required: boolean) => {
    const value = Number(grace[p.role] ?? p.graceDays);
    if (!Number.isInteger(value) || value < 0 || value > 90) {
      setErrors((e) => ({ ...e, [p.role]: 'Enter 0 to 90 days' }));
      return;
    }
    save.mutate({ role: p.role, required, graceDays: value });
  };
  const unprotected = policy.data.roles.filter((r) => r.recommended && !r.required && r.enrolledUsers < r.activeUsers);

  return (
    <Section title="Two-factor authentication" description={description}>
      {unprotected.length > 0 ? (
        <Alert color="blue" variant="light" role="status" mb="md">
          Recommended for owners and admins: {unprotected.map((r) => `${r.activeUsers - r.enrolledUsers} of ${r.activeUsers} ${roleLabel(r.role).toLowerCase()}s`).join(' and ')} have not set it up. The users list shows who.
        </Alert>
      ) : null}
      <ScrollTable label="Two-factor authentication per role" minWidth={640}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role</Table.Th>
            <Table.Th>Required</Table.Th>
            <Table.Th>Grace period (days)</Table.Th>
            <Table.Th>Set up</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {policy.data.roles.map((p) => {
            const dirty = Number(grace[p.role]) !== p.graceDays;
            return (
              <Table.Tr key={p.role}>
                <Table.Td>
                  <Group gap={6}>
                    <Text fz="sm" fw={500}>{roleLabel(p.role)}</Text>
                    {p.recommended && !p.required ? <Badge size="xs" variant="light">recommended</Badge> : null}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Switch
                    checked={p.required}
                    onChange={(e) => apply(p, e.currentTarget.checked)}
                    disabled={save.isPending}
                    label={p.required && p.requiredSince ? `Since ${formatDateTime(p.requiredSince)}; enrol by ${formatDateTime(new Date(new Date(p.requiredSince).getTime() + p.graceDays * DAY_MS).toISOString())}` : 'Not required'}
                    aria-label={`Require two-factor authentication for ${roleLabel(p.role)}`}
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <NumberInput
                      aria-label={`Grace period in days for ${roleLabel(p.role)}`}
                      min={0}
                      max={90}
                      w={90}
                      value={grace[p.role] ?? p.graceDays}
                      onChange={(v) => setGrace((g) => ({ ...g, [p.role]: v }))}
                      error={errors[p.role]}
                    />
                    {dirty && p.required ? (
                      <Button size="xs" variant="default" onClick={() => apply(p, true)} loading={save.isPending}>
                        Save
                      </Button>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text fz="sm">
                    {p.enrolledUsers} of {p.activeUsers} active
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </ScrollTable>
    </Section>
  );
}
