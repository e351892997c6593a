/**
 * Reading debug_token's granular_scopes: which WABAs a business token covers. A scope entry without
 * target_ids is not asset-restricted, so it covers any WABA (reference section 3).
 */
import type { TokenInfo } from './graph-schemas.js';

const MANAGEMENT = 'whatsapp_business_management';

/** WABA ids the token's management grant names, newest onboarded first (Meta's order). */
export function wabaIdsInScopes(info: TokenInfo): string[] {
  return info.granularScopes.find((g) => g.scope === MANAGEMENT)?.targetIds ?? [];
}

/** Whether the token may manage `wabaId`: the grant names it, or the grant is not asset-restricted. */
export function tokenCoversWaba(info: TokenInfo, wabaId: string): boolean {
  const grant = info.granularScopes.find((g) => g.scope === MANAGEMENT);
  if (!grant) return false;
  return grant.targetIds === null || grant.targetIds.includes(wabaId);
}
