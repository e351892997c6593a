/** Data for the sandbox tools: asking the built-in Meta simulator to send events (`POST /sandbox/meta/events`). */
import { useMutation } from '@tanstack/react-query';
import { api } from '../../lib/api.js';

/** What the simulator fires for a WhatsApp account (see the server's sandbox-events.ts). */
export type SandboxScenario = 'customer_removed_app' | 'waba_disabled' | 'quality_dropped' | 'inbound_message' | 'data_deletion';

export interface SandboxDelivery {
  id: string;
  kind: 'webhook' | 'deauthorize' | 'data_deletion';
  target: string;
  /** the first attempt's HTTP status; null when the app did not answer */
  status: number | null;
  attempts: number;
  state: 'pending' | 'delivered' | 'gave_up' | 'cancelled';
}

/** `/sandbox/...` lives beside the API, not under `/api/v1`; the CSRF header is added as for any POST. */
export function simulateScenario(scenario: SandboxScenario, recordId: string) {
  return api.post<{ deliveries: SandboxDelivery[] }>('/sandbox/meta/events', { scenario, recordId }, { base: '' });
}

export function useSimulateScenario() {
  return useMutation({
    mutationFn: ({ scenario, recordId }: { scenario: SandboxScenario; recordId: string }) => simulateScenario(scenario, recordId),
  });
}
