import { Anchor } from '@mantine/core';

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
/** Punctuation that ends a sentence rather than the link. */
const TRAILING = /[.,;:!?)\]}]+$/;

/** Splits text into plain parts and http(s) links. */
export function splitLinks(text: string): Array<{ text: string; href?: string }> {
  const parts: Array<{ text: string; href?: string }> = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const raw = match[0];
    const url = raw.replace(TRAILING, '');
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** A mail's text body with its links clickable (plain anchors, same tab). */
export function MailText({ text }: { text: string }) {
  return (
    <pre className="mail-body">
      {splitLinks(text).map((part, index) =>
        part.href ? (
          <Anchor key={index} href={part.href} inherit>
            {part.text}
          </Anchor>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </pre>
  );
}
