import { Table, Text, VisuallyHidden } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import type { HistoryItem, PhoneNumber } from './api.js';
import { describeFacts, sourceLabel, topicLabel } from './meta-labels.js';

/** One change in words: "Ban state: nothing reported → Disabled"; `number` names the phone number it concerns. */
function Change({ item, number }: { item: HistoryItem; number: string | null }) {
  return (
    <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
      <Text component="span" fw={600} fz="sm">
        {topicLabel(item.topic)}
        {number ? ` (${number})` : ''}:
      </Text>{' '}
      {describeFacts(item.topic, item.before)}
      <span aria-hidden="true"> → </span>
      <VisuallyHidden> changed to </VisuallyHidden>
      {describeFacts(item.topic, item.after)}
    </Text>
  );
}

/** The changes Meta reported to the account and its numbers, newest first (the latest 100). */
export function HistorySection({ history, numbers }: { history: HistoryItem[]; numbers: PhoneNumber[] }) {
  const display = new Map(numbers.map((n) => [n.phoneNumberId, n.displayPhoneNumber ?? n.phoneNumberId]));
  const numberOf = (id: string | null) => (id ? (display.get(id) ?? `phone number ${id}`) : null);
  return (
    <Section title="History" description="Changes Meta reported, newest first, by the time Meta gave (the latest 100).">
      {history.length === 0 ? (
        <Text c="dimmed" fz="sm">
          No changes reported by Meta yet.
        </Text>
      ) : (
        <ScrollTable label="History" minWidth={720}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">What changed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.map((item) => (
              <Table.Tr key={item.id} data-history-topic={item.topic}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <DateCell iso={item.at} />
                </Table.Td>
                <Table.Td>{sourceLabel(item.source)}</Table.Td>
                <Table.Td>
                  <Change item={item} number={numberOf(item.phoneNumberId)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      )}
    </Section>
  );
}
