import type { ReactNode } from 'react';
import { Section } from '../../components/Section.js';
import { DateCell } from '../../components/DateCell.js';
import { roleLabel } from '../../lib/format.js';
import type { UserDetail } from './api.js';
import { StatusBadges } from './StatusBadges.js';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function UserProfile({ user }: { user: UserDetail }) {
  return (
    <Section title="Profile">
      <dl className="facts">
        <Fact label="Name">{user.displayName}</Fact>
        <Fact label="Email">{user.email}</Fact>
        <Fact label="Role">{roleLabel(user.role)}</Fact>
        <Fact label="Status">
          <StatusBadges user={user} />
        </Fact>
        <Fact label="Created">
          <DateCell iso={user.createdAt} />
        </Fact>
        {user.status === 'invited' ? (
          <Fact label="Invitation expires">
            <DateCell iso={user.invitationExpiresAt} />
          </Fact>
        ) : null}
        <Fact label="Last sign-in">{user.lastSignInAt ? <DateCell iso={user.lastSignInAt} /> : 'Never'}</Fact>
        <Fact label="Last sign-in IP address">{user.lastSignInIp ?? '—'}</Fact>
        <Fact label="Two-factor authentication">{user.twoFactorEnabled ? 'On' : 'Off'}</Fact>
      </dl>
    </Section>
  );
}
