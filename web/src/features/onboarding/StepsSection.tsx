import { Badge, Table, Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import { Section } from '../../components/Section.js';
import { humanise } from '../../lib/format.js';
import type { StepRow } from './api.js';
import { formatDuration, stepLabel, stepStatusColor } from './labels.js';
import { StepErrorText } from './StepErrorText.js';

/** Every attempt of every step, oldest first; a reconnect starts a new run. */
export function StepsSection({ steps }: { steps: StepRow[] }) {
  return (
    <Section title="Steps" description="What the console did after Embedded Signup, oldest first. A reconnect starts a new run.">
      {steps.length === 0 ? (
        <Text c="dimmed" fz="sm">
          No steps have run yet.
        </Text>
      ) : (
        <ScrollTable label="Steps" minWidth={860}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Run</Table.Th>
              <Table.Th scope="col">Step</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Attempt</Table.Th>
              <Table.Th scope="col">Started</Table.Th>
              <Table.Th scope="col">Duration</Table.Th>
              <Table.Th scope="col">Meta error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {steps.map((step, index) => (
              <Table.Tr key={`${step.run}-${step.step}-${step.attempt}-${index}`} data-step={step.step} data-status={step.status}>
                <Table.Td>{step.run}</Table.Td>
                <Table.Td>
                  {stepLabel(step.step)}
                  {typeof step.detail === 'string' && step.detail ? (
                    <Text fz="xs" c="dimmed">
                      {step.detail}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Badge color={stepStatusColor(step.status)} style={{ minWidth: 'max-content' }}>{humanise(step.status)}</Badge>
                </Table.Td>
                <Table.Td>{step.attempt}</Table.Td>
                <Table.Td>
                  <DateCell iso={step.startedAt} />
                </Table.Td>
                <Table.Td>{formatDuration(step.durationMs)}</Table.Td>
                <Table.Td>
                  <StepErrorText error={step.error} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      )}
    </Section>
  );
}
