/**
 * What the vault stores and for whom. Closed lists: a purpose or owner type is an identifier without
 * ':', which keeps the associated data `${purpose}:${ownerType}:${ownerId}` unambiguous.
 */

/** The kinds of stored credential. */
/** `totp_secret`: a confirmed TOTP secret; `totp_pending`: one generated for an enrolment not yet confirmed (never checked at sign-in); `oidc_client_secret`: the single sign-on client secret. */
export const VAULT_PURPOSES = ['waba_token', 'registration_pin', 'totp_secret', 'totp_pending', 'oidc_client_secret'] as const;
export type VaultPurpose = (typeof VAULT_PURPOSES)[number];

/** The records a credential can belong to (also the audit target type of its uses). */
/** `user_totp`: a user's 2FA secrets (owner id = user id; src/features/access/two-factor). `sso_settings`: the one provider's client secret (owner id '1'; src/features/access/sso). */
export const VAULT_OWNER_TYPES = ['onboarding', 'phone_number', 'user_totp', 'sso_settings'] as const;
export type VaultOwnerType = (typeof VAULT_OWNER_TYPES)[number];

/** Names one stored secret: its owner record and what it is. */
export interface SecretRef {
  ownerType: VaultOwnerType;
  ownerId: string;
  purpose: VaultPurpose;
}

/** The owner part of a ref: erasure acts on all of an owner's secrets at once. */
export type SecretOwner = Pick<SecretRef, 'ownerType' | 'ownerId'>;
