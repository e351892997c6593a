/**
 * The single sign-on settings an owner keeps: one provider, its client secret in the vault (write
 * only: the settings answer says whether one is stored, never what it is). Enabling checks that the
 * provider's discovery document can be read, so a typo is caught on save rather than at sign-in.
 */
import { fieldError } from '../../../http/errors.js';
import { recordAudit } from '../../audit/audit.service.js';
import { hasSecret, putSecret } from '../../vault/vault.service.js';
import type { Caller } from '../account.service.js';
import type { Role } from '../permissions.js';
import { forgetProviderConfigs, insecureAllowed, providerConfig } from './oidc-client.js';
import { findSsoSettings, upsertSsoSettings, type SsoSettingsRow } from './sso.repo.js';
import { CLIENT_SECRET_REF, redirectUriOf, type SsoDeps } from './sso.service.js';

export interface SsoSettingsInput {
  enabled: boolean;
  issuer: string;
  clientId: string;
  /** omitted: keep the stored one */
  clientSecret?: string | undefined;
  displayName: string;
  allowedDomains: string[];
  unknownUsers: 'refuse' | 'invite';
  defaultRole: Exclude<Role, 'owner'>;
  passwordForNonOwners: boolean;
}

export interface SsoSettingsView {
  settings: SsoSettingsRow | null;
  clientSecretSet: boolean;
  redirectUri: string;
}

export async function readSsoSettings(deps: SsoDeps): Promise<SsoSettingsView> {
  const [settings, clientSecretSet] = await Promise.all([findSsoSettings(deps.db), hasSecret(deps.db, CLIENT_SECRET_REF)]);
  return { settings: settings ?? null, clientSecretSet, redirectUri: redirectUriOf(deps.publicUrl) };
}

/** What the sign-in page needs: whether to offer the button, and its words. */
export async function publicSsoInfo(deps: Pick<SsoDeps, 'db'>): Promise<{ enabled: boolean; displayName: string | null }> {
  const s = await findSsoSettings(deps.db);
  return s?.enabled ? { enabled: true, displayName: s.displayName } : { enabled: false, displayName: null };
}

const FIELDS = ['enabled', 'issuer', 'clientId', 'displayName', 'allowedDomains', 'unknownUsers', 'defaultRole', 'passwordForNonOwners'] as const;

export async function saveSsoSettings(deps: SsoDeps, caller: Caller, input: SsoSettingsInput): Promise<SsoSettingsView> {
  const issuer = new URL(input.issuer);
  if (issuer.protocol !== 'https:' && !insecureAllowed(issuer)) throw fieldError('issuer', 'must be an https URL');
  if (issuer.search || issuer.hash) throw fieldError('issuer', 'must not carry a query or fragment');
  // the issuer as the provider writes it (no trailing slash added or removed by us)
  const issuerText = input.issuer.trim();
  const domains = [...new Set(input.allowedDomains.map((d) => d.trim().toLowerCase()))];
  const before = await findSsoSettings(deps.db);
  const secretStored = await hasSecret(deps.db, CLIENT_SECRET_REF);
  if (!input.clientSecret && !secretStored) throw fieldError('clientSecret', 'is required the first time');
  if (input.enabled) {
    try {
      await providerConfig({ issuer: issuerText, clientId: input.clientId }, '', deps.clock);
    } catch {
      throw fieldError('issuer', "the provider's discovery document (/.well-known/openid-configuration) could not be read or does not match this issuer");
    }
  }
  const now = deps.clock.now();
  const next = {
    enabled: input.enabled,
    issuer: issuerText,
    clientId: input.clientId.trim(),
    displayName: input.displayName.trim(),
    allowedDomains: domains,
    unknownUsers: input.unknownUsers,
    defaultRole: input.defaultRole,
    passwordForNonOwners: input.passwordForNonOwners,
  };
  await deps.db.transaction(async (tx) => {
    await upsertSsoSettings(tx, { ...next, updatedAt: now, updatedBy: caller.user.id });
    if (input.clientSecret) await putSecret(tx, deps.keyring, CLIENT_SECRET_REF, input.clientSecret);
    const changed: string[] = FIELDS.filter((f) => !before || JSON.stringify(before[f]) !== JSON.stringify(next[f]));
    if (input.clientSecret) changed.push('clientSecret');
    await recordAudit(tx, deps.clock, { actorType: 'user', actorId: caller.user.id, requestId: caller.client.requestId }, {
      action: 'sso.settings_changed',
      targetType: 'sso_settings',
      targetId: '1',
      changedFields: changed,
      details: { enabled: next.enabled, unknownUsers: next.unknownUsers, defaultRole: next.defaultRole, localSignInForNonOwners: next.passwordForNonOwners },
    });
  });
  forgetProviderConfigs();
  return readSsoSettings(deps);
}

/** True when password sign-in is refused to a user of `role` (SSO on and passwords off for non-owners; owners always keep it). */
export async function passwordRefusedFor(deps: Pick<SsoDeps, 'db'>, role: Role): Promise<string | null> {
  if (role === 'owner') return null;
  const s = await findSsoSettings(deps.db);
  return s?.enabled && !s.passwordForNonOwners ? s.displayName : null;
}
