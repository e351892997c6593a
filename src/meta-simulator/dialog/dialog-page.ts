/**
 * Server-rendered HTML and CSS of the sandbox Embedded Signup dialog. Everything dynamic is escaped
 * here; the page carries no inline script or style (its CSP allows 'self' only), and the world
 * outline travels as a JSON data block, which browsers never execute and CSP does not govern.
 */
import type { WorldSummary } from '../world.js';
import type { SimScenario } from '../types.js';

/** The session-info events a finished flow can post (reference 1.3). */
export const FINISH_VARIANTS = ['FINISH', 'FINISH_ONLY_WABA', 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING'] as const;

/** One of FINISH_VARIANTS. */
export type FinishVariant = (typeof FINISH_VARIANTS)[number];

/** The `current_step` values of an abandoned flow (reference 1.3). */
export const CANCEL_STEPS = [
  'BUSINESS_ACCOUNT_SELECTION',
  'WABA_PHONE_PROFILE_PICKER',
  'WHATSAPP_BUSINESS_PROFILE_SETUP',
  'PHONE_NUMBER_SETUP',
  'PHONE_NUMBER_VERIFICATION',
  'PERMISSIONS',
] as const;

/** What the dialog page shows: the request it was opened with and what can be picked. */
export interface DialogPageInput {
  appOrigin: string;
  appId: string;
  configId: string;
  state: string;
  /** the raw `extras` JSON from FB.login, shown for the tester's information */
  extras: string;
  world: WorldSummary & { scenarios: readonly SimScenario[] };
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a data block: `<` escaped so `</script>` cannot end it early. */
function jsonForDataBlock(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

const options = (values: readonly string[], label: (v: string) => string = (v) => v) =>
  values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(label(v))}</option>`).join('');

function shell(body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox Embedded Signup</title>
<link rel="stylesheet" href="/dialog/dialog.css">
${head}
</head>
<body>
<main>
<h1>Connect WhatsApp (sandbox)</h1>
${body}
</main>
</body>
</html>
`;
}

/** The page shown when the dialog was opened with a bad request (like Meta's error dialog). */
export function renderDialogError(message: string): string {
  return shell(`<p class="error" role="alert">${escapeHtml(message)}</p>`);
}

/** The dialog itself: asset pickers, scenario, and the finish / cancel / error actions. */
export function renderDialogPage(p: DialogPageInput): string {
  const config = { appOrigin: p.appOrigin, state: p.state, world: p.world };
  const head = `<script type="application/json" id="dialog-config">${jsonForDataBlock(config)}</script>
<script src="/dialog/dialog.js" defer></script>`;
  const businesses = p.world.businesses.map((b) => `<option value="${escapeHtml(b.id)}">${escapeHtml(`${b.name} (${b.id})`)}</option>`).join('');
  return shell(
    `<p>This window stands in for Meta's Embedded Signup popup. It will report back to
<strong>${escapeHtml(p.appOrigin)}</strong> for app <strong>${escapeHtml(p.appId)}</strong>
(configuration <strong>${escapeHtml(p.configId || 'none')}</strong>).</p>
<p class="extras">Extras: <code>${escapeHtml(p.extras || '{}')}</code></p>
<form id="dialog-form" novalidate>
<fieldset>
<legend>Assets to share</legend>
<label for="business">Business portfolio</label>
<select id="business" name="business">${businesses}</select>
<label for="waba">WhatsApp Business Account</label>
<select id="waba" name="waba"></select>
<label for="phone">Phone number</label>
<select id="phone" name="phone"></select>
<label for="scenario">Scenario (optional)</label>
<select id="scenario" name="scenario"><option value="">None: everything works</option>${options(p.world.scenarios)}</select>
</fieldset>
<fieldset>
<legend>Finish</legend>
<label for="variant">Event to send</label>
<select id="variant" name="variant">${options(FINISH_VARIANTS)}</select>
<button type="button" id="finish">Finish</button>
</fieldset>
<fieldset>
<legend>Leave the flow</legend>
<label for="step">Step the person leaves at</label>
<select id="step" name="step">${options(CANCEL_STEPS)}</select>
<button type="button" id="cancel">Cancel at step</button>
</fieldset>
<fieldset>
<legend>Errors</legend>
<label for="error-message">Error message</label>
<input id="error-message" name="error_message" type="text" value="An unexpected error occurred. Please try again later.">
<label for="error-id">Error id</label>
<input id="error-id" name="error_id" type="text" inputmode="numeric" value="524126">
<button type="button" id="report">Report an error</button>
<button type="button" id="error-event">Error event</button>
</fieldset>
</form>
<p id="status" role="status" aria-live="polite"></p>`,
    head,
  );
}

/** The dialog's stylesheet (served from 'self', so the CSP needs no 'unsafe-inline'). */
export const DIALOG_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f0f2f5; color: #1c1e21; }
main { max-width: 34rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; background: #fff; min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1.35rem; color: #0b4a9e; }
fieldset { border: 1px solid #8d949e; border-radius: 6px; margin: 0 0 1rem; padding: 0.5rem 0.75rem 0.75rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
label { display: block; margin: 0.5rem 0 0.2rem; }
select, input { width: 100%; box-sizing: border-box; padding: 0.35rem; font: inherit; }
button { margin: 0.6rem 0.5rem 0 0; padding: 0.45rem 0.9rem; font: inherit; border-radius: 6px; border: 1px solid #0b4a9e; background: #0b4a9e; color: #fff; cursor: pointer; }
button[disabled] { background: #606770; border-color: #606770; cursor: default; }
button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #f7b928; outline-offset: 1px; }
code { word-break: break-all; }
.extras { font-size: 0.9rem; }
.error, #status { font-weight: 600; }
.error { color: #a4000f; }
`;
