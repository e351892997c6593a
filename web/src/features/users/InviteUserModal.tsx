import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { ApiError } from '../../lib/api.js';
import { roleLabel } from '../../lib/format.js';
import { splitServerErrors, type FieldErrors } from '../../lib/form-errors.js';
import { useSession, type Role } from '../../lib/session.js';
import { useInviteUser, useRefreshUsers, type UserListItem } from './api.js';
import { rolesUpTo } from './labels.js';

const FIELDS = ['email', 'displayName', 'role'] as const;
type Field = (typeof FIELDS)[number];

/** The invitation was saved but its email did not go out. */
interface Undelivered {
  user: UserListItem;
  error: string | null;
}

export function InviteUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { user: me } = useSession();
  const roles = rolesUpTo(me.role);
  const refresh = useRefreshUsers();
  const [values, setValues] = useState<Record<Field, string>>({ email: '', displayName: '', role: 'viewer' });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<{ title: string; message: string } | null>(null);
  const [undelivered, setUndelivered] = useState<Undelivered | null>(null);
  const mutation = useInviteUser();

  const close = () => {
    onClose();
    setValues({ email: '', displayName: '', role: 'viewer' });
    setFieldErrors({});
    setFormError(null);
    setUndelivered(null);
    mutation.reset();
  };

  const onError = (error: unknown) => {
    const split = splitServerErrors(error, FIELDS);
    if (error instanceof ApiError && error.status === 409) {
      setFieldErrors({ ...split.fieldErrors, email: split.fieldErrors.email ?? error.detail ?? 'A user with this email already exists.' });
      setFormError(null);
      return;
    }
    setFieldErrors(split.fieldErrors);
    if (error instanceof ApiError && error.status === 503) {
      setFormError({ title: 'Invitations cannot be sent right now', message: error.detail ?? 'Mail is not configured on this server.' });
      return;
    }
    setFormError(split.formError ? { title: 'The invitation was not sent', message: split.formError } : null);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = values.email.trim();
    const displayName = values.displayName.trim();
    const errors: FieldErrors<Field> = {};
    if (!email) errors.email = 'Enter an email address';
    else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = 'Enter an email address such as name@example.com';
    if (!displayName) errors.displayName = 'Enter a display name';
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length > 0) return;
    mutation.mutate(
      { email, displayName, role: values.role as Role },
      {
        onSuccess: ({ user, mail }) => {
          refresh();
          if (mail.delivered) {
            notifications.show({ color: 'green', message: `Invitation sent to ${user.email}` });
            close();
            return;
          }
          notifications.show({ color: 'yellow', title: 'Invitation saved, email not sent', message: mail.error ?? 'The email could not be sent.' });
          setUndelivered({ user, error: mail.error });
        },
        onError,
      },
    );
  };

  const set = (field: Field) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [field]: value }));
    if (fieldErrors[field]) setFieldErrors((current) => ({ ...current, [field]: undefined }));
  };

  return (
    <Modal opened={opened} onClose={close} title="Invite user" centered>
      {undelivered ? (
        <Stack gap="md">
          <Alert color="orange" variant="light" role="alert" title="The invitation email could not be sent">
            {undelivered.error ?? 'The mail server did not accept the message.'}
          </Alert>
          <Text fz="sm">
            The invitation for {undelivered.user.email} is saved. You can resend it from{' '}
            <Anchor component={Link} to={`/users/${encodeURIComponent(undelivered.user.id)}`} onClick={close}>
              {undelivered.user.displayName}'s page
            </Anchor>{' '}
            with "Resend invitation".
          </Text>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <Text fz="sm" c="dimmed">
              We email them a link to choose their password. The link works for 7 days.
            </Text>
            {formError ? (
              <Alert color="red" variant="light" role="alert" title={formError.title}>
                {formError.message}
              </Alert>
            ) : null}
            <TextInput
              label="Email"
              type="email"
              name="email"
              autoComplete="off"
              required
              data-autofocus
              value={values.email}
              onChange={set('email')}
              error={fieldErrors.email}
            />
            <TextInput
              label="Display name"
              name="displayName"
              autoComplete="off"
              required
              value={values.displayName}
              onChange={set('displayName')}
              error={fieldErrors.displayName}
            />
            <NativeSelect
              label="Role"
              name="role"
              description="You can give a role up to your own."
              data={roles.map((role) => ({ value: role, label: roleLabel(role) }))}
              value={values.role}
              onChange={set('role')}
              error={fieldErrors.role}
            />
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                Send invitation
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
