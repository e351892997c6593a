/**
 * Server-rendered HTML of /privacy and /data-deletion and the pages of the deletion form's flow.
 * No script, no third-party resource; every dynamic value is escaped (the policy HTML comes from
 * the safe Markdown renderer). The frame and styles are the deletion status page's.
 */
import { escapeHtml, shell } from '../../meta-callbacks/deletion-status.page.js';
import { DELETION_SCOPES, MESSAGE_MAX, type FieldErrors, type FormField } from './deletion-form.js';

/** Who to ask: CONTACT_EMAIL, or the console's administrator when it is unset. */
function contactLine(contactEmail: string | undefined, lead = 'Privacy questions'): string {
  if (!contactEmail) return `<p id="contact">${escapeHtml(lead)}: contact the administrator of this console.</p>`;
  const e = escapeHtml(contactEmail);
  return `<p id="contact">${escapeHtml(lead)}: <a href="mailto:${e}">${e}</a>.</p>`;
}

function footer(contactEmail: string | undefined): string {
  return `<footer>
${contactLine(contactEmail)}
<p><a href="/privacy">Privacy policy</a> · <a href="/data-deletion">Delete your data</a></p>
</footer>`;
}

/** The policy page; `policyHtml` is the safe renderer's output. */
export function renderPrivacyPage(policyHtml: string, contactEmail: string | undefined): string {
  const body = /^\s*<h1[\s>]/.test(policyHtml) ? policyHtml : `<h1>Privacy policy</h1>\n${policyHtml}`;
  return shell('Privacy policy', `${body}\n${footer(contactEmail)}`);
}

export interface DeletionPageInput {
  formToken: string;
  contactEmail: string | undefined;
  values?: { email: string; scope: string[]; message: string };
  errors?: FieldErrors;
}

const FIELD_LABEL: Record<FormField, string> = { email: 'Login email', scope: 'What to delete', message: 'Message' };
const FIELD_ID: Record<FormField, string> = { email: 'email', scope: `scope-${DELETION_SCOPES[0].value}`, message: 'message' };

function errorSummary(errors: FieldErrors): string {
  const items = (Object.keys(errors) as FormField[]).map((f) => `<li><a href="#${FIELD_ID[f]}">${escapeHtml(FIELD_LABEL[f])}: ${escapeHtml(errors[f]!)}</a></li>`);
  if (items.length === 0) return '';
  return `<div class="errors" id="form-errors" tabindex="-1">
<h2>Please correct the form</h2>
<ul>${items.join('')}</ul>
</div>`;
}

const fieldError = (id: string, message: string | undefined) => (message ? `<p class="error" id="${id}-error">${escapeHtml(message)}</p>` : '');
const describedBy = (...ids: (string | false)[]) => {
  const list = ids.filter(Boolean).join(' ');
  return list ? ` aria-describedby="${list}"` : '';
};

/** The data deletion page: the ways to ask, and the form (re-rendered with errors and values). */
export function renderDeletionPage(input: DeletionPageInput): string {
  const v = input.values ?? { email: '', scope: [], message: '' };
  const e = input.errors ?? {};
  const scopes = DELETION_SCOPES.map(
    (s) =>
      `<label for="scope-${s.value}"><input type="checkbox" id="scope-${s.value}" name="scope" value="${s.value}"${v.scope.includes(s.value) ? ' checked' : ''}> ${escapeHtml(s.label)}</label>`,
  ).join('\n');
  return shell(
    e && Object.keys(e).length > 0 ? 'Error: Delete your data' : 'Delete your data',
    `<h1>Delete your data</h1>
<p>You can ask for the data this console holds about you to be deleted in any of these ways:</p>
<ul>
<li>If you have an account, sign in and use <strong>My data</strong> in your account.</li>
<li>Send the form on this page. We mail a confirmation link to the login email you give; nothing happens until you open it and confirm.</li>
<li>If you connected a WhatsApp Business account through Meta, remove this app in Meta's business settings. Meta then tells us, and the deletion status link Meta shows you opens on this site at <code>/data-deletion/status/&lt;code&gt;</code>.</li>
</ul>
<p>Some data must be kept even after a deletion request: security records for their period, audit records, data under a legal hold, and proof that we handled your request. When we finish, the status page lists what was deleted and what was kept and why. See the <a href="/privacy">privacy policy</a> for details.</p>
${errorSummary(e)}
<h2>Request deletion</h2>
<form method="post" action="/data-deletion" novalidate>
<input type="hidden" name="form_token" value="${escapeHtml(input.formToken)}">
<label for="email">Login email</label>
<p class="hint" id="email-hint">The email address you sign in with, or the one you gave on an onboarding link.</p>
${fieldError('email', e.email)}
<input type="email" id="email" name="email" autocomplete="email" required maxlength="254" value="${escapeHtml(v.email)}"${e.email ? ' aria-invalid="true"' : ''}${describedBy('email-hint', !!e.email && 'email-error')}>
<fieldset${describedBy(!!e.scope && 'scope-error')}>
<legend>What to delete</legend>
${fieldError('scope', e.scope)}
${scopes}
</fieldset>
<label for="message">Message (optional)</label>
<p class="hint" id="message-hint">Anything that helps us find your data. At most ${MESSAGE_MAX} characters.</p>
${fieldError('message', e.message)}
<textarea id="message" name="message" rows="4" maxlength="${MESSAGE_MAX}"${e.message ? ' aria-invalid="true"' : ''}${describedBy('message-hint', !!e.message && 'message-error')}>${escapeHtml(v.message)}</textarea>
<button type="submit">Send deletion request</button>
</form>
${footer(input.contactEmail)}`,
  );
}

/** After the form: the same page whether or not the email has an account. */
export function renderRequestSentPage(contactEmail: string | undefined): string {
  return shell(
    'Check your email',
    `<h1>Check your email</h1>
<p role="status">Thank you. If the address you gave can receive mail, a message with a confirmation link is on its way to it.</p>
<p>Open the link within 24 hours and press <strong>Confirm my request</strong>. Nothing is deleted until you confirm. After confirming you get a link where you can follow the request.</p>
<p>No mail after a few minutes? Check your spam folder, or send the form again.</p>
${footer(contactEmail)}`,
  );
}

/** The page of the mailed link: a button, because opening a link must not change anything. */
export function renderVerifyPage(input: { token: string; formToken: string; contactEmail: string | undefined }): string {
  return shell(
    'Confirm your data deletion request',
    `<h1>Confirm your data deletion request</h1>
<p>Press the button to confirm that you asked for the data held about your email address to be deleted.</p>
<form method="post" action="/data-deletion/verify">
<input type="hidden" name="token" value="${escapeHtml(input.token)}">
<input type="hidden" name="form_token" value="${escapeHtml(input.formToken)}">
<button type="submit">Confirm my request</button>
</form>
<p>If you did not ask for this, close this page: nothing happens.</p>
${footer(input.contactEmail)}`,
  );
}

/** After confirming: where to follow the request. */
export function renderVerifiedPage(statusPath: string, contactEmail: string | undefined): string {
  const p = escapeHtml(statusPath);
  return shell(
    'Request confirmed',
    `<h1>Request confirmed</h1>
<p role="status">Thank you: your data deletion request is confirmed and we are working on it. It is finished within one month.</p>
<p>Keep this link to follow your request: <a href="${p}" id="status-link">${p}</a></p>
${footer(contactEmail)}`,
  );
}

/** An unknown, used or expired verification link: no detail about any request. */
export function renderLinkUnusablePage(message: string, contactEmail: string | undefined): string {
  return shell(
    'Link not valid',
    `<h1>This link cannot be used</h1>
<p>${escapeHtml(message)}</p>
<p>If you still want your data deleted, <a href="/data-deletion">send the form again</a>.</p>
${footer(contactEmail)}`,
  );
}

/** Any other refusal of the public pages (too many requests, cross-site post, mail unavailable). */
export function renderProblemPage(title: string, message: string, contactEmail: string | undefined): string {
  return shell(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/data-deletion">Back to the data deletion page</a></p>
${footer(contactEmail)}`,
  );
}
