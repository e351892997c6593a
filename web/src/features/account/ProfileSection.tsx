import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { roleLabel } from '../../lib/format.js';
import { splitServerErrors } from '../../lib/form-errors.js';
import { meQueryKey, useSession, type Me } from '../../lib/session.js';
import { updateProfile } from './api.js';
import { Section } from '../../components/Section.js';

export function ProfileSection() {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: updateProfile,
    onSuccess: ({ user: updated }) => {
      queryClient.setQueryData<Me | null>(meQueryKey, (current) => (current ? { ...current, user: updated } : current));
      setDisplayName(updated.displayName);
      notifications.show({ color: 'green', message: 'Profile saved' });
    },
    onError: (error) => {
      const split = splitServerErrors(error, ['displayName'] as const);
      setFieldError(split.fieldErrors.displayName ?? null);
      setFormError(split.formError);
    },
  });

  const trimmed = displayName.trim();
  const changed = trimmed !== user.displayName;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    if (!trimmed) {
      setFieldError('Enter a display name');
      return;
    }
    setFieldError(null);
    mutation.mutate({ displayName: trimmed });
  };

  return (
    <Section title="Profile" description="Your display name is shown to other users of the console.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md" maw={720}>
          {formError ? (
            <Alert color="red" variant="light" role="alert">
              {formError}
            </Alert>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput
              label="Display name"
              name="displayName"
              autoComplete="name"
              required
              value={displayName}
              onChange={(event) => {
                setDisplayName(event.currentTarget.value);
                setFieldError(null);
              }}
              error={fieldError}
            />
            <TextInput label="Email" value={user.email} readOnly variant="filled" />
            <TextInput label="Role" value={roleLabel(user.role)} readOnly variant="filled" />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={mutation.isPending} disabled={!changed}>
              Save profile
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
