import { Table, Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { humanise } from '../../lib/format.js';
import type { PhoneNumber } from './api.js';
import { MessageCountersCell } from './MessageCountersCell.js';
import { QualityBadge } from './QualityBadge.js';

const dash = (value: string | null) => value ?? '—';

/** The name status, with Meta's rejection reason when the name was rejected by webhook. */
function NameStatus({ number }: { number: PhoneNumber }) {
  const reason = number.meta.name?.decision === number.nameStatus ? number.meta.name?.rejectionReason : null;
  return (
    <>
      {dash(number.nameStatus)}
      {reason ? (
        <Text fz="xs" c="dimmed">
          {humanise(reason.toLowerCase())}
        </Text>
      ) : null}
    </>
  );
}

/** The WABA's phone numbers as Meta last described them (and as its webhooks updated them), with message counts. */
export function PhoneNumbersSection({ numbers }: { numbers: PhoneNumber[] }) {
  return (
    <Section
      title="Phone numbers"
      description="As Meta described them at the last lookup and in its webhooks since. Messages counts webhook events per number; their content is never kept."
    >
      {numbers.length === 0 ? (
        <Text c="dimmed" fz="sm">
          No phone numbers looked up yet.
        </Text>
      ) : (
        <ScrollTable label="Phone numbers" minWidth={1400}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Number</Table.Th>
              <Table.Th scope="col">Phone number ID</Table.Th>
              <Table.Th scope="col">Verified name</Table.Th>
              <Table.Th scope="col">Quality</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Code verification</Table.Th>
              <Table.Th scope="col">Name status</Table.Th>
              <Table.Th scope="col">Platform</Table.Th>
              <Table.Th scope="col">Throughput</Table.Th>
              <Table.Th scope="col">Looked up</Table.Th>
              <Table.Th scope="col">Messages</Table.Th>
              <Table.Th scope="col">Last message event</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {numbers.map((number) => (
              <Table.Tr key={number.phoneNumberId} data-phone-number-id={number.phoneNumberId}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{dash(number.displayPhoneNumber)}</Table.Td>
                <Table.Td ff="monospace" fz="xs">
                  {number.phoneNumberId}
                </Table.Td>
                <Table.Td>{dash(number.verifiedName)}</Table.Td>
                <Table.Td>
                  <QualityBadge rating={number.qualityRating} />
                </Table.Td>
                <Table.Td>{dash(number.status)}</Table.Td>
                <Table.Td>{dash(number.codeVerificationStatus)}</Table.Td>
                <Table.Td>
                  <NameStatus number={number} />
                </Table.Td>
                <Table.Td>{dash(number.platformType)}</Table.Td>
                <Table.Td>{dash(number.throughput)}</Table.Td>
                <Table.Td>
                  <DateCell iso={number.lookedUpAt} />
                </Table.Td>
                <Table.Td>
                  <MessageCountersCell counters={number.messages} number={number.displayPhoneNumber ?? number.phoneNumberId} />
                </Table.Td>
                <Table.Td data-testid="last-message-event">
                  <DateCell iso={number.messages.lastEventAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      )}
    </Section>
  );
}
