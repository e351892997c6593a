/**
 * Simulator routes for the customer's assets, authorised by the business token (reference sections
 * 4 and 5.1): node lookups, the phone_numbers edge, and the app's webhook subscription.
 */
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { graphErrors, type SimGraphError } from './graph-errors.js';
import { PHONE_EDGE_DEFAULTS, PHONE_NODE_DEFAULTS, parseFields, renderBusiness, renderPhone, renderWaba, type PhoneView } from './render.js';
import { beginCall, inputOf, stringParam, tokenOf, type GraphParams } from './request.js';
import type { IssuedToken, MetaSimulator } from './simulator.js';
import type { SimPhoneNumber, SimWaba } from './types.js';
import { phonesOf } from './world.js';

/** Authenticates an asset call: latency and faults first (as the network would), then the token. */
export async function authorise(req: FastifyRequest, reply: FastifyReply, sim: MetaSimulator): Promise<IssuedToken> {
  const presented = tokenOf(req);
  await beginCall(req, reply, sim, presented ? sim.findToken(presented)?.scenarios : undefined);
  return sim.authenticate(presented);
}

/** The error for an asset the token's grant does not reach (configurable: 200 or 100/33). */
export function denied(sim: MetaSimulator, what: string, id: string, method: string): SimGraphError {
  return sim.options.unconfirmed.uncoveredAssetError === 'permission_200' ? graphErrors.permission(what) : graphErrors.unknownObject(id, method);
}

/** Throws the scenario fault (rate limit, 5xx) a token has pending for this WABA. */
export function applyTokenFault(sim: MetaSimulator, t: IssuedToken, wabaId: string): void {
  const f = sim.takeTokenFault(t, wabaId);
  if (f) throw f;
}

/** A phone number as the calling token sees it. */
export function phoneView(sim: MetaSimulator, t: IssuedToken, phone: SimPhoneNumber): PhoneView {
  const sub = sim.world.wabas.get(phone.wabaId)?.subscriptions.get(sim.options.appId);
  return { phone, scenarios: t.scenarios, appCallbackUrl: sim.options.appCallbackUrl, wabaOverrideUrl: sub?.overrideCallbackUri ?? null };
}

/** The WABA a token may use, or the Graph error. */
function wabaFor(sim: MetaSimulator, t: IssuedToken, id: string, method: string): SimWaba {
  const waba = sim.world.wabas.get(id);
  if (!waba) throw graphErrors.unknownObject(id, method);
  if (!sim.covers(t, waba.id)) throw denied(sim, `WhatsApp Business account ${id}`, id, method);
  applyTokenFault(sim, t, waba.id);
  return waba;
}

const cursor = (i: number) => Buffer.from(`idx:${i}`).toString('base64url');
function fromCursor(c: string | undefined): number {
  if (!c) return 0;
  const m = /^idx:(\d+)$/.exec(Buffer.from(c, 'base64url').toString());
  if (!m) throw graphErrors.invalidParam('Invalid cursor');
  return Number(m[1]) + 1;
}

/** Registers node lookups, phone_numbers and subscribed_apps on a simulator scope. */
export function registerAssetRoutes(scope: FastifyInstance, sim: MetaSimulator, config: FastifyContextConfig): void {
  scope.get('/:version/:id', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const id = (req.params as GraphParams).id ?? '';
    const fields = parseFields(inputOf(req).fields);
    if (sim.world.wabas.has(id)) return renderWaba(wabaFor(sim, t, id, 'get'), fields);
    const phone = sim.world.phoneNumbers.get(id);
    if (phone) {
      if (!sim.covers(t, phone.wabaId)) throw denied(sim, `phone number ${id}`, id, 'get');
      applyTokenFault(sim, t, phone.wabaId);
      return renderPhone(phoneView(sim, t, phone), fields, PHONE_NODE_DEFAULTS);
    }
    const biz = sim.world.businesses.get(id);
    if (biz) {
      const covered = t.coveredWabaIds.some((w) => sim.world.wabas.get(w)?.businessId === biz.id);
      if (!covered || !sim.options.unconfirmed.businessNodeReadable) throw denied(sim, `business ${id}`, id, 'get');
      applyTokenFault(sim, t, t.wabaId);
      return renderBusiness(biz, fields);
    }
    throw graphErrors.unknownObject(id, 'get');
  });

  scope.get('/:version/:id/phone_numbers', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const waba = wabaFor(sim, t, (req.params as GraphParams).id ?? '', 'get');
    const input = inputOf(req);
    const fields = parseFields(input.fields);
    const limit = Math.min(Math.max(Number(stringParam(input, 'limit') ?? 25) || 25, 1), 100);
    const all = phonesOf(sim.world, waba.id);
    const start = fromCursor(stringParam(input, 'after'));
    const page = all.slice(start, start + limit);
    const data = page.map((p) => renderPhone(phoneView(sim, t, p), fields, PHONE_EDGE_DEFAULTS));
    if (page.length === 0) return { data };
    const last = start + page.length - 1;
    const paging: Record<string, unknown> = { cursors: { before: cursor(start - 1), after: cursor(last) } };
    // Meta adds `next` only when another page exists; its URL is not used by clients that page by cursor.
    if (last + 1 < all.length) paging.next = `https://graph.facebook.com/${(req.params as GraphParams).version}/${waba.id}/phone_numbers?limit=${limit}&after=${cursor(last)}`;
    return { data, paging };
  });

  scope.get('/:version/:id/subscribed_apps', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const waba = wabaFor(sim, t, (req.params as GraphParams).id ?? '', 'get');
    return {
      data: [...waba.subscriptions.values()].map((s) => ({
        whatsapp_business_api_data: { id: s.appId, name: sim.options.appName, link: `https://www.facebook.com/games/?app_id=${s.appId}` },
        ...(s.overrideCallbackUri && { override_callback_uri: s.overrideCallbackUri }),
      })),
    };
  });

  scope.post('/:version/:id/subscribed_apps', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const waba = wabaFor(sim, t, (req.params as GraphParams).id ?? '', 'post');
    if (t.scenarios.has('subscribe_fails_100')) throw graphErrors.subscribeFailed();
    const input = inputOf(req);
    const uri = stringParam(input, 'override_callback_uri');
    const verifyToken = stringParam(input, 'verify_token');
    if ((uri === undefined) !== (verifyToken === undefined)) throw graphErrors.missingParam(uri === undefined ? 'override_callback_uri' : 'verify_token');
    if (uri !== undefined && (!/^https:\/\/[^\s]+$/.test(uri) || uri.length > 200)) {
      throw graphErrors.invalidParam('Param override_callback_uri must be a valid https URL of at most 200 characters');
    }
    // POST without a body subscribes, or removes an existing override (reference 5.1).
    waba.subscriptions.set(sim.options.appId, { appId: sim.options.appId, overrideCallbackUri: uri ?? null, verifyToken: verifyToken ?? null });
    return { success: true };
  });

  scope.delete('/:version/:id/subscribed_apps', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const waba = wabaFor(sim, t, (req.params as GraphParams).id ?? '', 'delete');
    waba.subscriptions.delete(sim.options.appId);
    return { success: true };
  });
}
