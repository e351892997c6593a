import { useEffect, useRef } from 'react';
import { Alert, Anchor, Card, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage } from '../../lib/api.js';
import { useFragmentToken } from '../../lib/fragment-token.js';
import { confirmEmailChange } from './api.js';

/** Opened from the mail sent to a new address: the signed-in user confirms it (single use, 24 hours). */
export function ConfirmEmailPage() {
  const token = useFragmentToken();
  const queryClient = useQueryClient();
  const confirm = useMutation({ mutationFn: confirmEmailChange, onSuccess: () => queryClient.invalidateQueries() });
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (token && sent.current !== token) {
      sent.current = token;
      confirm.mutate(token);
    }
  }, [token, confirm]);

  return (
    <>
      <PageHeader title="Confirm your new email" />
      <Card>
        {!token ? (
          <Text>This link is incomplete. Open the link from the mail again.</Text>
        ) : confirm.isPending || confirm.isIdle ? (
          <InlineLoader label="Confirming…" />
        ) : confirm.isError ? (
          <Alert color="red" variant="light" role="alert">{errorMessage(confirm.error)}</Alert>
        ) : (
          <Text role="status">
            Your email is now {confirm.data.user.email}. Your other sessions were signed out. <Anchor component={Link} to="/account">Back to My account</Anchor>
          </Text>
        )}
      </Card>
    </>
  );
}
