import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../lib/api.js';
import { roleLabel } from '../../lib/format.js';
import { useSession, type Role } from '../../lib/session.js';
import { activityKeys, useRefreshUsers, useUserAction, type UserDetail } from './api.js';
import type { ActionSpec } from './actions.js';

function sameEmail(typed: string, email: string): boolean {
  return typed.trim().toLowerCase() === email.trim().toLowerCase();
}

/** The confirmation for one action: says exactly what will happen, then does it. */
function ActionConfirm({ spec, user, onClose }: { spec: ActionSpec; user: UserDetail; onClose: () => void }) {
  const { user: me } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const refresh = useRefreshUsers();
  const mutation = useUserAction(user.id);
  const [role, setRole] = useState<Role | ''>('');
  const [typedEmail, setTypedEmail] = useState('');

  const needsRole = spec.action === 'changeRole';
  const needsEmail = spec.action === 'remove';
  const ready = (!needsRole || role !== '') && (!needsEmail || sameEmail(typedEmail, user.email));

  const confirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!ready || mutation.isPending) return;
    const chosenRole = role === '' ? null : role;
    mutation.mutate(
      { action: spec.action, ...(chosenRole ? { role: chosenRole } : {}) },
      {
        onSuccess: (result) => {
          notifications.show({ ...spec.done(user, result, chosenRole) });
          onClose();
          if (spec.action === 'revokeInvitation') {
            // The invited user no longer exists: leave their page before the lists refresh.
            void navigate('/users', { replace: true });
            void queryClient.invalidateQueries({ queryKey: ['users', 'list'] });
            void queryClient.invalidateQueries({ queryKey: activityKeys.all });
            return;
          }
          refresh({ me: user.id === me.id });
        },
        // The user may have changed meanwhile (e.g. another admin acted): show what holds now.
        onError: () => refresh(),
      },
    );
  };

  const error = mutation.error;
  return (
    <form onSubmit={confirm} noValidate>
      <Stack gap="md">
        <Text fz="sm">{spec.describe(user, role === '' ? null : role)}</Text>
        {needsRole ? (
          <NativeSelect
            label="New role"
            data-autofocus
            data={[
              { value: '', label: 'Choose a role', disabled: true },
              ...user.abilities.assignableRoles.map((r) => ({ value: r, label: roleLabel(r) })),
            ]}
            value={role}
            onChange={(event) => setRole(event.currentTarget.value as Role | '')}
          />
        ) : null}
        {needsEmail ? (
          <TextInput
            label={`To confirm, type ${user.email}`}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            value={typedEmail}
            onChange={(event) => setTypedEmail(event.currentTarget.value)}
          />
        ) : null}
        {error ? (
          <Alert
            color="red"
            variant="light"
            role="alert"
            title={error instanceof ApiError && error.status === 503 ? 'Mail cannot be sent' : 'This could not be done'}
          >
            {errorMessage(error)}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} data-autofocus={needsRole || needsEmail ? undefined : true}>
            Cancel
          </Button>
          <Button type="submit" color={spec.destructive ? 'red' : undefined} loading={mutation.isPending} disabled={!ready}>
            {spec.label}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function UserActionModal({
  spec,
  user,
  opened,
  onClose,
}: {
  spec: ActionSpec | null;
  user: UserDetail;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={spec ? spec.title(user) : ''} centered>
      {spec ? <ActionConfirm spec={spec} user={user} onClose={onClose} /> : null}
    </Modal>
  );
}
