/**
 * Simulator routes for POST /{phone-number-id}/register and /deregister (reference 5.2, 5.3): PIN
 * rules, the 10-per-72-hours limit shared by both, verification and coexistence refusals.
 */
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { applyTokenFault, authorise, denied, phoneView } from './assets.routes.js';
import { graphErrors } from './graph-errors.js';
import { isCoexistence } from './render.js';
import { inputOf, stringParam, type GraphParams } from './request.js';
import type { IssuedToken, MetaSimulator } from './simulator.js';
import type { SimPhoneNumber } from './types.js';

function phoneFor(sim: MetaSimulator, t: IssuedToken, id: string): SimPhoneNumber {
  const phone = sim.world.phoneNumbers.get(id);
  if (!phone) throw graphErrors.unknownObject(id, 'post');
  if (!sim.covers(t, phone.wabaId)) throw denied(sim, `phone number ${id}`, id, 'post');
  applyTokenFault(sim, t, phone.wabaId);
  return phone;
}

/** Counts this request against the rolling register/deregister limit, or throws 133016. */
function countAttempt(sim: MetaSimulator, t: IssuedToken, phone: SimPhoneNumber): void {
  const now = sim.now();
  const { max, windowMs } = sim.options.registerLimit;
  phone.registrationCalls = phone.registrationCalls.filter((d) => now.getTime() - d.getTime() < windowMs);
  if (t.scenarios.has('register_limit_133016') || phone.registrationCalls.length >= max) throw graphErrors.registerLimit();
  phone.registrationCalls.push(now);
}

/** Registers register/deregister on a simulator scope. */
export function registerRegistrationRoutes(scope: FastifyInstance, sim: MetaSimulator, config: FastifyContextConfig): void {
  scope.post('/:version/:id/register', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const phone = phoneFor(sim, t, (req.params as GraphParams).id ?? '');
    const input = inputOf(req);
    const product = stringParam(input, 'messaging_product');
    const pin = stringParam(input, 'pin');
    const region = stringParam(input, 'data_localization_region');
    if (product === undefined) throw graphErrors.missingParam('messaging_product');
    if (product.toLowerCase() !== 'whatsapp') throw graphErrors.invalidParam('Param messaging_product must be one of {WHATSAPP}');
    if (pin === undefined) throw graphErrors.missingParam('pin');
    // Never echo the PIN back: it is a credential.
    if (!/^\d{6}$/.test(pin)) throw graphErrors.invalidParam('Param pin must be 6 digits');
    if (region !== undefined && !/^[A-Z]{2}$/.test(region)) throw graphErrors.invalidParam('Param data_localization_region must be an ISO 3166 alpha-2 code');
    const view = phoneView(sim, t, phone);
    if (isCoexistence(view)) {
      if (sim.options.unconfirmed.coexistenceRegister === 'error') throw graphErrors.coexistenceRegister();
      return { success: true };
    }
    if (t.scenarios.has('number_not_verified_133006') || phone.codeVerificationStatus !== 'VERIFIED') throw graphErrors.notVerified();
    countAttempt(sim, t, phone);
    const existing = phone.pin ?? (t.scenarios.has('pin_already_set_133005') ? sim.options.existingPin : null);
    if (existing !== null && existing !== pin) throw graphErrors.pinMismatch();
    phone.pin = pin;
    phone.status = 'CONNECTED';
    phone.platformType = 'CLOUD_API';
    phone.dataLocalizationRegion = region ?? null;
    return { success: true };
  });

  scope.post('/:version/:id/deregister', { config }, async (req, reply) => {
    const t = await authorise(req, reply, sim);
    const phone = phoneFor(sim, t, (req.params as GraphParams).id ?? '');
    if (isCoexistence(phoneView(sim, t, phone))) throw graphErrors.invalidParam('Deregistering a WhatsApp Business app (coexistence) number is not supported');
    countAttempt(sim, t, phone);
    phone.status = 'DISCONNECTED';
    phone.platformType = 'NOT_APPLICABLE';
    phone.dataLocalizationRegion = null;
    return { success: true };
  });
}
