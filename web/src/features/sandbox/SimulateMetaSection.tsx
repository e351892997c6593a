import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Group, List, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Section } from '../../components/Section.js';
import { errorMessage } from '../../lib/api.js';
import { onboardingKeys } from '../onboarding/api.js';
import { useSimulateScenario, type SandboxDelivery, type SandboxScenario } from './api.js';

/** How long the app usually needs to process a delivered webhook before the record shows it. */
const REFRESH_AFTER_MS = 1_000;

const SCENARIOS: readonly { scenario: SandboxScenario; label: string; sent: string }[] = [
  { scenario: 'customer_removed_app', label: 'Customer removed the app', sent: 'PARTNER_APP_UNINSTALLED webhook and deauthorize callback' },
  { scenario: 'waba_disabled', label: 'WABA disabled', sent: 'account_update DISABLED_UPDATE webhook' },
  { scenario: 'quality_dropped', label: 'Quality dropped to red', sent: 'phone_number_quality_update webhook' },
  { scenario: 'inbound_message', label: 'Inbound message', sent: 'messages webhook with an inbound text' },
];

const KIND_LABELS: Record<SandboxDelivery['kind'], string> = {
  webhook: 'Webhook',
  deauthorize: 'Deauthorize callback',
  data_deletion: 'Data deletion callback',
};

function deliveryLine(d: SandboxDelivery): string {
  const answer = d.status === null ? 'no answer' : `HTTP ${d.status}`;
  const retrying = d.state === 'pending' ? ' — Meta-style retries continue in the background' : '';
  return `${KIND_LABELS[d.kind]}: ${answer}${retrying}`;
}

/**
 * Sandbox only: make the simulated Meta send what it would in a situation (signed webhooks and
 * callbacks to this app), then reload the account so the effect shows.
 */
export function SimulateMetaSection({ recordId }: { recordId: string }) {
  const queryClient = useQueryClient();
  const mutation = useSimulateScenario();
  const [result, setResult] = useState<{ label: string; deliveries: SandboxDelivery[] } | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const fire = (scenario: SandboxScenario, label: string) => {
    setResult(null);
    mutation.mutate(
      { scenario, recordId },
      {
        onSuccess: ({ deliveries }) => setResult({ label, deliveries }),
        onSettled: () => {
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => {
            void queryClient.invalidateQueries({ queryKey: onboardingKeys.detail(recordId) });
            void queryClient.invalidateQueries({ queryKey: onboardingKeys.all });
          }, REFRESH_AFTER_MS);
        },
      },
    );
  };
  const busy = (scenario: SandboxScenario) => mutation.isPending && mutation.variables?.scenario === scenario;

  return (
    <Section
      title="Sandbox: simulate Meta"
      description="Make the simulated Meta send the signed webhooks and callbacks it would send in these situations. The account reloads a moment later."
    >
      {result ? (
        <Alert color="blue" variant="light" role="status" title={`Sent: ${result.label}`} mb="md" withCloseButton closeButtonLabel="Dismiss" onClose={() => setResult(null)}>
          <List size="sm">
            {result.deliveries.map((d) => (
              <List.Item key={d.id}>{deliveryLine(d)}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      {mutation.isError ? (
        <Alert color="red" variant="light" role="alert" title="The simulator could not send" mb="md" withCloseButton closeButtonLabel="Dismiss" onClose={() => mutation.reset()}>
          {errorMessage(mutation.error)}
        </Alert>
      ) : null}
      <Group gap="sm" wrap="wrap">
        {SCENARIOS.map(({ scenario, label, sent }) => (
          <Button
            key={scenario}
            variant="default"
            onClick={() => fire(scenario, label)}
            loading={busy(scenario)}
            disabled={mutation.isPending && !busy(scenario)}
            title={`Sends: ${sent}`}
          >
            {label}
          </Button>
        ))}
      </Group>
      <Text fz="xs" c="dimmed" mt="sm">
        Sandbox only. Nothing is sent to Meta.
      </Text>
    </Section>
  );
}
