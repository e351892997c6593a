import { Alert, Badge, Group, Stack, Text, VisuallyHidden } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';
import { formatDateTime } from '../../lib/format.js';
import type { MetaStatus, RecordDetail } from './api.js';
import { Fact } from './Fact.js';
import { banColor, banLabel, eventLabel, eventWords, reviewColor, reviewLabel, tierLabel, violationLabel } from './meta-labels.js';

/** A labelled badge: the label is read out and in the tooltip, the colour is a second cue only. */
function StatusBadge({ label, value, color, testId }: { label: string; value: string; color: string; testId: string }) {
  return (
    <Badge component="span" color={color} title={`${label}: ${value}`} data-testid={testId} style={{ flexShrink: 0, minWidth: 'max-content' }}>
      <VisuallyHidden>{label}: </VisuallyHidden>
      {value}
    </Badge>
  );
}

function When({ iso }: { iso: string | null }) {
  if (!iso) return null;
  return (
    <Text component="span" fz="xs" c="dimmed" ml={6}>
      (<DateCell iso={iso} />)
    </Text>
  );
}

/** Disconnected because Meta ended the app's access: say so plainly, with what to do. */
function RemovedOnMetaAlert({ removal }: { removal: NonNullable<MetaStatus['removedOnMeta']> }) {
  const byConnector = removal.event === 'deauthorize';
  return (
    <Alert color="red" variant="light" role="alert" title="Removed on Meta" data-testid="meta-removed-alert">
      <Text fz="sm">
        {byConnector
          ? 'The person who connected this account removed the app in their Facebook settings, and Meta no longer honours its token.'
          : `Meta reported that the app's access to this WhatsApp Business Account ended (${eventWords(removal.event)}).`}{' '}
        The account was disconnected{removal.at ? ` on ${formatDateTime(removal.at)}` : ''} and its token and registration PIN were erased. Reconnect it to use it
        again.
      </Text>
    </Alert>
  );
}

/** The person who connected it removed the app, but the record still works. */
function AppRemovedAlert({ notice, tokenStored }: { notice: NonNullable<MetaStatus['appRemovedByConnector']>; tokenStored: boolean }) {
  return (
    <Alert color="yellow" variant="light" role="alert" title="The person who connected it removed the app" data-testid="meta-app-removed-alert">
      <Text fz="sm">
        On {formatDateTime(notice.at)} Meta told us that the person who connected this account removed the app from their Facebook settings.{' '}
        {!tokenStored
          ? 'No business token is stored for this account.'
          : notice.tokenChecked
            ? 'Meta still honours the business token, so the account keeps working.'
            : 'Meta could not be asked whether the token still works; refresh the account to check.'}{' '}
        If the token stops working, reconnect the account with another admin of the business.
      </Text>
    </Alert>
  );
}

function hasFacts(m: MetaStatus): boolean {
  return Boolean(m.ban ?? m.violation ?? m.review ?? m.capabilities ?? m.partner ?? m.reconnected);
}

/** What Meta reported about the account by webhook and callback: bans, violations, review, limits, removals. */
export function MetaStatusSection({ record }: { record: RecordDetail }) {
  const m = record.metaStatus;
  const showAppRemoved = m.appRemovedByConnector && record.state !== 'disconnected';
  const badges = [
    m.ban ? <StatusBadge key="ban" label="Ban state" value={banLabel(m.ban.state)} color={banColor(m.ban.state)} testId="meta-ban" /> : null,
    m.violation ? <StatusBadge key="violation" label="Violation" value={violationLabel(m.violation.type)} color="orange" testId="meta-violation" /> : null,
    m.review ? <StatusBadge key="review" label="Account review" value={reviewLabel(m.review.decision)} color={reviewColor(m.review.decision)} testId="meta-review" /> : null,
  ].filter(Boolean);

  return (
    <Section title="Meta status" description="What Meta reported about this account through webhooks and callbacks.">
      <Stack gap="md">
        {m.removedOnMeta ? <RemovedOnMetaAlert removal={m.removedOnMeta} /> : null}
        {showAppRemoved && m.appRemovedByConnector ? <AppRemovedAlert notice={m.appRemovedByConnector} tokenStored={record.token.stored} /> : null}
        {badges.length > 0 ? (
          <Group gap="xs" wrap="wrap" role="group" aria-label="Meta status badges">
            {badges}
          </Group>
        ) : null}
        {!hasFacts(m) ? (
          m.removedOnMeta || showAppRemoved ? null : (
            <Text c="dimmed" fz="sm">
              Meta has not reported anything about this account yet.
            </Text>
          )
        ) : (
          <dl className="facts">
            {m.ban ? (
              <Fact label="Ban state">
                {banLabel(m.ban.state)}
                {m.ban.date ? ` since ${m.ban.date}` : ''}
                <When iso={m.ban.at} />
              </Fact>
            ) : null}
            {m.violation ? (
              <Fact label="Violation">
                {violationLabel(m.violation.type)}
                <When iso={m.violation.at} />
              </Fact>
            ) : null}
            {m.review ? (
              <Fact label="Account review">
                {reviewLabel(m.review.decision)}
                <When iso={m.review.at} />
              </Fact>
            ) : null}
            {m.capabilities ? (
              <Fact label="Messaging limit">
                {tierLabel(m.capabilities.maxDailyConversationsPerBusiness)}
                {m.capabilities.maxPhoneNumbersPerBusiness ? ` · up to ${m.capabilities.maxPhoneNumbersPerBusiness} phone numbers per business` : ''}
                <When iso={m.capabilities.at} />
              </Fact>
            ) : null}
            {m.partner ? (
              <Fact label="Shared with the app">
                {m.partner.shared ? 'Yes' : 'No'} — {eventWords(m.partner.event)}
                <When iso={m.partner.at} />
              </Fact>
            ) : null}
            {m.reconnected ? (
              <Fact label="Reconnected on Meta">
                {eventLabel('ACCOUNT_RECONNECTED')}
                <When iso={m.reconnected.at} />
              </Fact>
            ) : null}
          </dl>
        )}
      </Stack>
    </Section>
  );
}
