/** The policy renderer: no raw HTML, no script-capable links, no images. */
import { describe, expect, it } from 'vitest';
import { isSafeLink, renderPolicyMarkdown } from './markdown.js';

describe('renderPolicyMarkdown', () => {
  it('renders ordinary Markdown', () => {
    const html = renderPolicyMarkdown('# Title\n\nSome *text* and [a page](https://example.test/x) and [mail](mailto:dpo@example.test).\n\n- one\n- two\n');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<em>text</em>');
    expect(html).toContain('<a href="https://example.test/x" rel="noopener noreferrer">a page</a>');
    expect(html).toContain('<a href="mailto:dpo@example.test">mail</a>');
    expect(html).toContain('<li>one</li>');
  });

  it('shows raw HTML as text', () => {
    const html = renderPolicyMarkdown('<script>alert(1)</script>\n\nHello <img src=x onerror=alert(1)> <b>bold</b>\n\n<iframe src="https://evil.test"></iframe>');
    expect(html).not.toMatch(/<script|<img|<iframe|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//evil.test/x',
  ])('neutralises the link target %j', (target) => {
    const html = renderPolicyMarkdown(`[click](${target.includes(' ') || target.includes('\t') ? `<${target}>` : target}) and <${target}>`);
    // Whatever href survives must resolve, as a browser would, to this site (a relative link).
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) {
      const resolved = new URL(href!.replace(/&amp;/g, '&'), 'https://console.test/privacy');
      expect(resolved.origin, href).toBe('https://console.test');
    }
  });

  it('neutralises reference-style and autolinked dangerous targets', () => {
    const html = renderPolicyMarkdown('[x][r]\n\n[r]: javascript:alert(1)\n\n<javascript:alert(1)>');
    expect(html).not.toMatch(/href=/i);
  });

  it('renders no images (no third-party resources on the page)', () => {
    const html = renderPolicyMarkdown('![tracker](https://tracker.test/pixel.gif)');
    expect(html).not.toMatch(/<img/i);
  });

  it('escapes text and attribute content', () => {
    const html = renderPolicyMarkdown('[a "quoted" link](https://example.test/?q="x"&y=<z>) & <tag>');
    expect(html).not.toMatch(/href="[^"]*"[^ >]/);
    expect(html).toContain('&amp; &lt;tag&gt;');
  });
});

describe('isSafeLink', () => {
  it('allows http(s), mailto and relative links only', () => {
    for (const ok of ['https://a.test', 'http://a.test', 'mailto:x@a.test', '/data-deletion', '#rights', 'page.html', '?q=1']) expect(isSafeLink(ok), ok).toBe(true);
    for (const bad of ['javascript:x', 'data:text/html,x', 'vbscript:x', 'file:///x', 'ftp://a.test', '//a.test', '\\\\a.test', '\u0001javascript:x']) expect(isSafeLink(bad), bad).toBe(false);
  });
});
