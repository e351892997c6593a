/**
 * Simulator routes for the code exchange (GET /oauth/access_token) and token inspection
 * (GET /debug_token), in the shapes of reference sections 2 and 3.
 */
import type { FastifyInstance, FastifyContextConfig } from 'fastify';
import { graphErrors } from './graph-errors.js';
import { beginCall, inputOf, stringParam, tokenOf } from './request.js';
import type { IssuedToken, MetaSimulator } from './simulator.js';

const unix = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : 0);

/** debug_token's `data` for an issued token (valid or not). */
function debugData(sim: MetaSimulator, t: IssuedToken): Record<string, unknown> {
  const u = sim.options.unconfirmed;
  const problem = sim.tokenProblem(t);
  const targets = t.scenarios.has('scopes_without_target_ids') ? {} : { target_ids: [...t.coveredWabaIds] };
  return {
    app_id: sim.options.appId,
    type: 'SYSTEM_USER',
    application: sim.options.appName,
    data_access_expires_at: unix(t.dataAccessExpiresAt),
    expires_at: unix(t.expiresAt),
    is_valid: problem === null,
    ...(u.includeIssuedAt && { issued_at: unix(t.issuedAt) }),
    scopes: ['whatsapp_business_management', 'whatsapp_business_messaging', 'public_profile'],
    granular_scopes: [
      { scope: 'whatsapp_business_management', ...targets },
      { scope: 'whatsapp_business_messaging', ...targets },
    ],
    user_id: u.debugTokenUserId === 'person' ? t.userId : t.systemUserId,
    ...(problem && {
      error: { code: problem.spec.code, message: problem.spec.message, ...(problem.spec.subcode !== undefined && { subcode: problem.spec.subcode }) },
    }),
  };
}

/** Registers the OAuth and debug_token routes on a simulator scope. */
export function registerOauthRoutes(scope: FastifyInstance, sim: MetaSimulator, config: FastifyContextConfig): void {
  scope.get('/:version/oauth/access_token', { config }, async (req, reply) => {
    const input = inputOf(req);
    const code = stringParam(input, 'code');
    await beginCall(req, reply, sim, sim.scenariosOfCode(code));
    const token = sim.exchangeCode({
      clientId: stringParam(input, 'client_id'),
      clientSecret: stringParam(input, 'client_secret'),
      code,
      redirectUri: stringParam(input, 'redirect_uri'),
    });
    const expiresIn = token.expiresAt ? Math.floor((token.expiresAt.getTime() - token.issuedAt.getTime()) / 1000) : null;
    const omit = expiresIn === null && sim.options.unconfirmed.omitExpiresInForNeverExpiring;
    return { access_token: token.value, token_type: 'bearer', ...(!omit && { expires_in: expiresIn ?? 0 }) };
  });

  scope.get('/:version/debug_token', { config }, async (req, reply) => {
    const input = inputOf(req);
    const inputToken = stringParam(input, 'input_token');
    const inspected = inputToken ? sim.findToken(inputToken) : undefined;
    await beginCall(req, reply, sim, inspected?.scenarios);
    const auth = tokenOf(req);
    if (!auth) throw graphErrors.debugTokenAuth();
    // An app token or a valid business token of the same app may inspect tokens.
    if (!sim.isAppToken(auth)) sim.authenticate(auth);
    if (!inputToken) throw graphErrors.missingParam('input_token');
    if (!inspected) {
      return { data: { error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, is_valid: false, scopes: [] } };
    }
    return { data: debugData(sim, inspected) };
  });
}
