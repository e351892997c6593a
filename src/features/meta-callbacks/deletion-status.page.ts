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
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #f7b928; outline-offset: 2px; }
label, legend { font-weight: 600; display: block; margin: 1rem 0 0.25rem; }
fieldset { border: 0; padding: 0; margin: 0; }
fieldset label { font-weight: 400; display: flex; gap: 0.5rem; align-items: flex-start; margin: 0.25rem 0; }
input[type=email], textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem; border: 1px solid #8d949e; border-radius: 4px; }
button { font: inherit; margin-top: 1.25rem; padding: 0.5rem 1rem; border: 0; border-radius: 4px; background: #0b4a9e; color: #fff; cursor: pointer; }
.hint { color: #4b4f56; font-size: 0.9rem; margin: 0.25rem 0; }
.error { color: #b3261e; font-weight: 600; margin: 0.25rem 0; }
.errors { border: 2px solid #b3261e; border-radius: 4px; padding: 0.5rem 1rem; }
footer { margin-top: 2rem; border-top: 1px solid #dddfe2; font-size: 0.95rem; }
`;

/** The page frame shared by the public server-rendered pages (status, privacy, data deletion). `title` is escaped; `body` is trusted HTML the caller escaped. */
export function shell(title: string, body: string): string {
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
  if (!email) return '<p>Questions about this request: contact the administrator of this console.</p>';
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
