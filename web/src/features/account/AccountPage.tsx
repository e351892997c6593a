import { Stack } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader.js';
import { ActivitySection } from './ActivitySection.js';
import { MyDataSection } from './MyDataSection.js';
import { PasswordSection } from './PasswordSection.js';
import { ProfileSection } from './ProfileSection.js';
import { SessionsSection } from './SessionsSection.js';
import { TwoFactorSection } from './TwoFactorSection.js';

export function AccountPage() {
  return (
    <>
      <PageHeader title="My account" description="Your profile, password, sessions and sign-in history." />
      <Stack gap="lg">
        <ProfileSection />
        <PasswordSection />
        <TwoFactorSection />
        <SessionsSection />
        <ActivitySection />
        <MyDataSection />
      </Stack>
    </>
  );
}
