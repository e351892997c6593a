import { Card, Tabs } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.js';
import { useSession } from '../../lib/session.js';
import { useUrlState } from '../../lib/use-url-state.js';
import { ConnectButton } from './ConnectButton.js';
import { LinksPanel } from './LinksPanel.js';
import { readOnboardingParams, writeOnboardingParams, type OnboardingParams, type OnboardingTab } from './list-params.js';
import { RecordsPanel } from './RecordsPanel.js';
import { SharedAccountsPanel } from './SharedAccountsPanel.js';

/** WhatsApp Business Accounts connected through Embedded Signup, those shared with the app but not onboarded, and the customer links that connect them. */
export function OnboardingPage() {
  const { can } = useSession();
  const [params, setParams] = useUrlState<OnboardingParams>(readOnboardingParams, writeOnboardingParams);

  return (
    <>
      <PageHeader
        title="WhatsApp accounts"
        description="WhatsApp Business Accounts connected through Meta's Embedded Signup, newest first."
        actions={can('onboarding.manage') ? <ConnectButton /> : null}
      />
      <Card>
        <Tabs
          value={params.tab}
          onChange={(tab) => setParams({ ...params, tab: tab === 'links' || tab === 'shared' ? (tab as OnboardingTab) : 'accounts' })}
          keepMounted={false}
        >
          <Tabs.List mb="md">
            <Tabs.Tab value="accounts">Accounts</Tabs.Tab>
            <Tabs.Tab value="shared">Shared accounts</Tabs.Tab>
            <Tabs.Tab value="links">Customer links</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="accounts">
            <RecordsPanel filters={params} onChange={(next) => setParams({ ...params, ...next })} />
          </Tabs.Panel>
          <Tabs.Panel value="shared">
            <SharedAccountsPanel />
          </Tabs.Panel>
          <Tabs.Panel value="links">
            <LinksPanel status={params.linkStatus} onStatus={(linkStatus) => setParams({ ...params, linkStatus })} />
          </Tabs.Panel>
        </Tabs>
      </Card>
    </>
  );
}
