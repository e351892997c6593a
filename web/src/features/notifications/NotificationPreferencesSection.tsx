import { Alert, Stack, Switch } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Section } from '../../components/Section.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { getPreferences, notificationKeys, putPreferences, type NotificationPreference } from './api.js';

/** My account: which notification categories are also mailed (security notices always are). */
export function NotificationPreferencesSection() {
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: notificationKeys.preferences, queryFn: ({ signal }) => getPreferences(signal) });
  const save = useMutation({
    mutationFn: (p: { category: NotificationPreference['category']; mail: boolean }) => putPreferences({ [p.category]: p.mail }),
    onSuccess: (data) => {
      queryClient.setQueryData(notificationKeys.preferences, data);
      notifications.show({ color: 'green', message: 'Mail preference saved' });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'The preference could not be saved', message: errorMessage(error) }),
  });

  return (
    <Section title="Notification mail" description="Every notification appears under the bell; choose which are also mailed to you.">
      {prefs.isPending ? (
        <InlineLoader label="Loading preferences…" />
      ) : prefs.isError ? (
        <Alert color="red" variant="light" role="alert">
          {errorMessage(prefs.error)}
        </Alert>
      ) : (
        <Stack gap="sm">
          {prefs.data.categories.map((c) => (
            <Switch
              key={c.category}
              label={c.label}
              description={c.describe}
              checked={c.mail}
              disabled={c.locked || save.isPending}
              onChange={(e) => save.mutate({ category: c.category, mail: e.currentTarget.checked })}
            />
          ))}
        </Stack>
      )}
    </Section>
  );
}
