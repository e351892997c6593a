import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, NumberInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ScrollTable } from '../../../components/ScrollTable.js';
import { Section } from '../../../components/Section.js';
import { InlineLoader } from '../../../components/StatusScreen.js';
import { errorMessage } from '../../../lib/api.js';
import { splitServerErrors } from '../../../lib/form-errors.js';
import { formatDateTime, roleLabel } from '../../../lib/format.js';
import { useSession, type Role } from '../../../lib/session.js';
import { apiTokenKeys, createApiToken, listApiTokens, revokeApiToken, type ApiTokenItem } from './api.js';

const RANK: Record<Role, number> = { owner: 4, admin: 3, operator: 2, viewer: 1 };
const ROLES: Role[] = ['owner', 'admin', 'operator', 'viewer'];

const ENDED: Record<string, string> = {
  revoked: 'Revoked',
  creator_deactivated: 'Ended: account deactivated',
  creator_removed: 'Ended: account removed',
  role_lowered: 'Ended: your role was lowered',
};

/** Personal API tokens: create (shown once), list with last use, revoke. */
export function ApiTokensSection() {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: apiTokenKeys.list, queryFn: ({ signal }) => listApiTokens(signal) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: apiTokenKeys.list });

  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(user.role);
  const [days, setDays] = useState<number | string>(90);
  const [fieldErrors, setFieldErrors] = useState<{ name?: string; role?: string; expiresInDays?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  // the new token, shown once until the person closes the dialog
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenItem | null>(null);

  const create = useMutation({
    mutationFn: createApiToken,
    onSuccess: (result) => {
      setCreated({ name: result.item.name, token: result.token });
      setName('');
      setFieldErrors({});
      setFormError(null);
    },
    onError: (error) => {
      const split = splitServerErrors(error, ['name', 'role', 'expiresInDays'] as const);
      setFieldErrors(split.fieldErrors);
      setFormError(split.formError);
    },
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (t: ApiTokenItem) => revokeApiToken(t.id),
    onSuccess: () => {
      setRevoking(null);
      notifications.show({ color: 'green', message: 'Token revoked: it no longer works' });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'The token could not be revoked', message: errorMessage(error) }),
    onSettled: refresh,
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const n = Number(days);
    const problems = {
      name: name.trim() ? undefined : 'Enter a name',
      expiresInDays: Number.isInteger(n) && n >= 1 && n <= 365 ? undefined : 'Enter 1 to 365 days',
    };
    setFieldErrors(problems);
    if (problems.name || problems.expiresInDays) return;
    create.mutate({ name: name.trim(), role, expiresInDays: n });
  };

  const roles = ROLES.filter((r) => RANK[r] <= RANK[user.role]).map((r) => ({ value: r, label: roleLabel(r) }));
  const items = tokens.data?.items ?? [];

  return (
    <Section
      title="API tokens"
      description="Tokens let an integration call the API as you, at a role no higher than yours. Send one as an Authorization: Bearer header. A token is shown once; it ends at its expiry, when you revoke it, or when your account is deactivated or your role falls below it."
    >
      <form onSubmit={submit} noValidate aria-label="Create an API token">
        <Group align="flex-end" gap="sm" wrap="wrap" mb="md">
          <TextInput label="Name" placeholder="e.g. Reporting export" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldErrors.name} maxLength={100} w={240} />
          <Select label="Role" data={roles} value={role} onChange={(v) => v && setRole(v as Role)} allowDeselect={false} error={fieldErrors.role} w={160} />
          <NumberInput label="Expires in (days)" min={1} max={365} value={days} onChange={setDays} error={fieldErrors.expiresInDays} w={150} />
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
        {formError ? (
          <Alert color="red" variant="light" role="alert" mb="md">
            {formError}
          </Alert>
        ) : null}
      </form>

      {tokens.isPending ? (
        <InlineLoader label="Loading tokens…" />
      ) : tokens.isError ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(tokens.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text c="dimmed" fz="sm">
          You have no API tokens.
        </Text>
      ) : (
        <ScrollTable label="API tokens" minWidth={760}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>
                  <Text fz="sm">{t.name}</Text>
                  <Code fz="xs">{t.prefix}…</Code>
                </Table.Td>
                <Table.Td>{roleLabel(t.role)}</Table.Td>
                <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                <Table.Td>{formatDateTime(t.expiresAt)}</Table.Td>
                <Table.Td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</Table.Td>
                <Table.Td>
                  {t.state === 'active' ? (
                    <Badge color="green">Active</Badge>
                  ) : t.state === 'expired' ? (
                    <Badge color="gray">Expired</Badge>
                  ) : (
                    <Badge color="red">{ENDED[t.revokedReason ?? 'revoked'] ?? 'Revoked'}</Badge>
                  )}
                </Table.Td>
                <Table.Td align="right">
                  {t.state === 'active' ? (
                    <Button size="xs" variant="light" color="red" onClick={() => setRevoking(t)}>
                      Revoke
                    </Button>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      )}

      <Modal opened={created !== null} onClose={() => setCreated(null)} title="Your new API token" centered size="lg">
        {created ? (
          <Stack gap="md">
            <Alert color="yellow" variant="light">
              Copy it now: it is shown only this once. Anyone holding it can act as you at its role.
            </Alert>
            <Code block data-testid="new-api-token">
              {created.token}
            </Code>
            <Group justify="flex-end" gap="sm">
              <CopyButton value={created.token}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
              <Button onClick={() => setCreated(null)}>Done</Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>

      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke this token?" centered>
        {revoking ? (
          <Stack gap="md">
            <Text fz="sm">“{revoking.name}” stops working at once. Integrations using it will be refused.</Text>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setRevoking(null)}>
                Cancel
              </Button>
              <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(revoking)}>
                Revoke token
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>
    </Section>
  );
}
