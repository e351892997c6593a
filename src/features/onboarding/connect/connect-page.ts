/**
 * The connect page: its settings (what the browser script needs, or which setting is missing), its
 * own security headers (Meta's SDK and dialog origins are allowed here only; every other page keeps
 * the strict policy), and its HTML. No inline script: the settings travel in a JSON data block,
 * which browsers never execute and CSP does not govern.
 */

/** Meta's SDK (production). */
export const META_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';
/** The window.FB stand-in this app serves in sandbox mode. */
export const SANDBOX_SDK_PATH = '/connect/sandbox-sdk.js';
/** The only origins Meta's Embedded Signup posts from (reference 1.3: exact hosts, no suffix match). */
export const META_DIALOG_ORIGINS = ['https://www.facebook.com', 'https://web.facebook.com'] as const;

/** What the connect page is built from. */
export interface ConnectSettings {
  sandbox: boolean;
  appId: string;
  configId: string | undefined;
  graphVersion: string;
  /** sandbox: the simulator dialog's origin, when the dialog is running */
  sandboxDialogOrigin: string | undefined;
}

/** The browser script's configuration (the `connect-config` data block). */
export interface ConnectConfig {
  appId: string;
  configId: string;
  graphVersion: string;
  sandbox: boolean;
  allowedOrigins: string[];
  sdkUrl: string;
  /** a sentence naming the missing setting, or null when Embedded Signup can run */
  missing: string | null;
  /** staff connect (signed in) or a customer link (authorised by the link cookie) */
  mode: 'staff' | 'customer';
  /** where the attempt routes live: /api/v1/onboarding or /onboard/api */
  apiBase: string;
  /** customer link: the business name to show, and the prefill handed to Embedded Signup */
  businessName?: string;
  prefill?: { business?: { name?: string; email?: string; phone?: { number: string } } };
}

/** The customer variant of a staff config. */
export function customerConfigOf(staff: ConnectConfig, link: { businessName: string | null; label: string; email: string | null; phone: string | null }): ConnectConfig {
  const business: NonNullable<ConnectConfig['prefill']>['business'] = {};
  if (link.businessName) business.name = link.businessName;
  if (link.email) business.email = link.email;
  if (link.phone) business.phone = { number: link.phone };
  return { ...staff, mode: 'customer', apiBase: '/onboard/api', businessName: link.businessName ?? link.label, prefill: Object.keys(business).length > 0 ? { business } : {} };
}

/** The settings Embedded Signup still needs, by name (the console names them next to Connect). */
export function missingSettings(s: ConnectSettings): string[] {
  if (s.sandbox) return s.sandboxDialogOrigin ? [] : ['the sandbox signup dialog (SANDBOX_DIALOG_PORT)'];
  return s.configId ? [] : ['META_CONFIG_ID'];
}

/** The script's configuration, with `missing` set instead of failing when a setting is absent. */
export function connectConfigOf(s: ConnectSettings): ConnectConfig {
  const base = { appId: s.appId, configId: s.configId ?? '', graphVersion: s.graphVersion, sandbox: s.sandbox, mode: 'staff' as const, apiBase: '/api/v1/onboarding' };
  if (s.sandbox) {
    return {
      ...base,
      allowedOrigins: s.sandboxDialogOrigin ? [s.sandboxDialogOrigin] : [],
      sdkUrl: SANDBOX_SDK_PATH,
      missing: s.sandboxDialogOrigin ? null : 'The sandbox signup dialog is not running (sandboxDialogOrigin is unset), so Embedded Signup cannot start.',
    };
  }
  return {
    ...base,
    allowedOrigins: [...META_DIALOG_ORIGINS],
    sdkUrl: META_SDK_URL,
    missing: s.configId ? null : 'META_CONFIG_ID is not set: add the Facebook Login for Business configuration ID to the environment and restart.',
  };
}

/**
 * Headers of the connect page. COOP `same-origin-allow-popups`: `same-origin` (helmet's default)
 * would sever window.opener, and Meta's popup could then not hand back the code or the events.
 */
export function connectPageHeaders(sandbox: boolean): Record<string, string> {
  const meta = sandbox ? [] : [...META_DIALOG_ORIGINS];
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", ...(sandbox ? [] : ['https://connect.facebook.net'])]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ...meta]],
    ['frame-src', sandbox ? ["'none'"] : meta],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return {
    'content-security-policy': directives.map(([k, v]) => `${k} ${v.join(' ')}`).join('; '),
    'cross-origin-opener-policy': 'same-origin-allow-popups',
    'cache-control': 'no-store',
  };
}

/** Escapes text for HTML element content and double-quoted attribute values. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1c1e21; background: #f5f6f7; line-height: 1.5; }
main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 8px; }
.sandbox { margin: 0; padding: 0.5rem 1rem; background: #fff4ce; color: #4a3b00; text-align: center; }
button { padding: 0.5rem 1rem; font: inherit; border-radius: 6px; border: 1px solid #0b4a9e; background: #0b4a9e; color: #fff; cursor: pointer; margin-right: 0.5rem; }
button[disabled] { background: #606770; border-color: #606770; cursor: default; }
button:focus-visible, a:focus-visible { outline: 3px solid #f7b928; outline-offset: 2px; }
.problem { color: #8a1c1c; }
#status { min-height: 1.5rem; margin: 1rem 0; }
a { color: #0b4a9e; }
`;

function shell(title: string, body: string, head = '', sandbox = false): string {
  const banner = sandbox ? '<p class="sandbox">Sandbox mode: Meta is simulated; nothing reaches WhatsApp.</p>\n' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
${banner}<main>
${body}
</main>
</body>
</html>
`;
}

/** The connect page. The button starts disabled; the script enables it once the SDK is ready. */
export function renderConnectPage(cfg: ConnectConfig): string {
  // `<` escaped so a value can never close the data block early.
  const json = JSON.stringify(cfg).replace(/</g, '\\u003c');
  const head = `<script type="application/json" id="connect-config">${json}</script>
<script src="/connect/connect.js" defer></script>`;
  const problem = cfg.missing ? `<p class="problem" id="config-problem">${escapeHtml(cfg.missing)}</p>\n` : '';
  const controls = `${problem}<p><button type="button" id="connect" disabled>Connect</button><button type="button" id="retry" hidden>Try again</button></p>
<div id="status" role="status" aria-live="polite">${cfg.missing ? '' : 'Loading…'}</div>`;
  if (cfg.mode === 'customer') {
    // The customer sees the business's name and one button: nothing else of the CRM.
    const name = escapeHtml(cfg.businessName ?? '');
    return shell(
      `Connect ${cfg.businessName ?? ''} to WhatsApp`,
      `<h1>Connect ${name} to the WhatsApp Business Platform</h1>
<p>Connect opens Meta's signup window. Sign in to Facebook as an admin of your business portfolio, then choose the WhatsApp Business Account and the phone number to connect. When it is done, this page says so.</p>
${controls}`,
      head,
      cfg.sandbox,
    );
  }
  return shell(
    'Connect a WhatsApp Business Account',
    `<h1>Connect a WhatsApp Business Account</h1>
<p>Connect opens Meta's Embedded Signup in a popup window. There you choose the business portfolio, the WhatsApp Business Account and the phone number to connect; this console then finishes the set-up with Meta and shows the result here.</p>
${controls}
<p><a href="/onboarding">Back to WhatsApp accounts</a></p>`,
    head,
    cfg.sandbox,
  );
}

/** The page a customer sees when their link cannot be used. */
export function renderLinkInvalidPage(): string {
  return shell(
    'Link not valid',
    `<h1>This link cannot be used</h1>
<p class="problem">The onboarding link is invalid, expired, revoked, or was already used to connect an account. Ask the business that sent it for a new one.</p>`,
  );
}

/** The page for a signed-in user whose role may not connect accounts. */
export function renderForbiddenPage(): string {
  return shell(
    'Not allowed',
    `<h1>Connect a WhatsApp Business Account</h1>
<p class="problem">Your role does not allow connecting WhatsApp Business Accounts. Ask an owner or admin.</p>
<p><a href="/">Back to the console</a></p>`,
  );
}
