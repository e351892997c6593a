import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';
import type { RecordDetail } from './api.js';
import { Fact } from './Fact.js';

/** Whether the app is subscribed to the WABA's webhooks, and the registration PIN kept for its number. */
export function WebhookSection({ record }: { record: RecordDetail }) {
  return (
    <Section title="Webhook subscription">
      <dl className="facts">
        <Fact label="Subscribed">{record.webhook.subscribed ? 'Yes' : 'No'}</Fact>
        <Fact label={record.webhook.subscribed ? 'Subscribed at' : 'Last changed'}>
          <DateCell iso={record.webhook.at} />
        </Fact>
        <Fact label="Registration PIN stored">{record.registrationPin.stored ? (record.registrationPin.revealable ? 'Yes' : 'Yes (already revealed)') : 'No'}</Fact>
      </dl>
    </Section>
  );
}
