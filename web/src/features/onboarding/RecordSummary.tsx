import { Text } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';
import type { RecordDetail } from './api.js';
import { Fact } from './Fact.js';
import { connectedBy } from './labels.js';
import { StateBadge } from './StateBadge.js';

function NameAndId({ name, id }: { name: string | null; id: string | null }) {
  return (
    <>
      {name ?? '—'}
      {id ? (
        <Text fz="xs" c="dimmed" ff="monospace">
          {id}
        </Text>
      ) : null}
    </>
  );
}

/** Who and what the record is about, and when it changed. */
export function RecordSummary({ record }: { record: RecordDetail }) {
  return (
    <Section title="Account">
      <dl className="facts">
        <Fact label="Business">
          <NameAndId name={record.businessName} id={record.businessId} />
        </Fact>
        <Fact label="WhatsApp Business Account">
          <NameAndId name={record.wabaName} id={record.wabaId} />
        </Fact>
        <Fact label="State">
          <StateBadge state={record.state} />
        </Fact>
        <Fact label="Reason">{record.reason ?? '—'}</Fact>
        <Fact label="Connected by">{connectedBy(record)}</Fact>
        <Fact label="Started">
          <DateCell iso={record.createdAt} />
        </Fact>
        <Fact label="Connected">
          <DateCell iso={record.connectedAt} />
        </Fact>
        {record.disconnectedAt ? (
          <Fact label="Disconnected">
            <DateCell iso={record.disconnectedAt} />
          </Fact>
        ) : null}
        <Fact label="Run">{record.run}</Fact>
        {record.sessionEvent ? <Fact label="Embedded Signup ended with">{record.sessionEvent}</Fact> : null}
        {record.abandonedStep ? <Fact label="Left at step">{record.abandonedStep}</Fact> : null}
      </dl>
    </Section>
  );
}
