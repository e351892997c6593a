/**
 * A real OpenID provider (oidc-provider v8) on a loopback port, for the SSO tests: discovery, JWKS,
 * authorization with PKCE, token endpoint, signed ID tokens. Two ways to answer its login step:
 * `auto` signs in `provider.account` at once (with the `amr` the test sets, e.g. ['pwd', 'mfa']);
 * `dev` leaves oidc-provider's own devInteractions login and consent pages for a browser to fill in
 * (any login name works; it becomes the account id).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  id: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  amr?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the account `auto` mode signs in (and the claims of any account id in `dev` mode that matches its id) */
  account: TestAccount;
  /** other known accounts by id (dev mode: the login name typed in the form) */
  accounts: Map<string, TestAccount>;
  /** lifetime of the ID tokens it issues from now on */
  idTokenTtlSeconds: number;
  close(): Promise<void>;
}

export async function startTestOidcProvider(opts: { redirectUri: string; mode?: 'auto' | 'dev'; account?: TestAccount; idTokenTtlSeconds?: number }): Promise<TestOidcProvider> {
  const mode = opts.mode ?? 'auto';
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: TestOidcProvider = {
    issuer,
    clientId: 'crm-test-client',
    clientSecret: 'test-client-secret-0123456789abcdef',
    account: opts.account ?? { id: 'sub-alice', email: 'alice@example.test', emailVerified: true, name: 'Alice Example' },
    accounts: new Map(),
    idTokenTtlSeconds: opts.idTokenTtlSeconds ?? 3600,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const accountOf = (id: string): TestAccount | undefined => (id === state.account.id ? state.account : (state.accounts.get(id) ?? (mode === 'dev' ? { id, email: `${id}@example.test`, emailVerified: true } : undefined)));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // amr is released with the openid scope so the app sees whether the person used MFA
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    // the email claims go in the ID token itself (the app reads no userinfo)
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => {
      const a = accountOf(id);
      return a ? { accountId: id, claims: async () => ({ sub: id, email: a.email, email_verified: a.emailVerified, ...(a.name ? { name: a.name } : {}) }) } : undefined;
    },
    features: { devInteractions: { enabled: mode === 'dev' } },
    pkce: { required: () => true, methods: ['S256'] },
    ttl: { IdToken: () => state.idTokenTtlSeconds, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
    cookies: { keys: ['test-oidc-provider-cookie-key'] },
    ...(mode === 'auto' ? { interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` } } : {}),
  });
  const callback = provider.callback();
  handler = (req, res) => {
    if (mode === 'auto' && req.method === 'GET' && req.url?.startsWith('/interaction/')) {
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const a = state.account;
        const grant = new provider.Grant({ accountId: a.id, clientId: String(details.params.client_id) });
        grant.addOIDCScope('openid email profile');
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: a.id, ...(a.amr ? { amr: a.amr } : {}) }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    callback(req, res);
  };
  return state;
}

/**
 * Follows the provider's redirects from an authorization URL (auto mode) with a small cookie jar,
 * until the provider sends the browser back to `redirectUri`; returns that URL.
 */
export async function walkProvider(authorizationUrl: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(redirectUri)) return new URL(url);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider stopped at ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    await res.body?.cancel();
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects at the provider');
}
