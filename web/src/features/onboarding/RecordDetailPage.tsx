import { Anchor, Card, Group, Stack, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.js';
import { RetryAlert } from '../../components/RetryAlert.js';
import { InlineLoader } from '../../components/StatusScreen.js';
import { isApiError } from '../../lib/api.js';
import { useSession } from '../../lib/session.js';
import { SimulateMetaSection } from '../sandbox/SimulateMetaSection.js';
import { useRecord } from './api.js';
import { recordTitle } from './labels.js';
import { HistorySection } from './HistorySection.js';
import { MetaErrorAlert } from './MetaErrorAlert.js';
import { MetaStatusSection } from './MetaStatusSection.js';
import { PhoneNumbersSection } from './PhoneNumbersSection.js';
import { RecordActions } from './RecordActions.js';
import { RecordSummary } from './RecordSummary.js';
import { StateBadge } from './StateBadge.js';
import { StepsSection } from './StepsSection.js';
import { TokenHealthSection } from './TokenHealthSection.js';
import { WebhookSection } from './WebhookSection.js';

function BackToList() {
  return (
    <Anchor component={Link} to="/onboarding" fz="sm" mb="xs" display="inline-block">
      <span aria-hidden="true">← </span>
      All WhatsApp accounts
    </Anchor>
  );
}

/** One onboarding record: where it stands, what Meta reported, what ran, its numbers, token and webhook, its history, and what can be done. */
export function RecordDetailPage() {
  const { id = '' } = useParams();
  const { environment, can } = useSession();
  const query = useRecord(id, id !== '');

  if (query.isPending) {
    return (
      <>
        <BackToList />
        <PageHeader title="WhatsApp account" />
        <InlineLoader label="Loading the WhatsApp account…" />
      </>
    );
  }

  if (query.isError) {
    const notFound = isApiError(query.error, 404) || isApiError(query.error, 400);
    return (
      <>
        <BackToList />
        <PageHeader title={notFound ? 'WhatsApp account not found' : 'WhatsApp account'} />
        {notFound ? (
          <Card>
            <Text>There is no onboarding record at this address.</Text>
          </Card>
        ) : (
          <RetryAlert title="The WhatsApp account could not be loaded" error={query.error} onRetry={() => void query.refetch()} />
        )}
      </>
    );
  }

  const { record, steps, phoneNumbers, history } = query.data;
  return (
    <>
      <BackToList />
      <PageHeader
        title={recordTitle(record)}
        description={
          <Group gap={8} component="span" wrap="wrap">
            <span>{record.wabaName ? `WABA ${record.wabaName}` : 'WABA not known yet'}</span>
            {record.wabaId ? <span>· {record.wabaId}</span> : null}
            <StateBadge state={record.state} size="md" />
            {record.reason ? <span data-testid="record-reason">{record.reason}</span> : null}
          </Group>
        }
      />
      <Stack gap="lg">
        {record.error ? <MetaErrorAlert error={record.error} /> : null}
        <RecordActions record={record} />
        <RecordSummary record={record} />
        <MetaStatusSection record={record} />
        <StepsSection steps={steps} />
        <PhoneNumbersSection numbers={phoneNumbers} />
        <TokenHealthSection token={record.token} />
        <WebhookSection record={record} />
        <HistorySection history={history} numbers={phoneNumbers} />
        {environment?.sandbox && can('sandbox.use') ? <SimulateMetaSection recordId={record.id} /> : null}
      </Stack>
    </>
  );
}
