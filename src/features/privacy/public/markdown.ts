/**
 * Renders the operator's policy Markdown to HTML safely. The file comes from the operator, but a
 * policy is often pasted from elsewhere, and the page is public: so raw HTML is not rendered (it
 * shows as text), links may only go to http(s), mailto or relative addresses (javascript:, data:,
 * vbscript:, file: and anything else stay plain text), and images are off (no third-party
 * resources on the page; the CSP would block them anyway).
 */
import MarkdownIt from 'markdown-it';

/** Link targets allowed: absolute http(s) and mailto, or relative (no scheme at all). */
const SAFE_SCHEME = /^(?:https?:|mailto:)/i;
/** A scheme is letters then ':' before any '/', '?' or '#' (after markdown-it's normalisation). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Whether a link target may become an href (exported for its unit test). */
export function isSafeLink(url: string): boolean {
  // Browsers ignore tabs, newlines and leading control characters/spaces inside a scheme.
  const compact = url.replace(/[\u0000-\u0020\u007f]/g, '');
  if (HAS_SCHEME.test(compact)) return SAFE_SCHEME.test(compact);
  // Protocol-relative (//host) is an absolute link too; backslashes are treated as slashes.
  if (/^[\\/]{2}/.test(compact)) return false;
  return true;
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.disable(['image']);
md.validateLink = isSafeLink;

// Links leaving the site: no referrer, no opener.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = String(tokens[idx]!.attrGet('href') ?? '');
  if (/^https?:/i.test(href)) tokens[idx]!.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** The policy's HTML: trusted to be free of markup the Markdown did not describe. */
export function renderPolicyMarkdown(markdown: string): string {
  return md.render(markdown);
}
