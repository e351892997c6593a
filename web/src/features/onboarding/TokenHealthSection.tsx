import { Code, Group } from '@mantine/core';
import { DateCell } from '../../components/DateCell.js';
import { Section } from '../../components/Section.js';
import type { RecordDetail } from './api.js';
import { Fact } from './Fact.js';
import { TokenExpiry } from './TokenExpiry.js';

function scopeList(scopes: RecordDetail['token']['scopes']): string[] {
  if (Array.isArray(scopes)) return scopes.map(String);
  if (typeof scopes === 'string') return scopes.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The business token as last checked with Meta (never the token itself). */
export function TokenHealthSection({ token }: { token: RecordDetail['token'] }) {
  const scopes = scopeList(token.scopes);
  return (
    <Section title="Token health" description="The business token as Meta last described it. The token itself is never shown.">
      <dl className="facts">
        <Fact label="Stored">{token.stored ? 'Yes' : 'No'}</Fact>
        <Fact label="Type">{token.type ?? '—'}</Fact>
        <Fact label="Expires">
          <TokenExpiry expiresAt={token.expiresAt} />
        </Fact>
        <Fact label="Last verified">
          <DateCell iso={token.verifiedAt} />
        </Fact>
        <Fact label="Scopes">
          {scopes.length === 0 ? (
            '—'
          ) : (
            <Group gap={4} wrap="wrap" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Token scopes">
              {scopes.map((scope) => (
                <li key={scope}>
                  <Code fz="xs">{scope}</Code>
                </li>
              ))}
            </Group>
          )}
        </Fact>
      </dl>
    </Section>
  );
}
