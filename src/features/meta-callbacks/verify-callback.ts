/** The signed_request of a callback body, verified; a refusal is counted and logged (never the input). */
import { AppError } from '../../http/errors.js';
import type { MetaCallbackDeps } from './meta-callbacks.types.js';
import { parseSignedRequest, type SignedRequest } from './signed-request.js';

/** The `signed_request` field of a parsed body (form or JSON), or undefined. */
function fieldOf(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.prototype.hasOwnProperty.call(body, 'signed_request') ? (body as Record<string, unknown>).signed_request : undefined;
}

/** Verifies the body's signed_request; throws the 400 after counting the refusal. */
export function verifyCallback(deps: MetaCallbackDeps, kind: 'deauthorize' | 'data_deletion', body: unknown): SignedRequest {
  try {
    return parseSignedRequest(fieldOf(body), deps.appSecret);
  } catch (e) {
    deps.rejected.count++;
    const reason = e instanceof AppError ? e.errors?.[0]?.message ?? e.message : 'is malformed';
    deps.onboarding.logger.warn({ metaCallback: { kind, reason, rejected: deps.rejected.count } }, 'Meta callback refused: signed_request not valid');
    throw e;
  }
}
