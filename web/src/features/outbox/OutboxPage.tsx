import { Accordion, Alert, Card, Group, Stack, Text } from '@mantine/core';
import { LoadMore } from '../../components/LoadMore.js';
import { PageHeader } from '../../components/PageHeader.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { errorMessage, isApiError } from '../../lib/api.js';
import { formatDateTime } from '../../lib/format.js';
import { useOutbox } from './api.js';
import { MailText } from './MailText.js';

/** Development only: the mail the console would have sent, since no SMTP_URL is set. */
export function OutboxPage() {
  const outbox = useOutbox();
  const mails = outbox.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader title="Outbox" description="Mail the console would have sent, newest first." />
      <Alert color="blue" variant="light" mb="lg" title="Development only" role="note">
        No SMTP_URL is set, so outgoing mail (invitations, password resets) is kept here instead of being sent. This page
        does not exist once mail is configured or the console runs on https.
      </Alert>
      <Card>
        {outbox.isPending ? (
          <InlineLoader label="Loading the outbox…" />
        ) : outbox.isError && mails.length === 0 ? (
          <Alert color="red" variant="light" role="alert">
            {isApiError(outbox.error, 404) ? 'The outbox is not in use on this server.' : errorMessage(outbox.error)}
          </Alert>
        ) : mails.length === 0 ? (
          <Text c="dimmed" ta="center" py="lg" role="status">
            No mail yet.
          </Text>
        ) : (
          <>
            <Accordion multiple variant="separated" chevronPosition="left">
              {mails.map((mail) => (
                <Accordion.Item key={mail.id} value={String(mail.id)}>
                  <Accordion.Control>
                    <Stack gap={2} component="span">
                      <Text span display="block" fw={600} fz="sm">
                        {mail.subject}
                      </Text>
                      <Group gap="xs" component="span" wrap="wrap">
                        <Text span fz="xs" c="dimmed">
                          To {mail.to}
                        </Text>
                        <Text span fz="xs" c="dimmed">
                          · <time dateTime={mail.createdAt}>{formatDateTime(mail.createdAt)}</time>
                        </Text>
                      </Group>
                    </Stack>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <MailText text={mail.text} />
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
            <LoadMore query={outbox} />
          </>
        )}
      </Card>
    </>
  );
}
