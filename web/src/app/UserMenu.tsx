import { Avatar, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { IconChevronDown, IconLogout, IconUserCircle } from '../components/icons.js';
import { api } from '../lib/api.js';
import { roleLabel } from '../lib/format.js';
import { markSignedOutOnPurpose, meQueryKey, useSession } from '../lib/session.js';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

export function UserMenu() {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const signOut = useMutation({
    mutationFn: () => api.post<void>('/auth/sign-out'),
    onError: () => {
      notifications.show({ color: 'red', title: 'Sign-out may not have completed', message: 'You have been signed out on this screen.' });
    },
    onSettled: () => {
      markSignedOutOnPurpose(true);
      void navigate('/sign-in', { replace: true });
      queryClient.setQueryData(meQueryKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
    },
  });

  return (
    <Menu position="bottom-end" width={260} shadow="md" withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <UnstyledButton className="user-menu-button" px="xs" py={6}>
          <Group gap="xs" wrap="nowrap">
            <Avatar radius="xl" size={32} color="blue" aria-hidden="true">
              {initials(user.displayName)}
            </Avatar>
            <Text component="span" fz="sm" fw={600} truncate="end" maw={{ base: 120, sm: 220 }}>
              {user.displayName}
            </Text>
            <IconChevronDown size={16} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text component="span" fz="xs" c="dimmed" display="block" truncate="end">
            {user.email}
          </Text>
          <Text component="span" fz="xs" c="dimmed" display="block">
            {roleLabel(user.role)}
          </Text>
        </Menu.Label>
        <Menu.Item component={Link} to="/account" leftSection={<IconUserCircle size={16} />}>
          My account
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
