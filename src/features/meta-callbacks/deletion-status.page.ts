/**
 * Server-rendered HTML of the deletion status page and its 404. No script; every dynamic value is
 * escaped. Styles inline (the app's CSP allows inline styles, never inline scripts).
 */
import type { DeletionStatus } from './deletion-status.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1c1e21; background: #f5f6f7; line-height: 1.5; }
main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 8px; }
dt { font-weight: 600; }
dd { margin: 0 0 0.75rem 0; }
.state { font-size: 1.1rem; }
a { color: #0b4a9e; }
a:focus-visible { outline: 3px solid #f7b928; outline-offset: 2px; }
`;

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function when(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC'))}</time>`;
}

function contact(email: string | undefined): string {
  if (!email) return '';
  const e = escapeHtml(email);
  return `<p>Questions about this request: <a href="mailto:${e}">${e}</a>.</p>`;
}

/** The status page of one request. */
export function renderStatusPage(s: DeletionStatus, contactEmail?: string): string {
  const deleted = s.deleted.length > 0 ? `<ul>${s.deleted.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '<p>Nothing so far.</p>';
  const kept = s.kept.length > 0 ? `<ul>${s.kept.map((k) => `<li>${escapeHtml(k.what)}: ${escapeHtml(k.why)}</li>`).join('')}</ul>` : '<p>Nothing.</p>';
  return shell(
    'Data deletion request',
    `<h1>Your data deletion request</h1>
<p class="state" id="state-text">${escapeHtml(s.stateText)}</p>
<dl>
<dt>Received</dt><dd>${when(s.receivedAt)}</dd>
${s.completedAt ? `<dt>Completed</dt><dd>${when(s.completedAt)}</dd>` : ''}
</dl>
${s.note ? `<p id="note">${escapeHtml(s.note)}</p>` : ''}
<h2>Deleted</h2>
${deleted}
<h2>Kept, and why</h2>
${kept}
${contact(contactEmail)}`,
  );
}

/** The page for an unknown or malformed confirmation code. */
export function renderStatusNotFoundPage(contactEmail?: string): string {
  return shell(
    'Request not found',
    `<h1>Request not found</h1>
<p>There is no data deletion request with this confirmation code. Check that the address is complete.</p>
${contact(contactEmail)}`,
  );
}
