/**
 * The connect page without a database: settings per mode (a missing setting is named, never hidden),
 * its own headers, the data block's escaping, and how the guard's refusals reach a browser (redirect,
 * HTML 403) versus an API client (the app's problem+json). A stub guard stands in for the real one.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../../http/error-handler.js';
import { AppError } from '../../../http/errors.js';
import { connectConfigOf, connectPageHeaders, META_DIALOG_ORIGINS, renderConnectPage, type ConnectSettings } from './connect-page.js';
import { connectRoutes } from './connect.routes.js';

const SANDBOX: ConnectSettings = { sandbox: true, appId: '100000000000001', configId: '200000000000002', graphVersion: 'v25.0', sandboxDialogOrigin: 'http://127.0.0.1:45678' };
const PROD: ConnectSettings = { sandbox: false, appId: '1234567890', configId: '998877', graphVersion: 'v25.0', sandboxDialogOrigin: undefined };

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/** The app's error handler, a stub guard refusing per the `x-as` header, and the connect routes. */
async function build(settings: ConnectSettings): Promise<FastifyInstance> {
  const a = Fastify();
  registerErrorHandler(a);
  a.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.action !== 'onboarding.manage') return;
    if (req.headers['x-as'] === 'anonymous') throw new AppError('unauthenticated', 'Sign in to continue.');
    if (req.headers['x-as'] === 'viewer') throw new AppError('forbidden', 'Your role does not allow this.');
  });
  await a.register(connectRoutes, settings);
  return (app = a);
}

const HTML = 'text/html,application/xhtml+xml';

describe('connect settings', () => {
  it('uses the exact Meta origins and SDK in production, the dialog origin and shim in sandbox', () => {
    expect(connectConfigOf(PROD)).toMatchObject({ allowedOrigins: [...META_DIALOG_ORIGINS], sdkUrl: 'https://connect.facebook.net/en_US/sdk.js', missing: null });
    expect(connectConfigOf(SANDBOX)).toMatchObject({ allowedOrigins: ['http://127.0.0.1:45678'], sdkUrl: '/connect/sandbox-sdk.js', sandbox: true, missing: null });
  });

  it('names the missing setting: META_CONFIG_ID in production, the dialog in sandbox', () => {
    expect(connectConfigOf({ ...PROD, configId: undefined }).missing).toContain('META_CONFIG_ID');
    expect(connectConfigOf({ ...SANDBOX, sandboxDialogOrigin: undefined }).missing).toContain('sandbox signup dialog');
    const page = renderConnectPage(connectConfigOf({ ...PROD, configId: undefined }));
    expect(page).toContain('<button type="button" id="connect" disabled>Connect</button>');
    expect(page).toContain('META_CONFIG_ID is not set');
  });

  it('allows Meta origins on the connect page in production only, with COOP allowing popups', () => {
    const prod = connectPageHeaders(false)['content-security-policy']!;
    expect(prod).toContain("script-src 'self' https://connect.facebook.net");
    expect(prod).toContain('frame-src https://www.facebook.com https://web.facebook.com');
    expect(prod).toContain("connect-src 'self' https://www.facebook.com https://web.facebook.com");
    expect(connectPageHeaders(true)['content-security-policy']).not.toContain('facebook');
    expect(connectPageHeaders(true)['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
  });

  it('escapes < in the data block and carries no inline script', () => {
    const page = renderConnectPage(connectConfigOf({ ...PROD, configId: '</script><script>alert(1)</script>' }));
    expect(page).not.toContain('</script><script>alert(1)');
    expect(page.match(/<script(?![^>]*(type="application\/json"|src=))/g)).toBeNull();
  });
});

describe('connect routes', () => {
  it('serves the page with its own headers to an allowed caller', async () => {
    const res = await (await build(SANDBOX)).inject({ url: '/connect', headers: { accept: HTML } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    expect(res.body).toContain('<h1>Connect a WhatsApp Business Account</h1>');
    expect(res.body).toContain('role="status"');
  });

  it('redirects a signed-out browser to sign-in and shows a signed-in one without the role an HTML 403', async () => {
    const a = await build(SANDBOX);
    const anon = await a.inject({ url: '/connect', headers: { accept: HTML, 'x-as': 'anonymous' } });
    expect(anon.statusCode).toBe(302);
    expect(anon.headers.location).toBe('/sign-in?next=%2Fconnect');
    const viewer = await a.inject({ url: '/connect', headers: { accept: HTML, 'x-as': 'viewer' } });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.headers['content-type']).toContain('text/html');
    expect(viewer.body).toContain('Your role does not allow');
  });

  it('answers non-browser clients with the API problem+json', async () => {
    const a = await build(SANDBOX);
    const anon = await a.inject({ url: '/connect', headers: { 'x-as': 'anonymous' } });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['content-type']).toContain('application/problem+json');
  });

  it('serves the script, and the sandbox shim only when the dialog runs', async () => {
    const a = await build(SANDBOX);
    const js = await a.inject({ url: '/connect/connect.js' });
    expect(js.headers['content-type']).toContain('application/javascript');
    expect(js.body).toContain("response_type: 'code'");
    const shim = await a.inject({ url: '/connect/sandbox-sdk.js' });
    expect(shim.statusCode).toBe(200);
    expect(shim.body).toContain('"http://127.0.0.1:45678"');
    await a.close();
    app = null;
    expect((await (await build(PROD)).inject({ url: '/connect/sandbox-sdk.js' })).statusCode).toBe(404);
    expect((await (await build({ ...SANDBOX, sandboxDialogOrigin: undefined })).inject({ url: '/connect/sandbox-sdk.js' })).statusCode).toBe(404);
  });
});
