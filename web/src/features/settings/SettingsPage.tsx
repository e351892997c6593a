import { Stack } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.js';
import { useSession } from '../../lib/session.js';
import { LegalHoldsSection } from './LegalHoldsSection.js';
import { PurgeRunsSection } from './PurgeRunsSection.js';
import { RetentionSection } from './RetentionSection.js';
import { TwoFactorPolicySection } from './TwoFactorPolicySection.js';
import { SsoSettingsSection } from './sso/SsoSettingsSection.js';

/** Organisation settings (owners): retention periods, two-factor policy, single sign-on, legal holds, purge runs. */
export function SettingsPage() {
  const { can } = useSession();
  return (
    <>
      <PageHeader title="Settings" description="Organisation-wide settings. Only owners see this page." />
      <Stack gap="lg">
        <RetentionSection />
        <TwoFactorPolicySection />
        <SsoSettingsSection />
        {can('legal_hold.manage') ? <LegalHoldsSection /> : null}
        <PurgeRunsSection />
      </Stack>
    </>
  );
}
