/**
 * The dialog server over real HTTP (no browser): request validation, headers, escaping, and what
 * each finish variant mints. The browser behaviour is in e2e/sandbox-dialog.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetaSimulator, SEED, type MetaSimulator } from '../index.js';
import { startSignupDialog, type RunningSignupDialog } from './dialog-server.js';
import { renderSandboxSdk } from './sandbox-sdk.js';

const APP_ID = '5550001112223334';
const APP_ORIGIN = 'http://127.0.0.1:45678';
let sim: MetaSimulator;
let dialog: RunningSignupDialog;

beforeAll(async () => {
  sim = createMetaSimulator({ appId: APP_ID, appSecret: 'secret' });
  dialog = await startSignupDialog({ simulator: sim, appOrigin: APP_ORIGIN });
});
afterAll(async () => {
  await dialog?.close();
});

const page = (q: Record<string, string>) => fetch(`${dialog.url}?${new URLSearchParams(q)}`);
const mint = (body: unknown, origin = dialog.origin) =>
  fetch(`${dialog.origin}/dialog/code`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });

describe('signup dialog server', () => {
  it('serves the page on its own origin with a strict CSP and no inline script', async () => {
    expect(dialog.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dialog.origin).not.toBe(APP_ORIGIN);
    const res = await page({ app_id: APP_ID, config_id: '<b>cfg', state: 'abcdef0123456789', extras: '{"setup":{"x":"</script>"}}' });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    const html = await res.text();
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toContain('&#60;b&#62;cfg');
    // The only <script> elements: the JSON data block and the external script.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="application/json" id="dialog-config">', '<script src="/dialog/dialog.js" defer>']);
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the extras' </script> cannot end the data block
    expect(html).not.toMatch(/ style=/);
    expect((await fetch(`${dialog.origin}/dialog/dialog.js`)).headers.get('content-type')).toContain('javascript');
  });

  it('refuses a foreign app id, a missing state and malformed extras', async () => {
    expect((await page({ app_id: '1', state: 'abcdef0123456789' })).status).toBe(400);
    expect((await page({ app_id: APP_ID })).status).toBe(400);
    expect((await page({ app_id: APP_ID, state: 'abcdef0123456789', extras: '{' })).status).toBe(400);
  });

  it('mints real codes, only for same-origin requests, and FINISH_ONLY_WABA grants no number', async () => {
    const ls = SEED.luckyShrub;
    expect((await mint({ businessId: ls.businessId, wabaId: ls.wabaId, variant: 'FINISH' }, APP_ORIGIN)).status).toBe(403);
    expect((await mint({ businessId: ls.businessId, wabaId: ls.wabaId, variant: 'FINISH', scenario: 'nope' })).status).toBe(400);
    expect((await mint({ businessId: ls.businessId, wabaId: SEED.greenGrocer.wabaId, variant: 'FINISH' })).status).toBe(400);

    const full = (await (await mint({ businessId: ls.businessId, wabaId: ls.wabaId, phoneNumberId: ls.phoneNumberId, variant: 'FINISH', scenario: 'slow' })).json()) as {
      code: string;
      userId: string;
    };
    const token = sim.exchangeCode({ clientId: APP_ID, clientSecret: 'secret', code: full.code });
    expect(token).toMatchObject({ wabaId: ls.wabaId, phoneNumberId: ls.phoneNumberId, userId: full.userId });
    expect([...token.scenarios]).toEqual(['slow']);

    const onlyWaba = (await (await mint({ businessId: ls.businessId, wabaId: ls.wabaId, phoneNumberId: ls.phoneNumberId, variant: 'FINISH_ONLY_WABA' })).json()) as { code: string };
    expect(sim.exchangeCode({ clientId: APP_ID, clientSecret: 'secret', code: onlyWaba.code }).phoneNumberId).toBeNull();
  });

  it('rejects an appOrigin that is not an exact origin', async () => {
    await expect(startSignupDialog({ simulator: sim, appOrigin: 'http://127.0.0.1:1/connect' })).rejects.toThrow(/exact origin/);
  });
});

describe('renderSandboxSdk', () => {
  it('binds the shim to one exact origin', () => {
    const js = renderSandboxSdk('http://127.0.0.1:4000');
    expect(js).toContain('var DIALOG_ORIGIN = "http://127.0.0.1:4000";');
    expect(js).not.toContain('__DIALOG_ORIGIN__');
    expect(() => new Function(js)).not.toThrow(); // parses
    expect(() => renderSandboxSdk('http://127.0.0.1:4000/')).toThrow(/exact origin/);
  });
});
