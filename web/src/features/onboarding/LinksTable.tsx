import { Anchor, Button, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateCell } from '../../components/DateCell.js';
import { ScrollTable } from '../../components/ScrollTable.js';
import type { OnboardingLink } from './api.js';
import { LinkStatusBadge } from './LinkStatusBadge.js';

function BusinessCell({ link }: { link: OnboardingLink }) {
  const contact = [link.email, link.phone].filter(Boolean).join(' · ');
  return (
    <>
      <Text fz="sm">{link.businessName ?? '—'}</Text>
      {contact ? (
        <Text fz="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {contact}
        </Text>
      ) : null}
    </>
  );
}

/** Customer onboarding links, newest first; `onRevoke` (when allowed) adds a Revoke button to active ones. */
export function LinksTable({
  links,
  busy,
  onRevoke,
}: {
  links: OnboardingLink[];
  busy: boolean;
  onRevoke: ((link: OnboardingLink) => void) | null;
}) {
  return (
    <ScrollTable label="Customer links" minWidth={980} busy={busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Label</Table.Th>
          <Table.Th scope="col">Business</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col">Expires</Table.Th>
          <Table.Th scope="col">Created by</Table.Th>
          <Table.Th scope="col">Used</Table.Th>
          <Table.Th scope="col">Account</Table.Th>
          {onRevoke ? <Table.Th scope="col">Actions</Table.Th> : null}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {links.map((link) => (
          <Table.Tr key={link.id} data-link-id={link.id}>
            <Table.Td fw={600} fz="sm" style={{ overflowWrap: 'anywhere' }}>
              {link.label}
            </Table.Td>
            <Table.Td>
              <BusinessCell link={link} />
            </Table.Td>
            <Table.Td>
              <LinkStatusBadge status={link.status} />
            </Table.Td>
            <Table.Td>
              <DateCell iso={link.expiresAt} />
            </Table.Td>
            <Table.Td>{link.createdBy?.displayName ?? '—'}</Table.Td>
            <Table.Td>
              <DateCell iso={link.usedAt} />
            </Table.Td>
            <Table.Td>
              {link.recordId ? (
                <Anchor component={Link} to={`/onboarding/${encodeURIComponent(link.recordId)}`} fz="sm" aria-label={`View account of ${link.label}`}>
                  View account
                </Anchor>
              ) : (
                '—'
              )}
            </Table.Td>
            {onRevoke ? (
              <Table.Td>
                {link.status === 'active' ? (
                  <Button size="xs" variant="light" color="red" onClick={() => onRevoke(link)} aria-label={`Revoke link ${link.label}`}>
                    Revoke
                  </Button>
                ) : null}
              </Table.Td>
            ) : null}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </ScrollTable>
  );
}
