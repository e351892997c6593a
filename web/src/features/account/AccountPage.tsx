import { Stack } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.js';
import { ActivitySection } from './ActivitySection.js';
import { ApiTokensSection } from './api-tokens/ApiTokensSection.js';
import { MyDataSection } from './MyDataSection.js';
import { NotificationPreferencesSection } from '../notifications/NotificationPreferencesSection.js';
import { PasswordSection } from './PasswordSection.js';
import { ProfileSection } from './ProfileSection.js';
import { SessionsSection } from './SessionsSection.js';
import { TwoFactorSection } from './TwoFactorSection.js';

export function AccountPage() {
  return (
    <>
      <PageHeader title="My account" description="Your profile, password, security (two-factor, sessions, API tokens) and sign-in history." />
      <Stack gap="lg">
        <ProfileSection />
        <PasswordSection />
        <TwoFactorSection />
        <SessionsSection />
        <ApiTokensSection />
        <NotificationPreferencesSection />
        <ActivitySection />
        <MyDataSection />
      </Stack>
    </>
  );
}
