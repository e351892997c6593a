import { Badge, VisuallyHidden } from '@mantine/core';
import { quality } from './labels.js';

/** Meta's quality rating of a phone number: Green, Yellow, Red or Unknown. */
export function QualityBadge({ rating }: { rating: string | null }) {
  const { label, color } = quality(rating);
  return (
    <Badge color={color} size="sm" title={`Quality rating: ${label}`} style={{ flexShrink: 0, minWidth: 'max-content' }}>
      <VisuallyHidden>Quality rating: </VisuallyHidden>
      {label}
    </Badge>
  );
}
