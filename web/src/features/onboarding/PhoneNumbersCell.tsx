import { Group, Stack, Text } from '@mantine/core';
import type { ListPhoneNumber } from './api.js';
import { QualityBadge } from './QualityBadge.js';

/** A record's phone numbers in the list: display number and quality rating each. */
export function PhoneNumbersCell({ numbers }: { numbers: ListPhoneNumber[] }) {
  if (numbers.length === 0) return <>—</>;
  return (
    <Stack gap={4}>
      {numbers.map((number) => (
        <Group key={number.phoneNumberId} gap={6} wrap="nowrap">
          <Text fz="sm" style={{ whiteSpace: 'nowrap' }}>
            {number.displayPhoneNumber ?? number.phoneNumberId}
          </Text>
          <QualityBadge rating={number.qualityRating} />
        </Group>
      ))}
    </Stack>
  );
}
