/** zod request and response schemas of the single sign-on routes. The client secret goes in, never out. */
import { z } from 'zod';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const ssoSettingsBody = z.strictObject({
  enabled: z.boolean(),
  issuer: z.url('must be a URL').max(500, 'must be at most 500 characters'),
  clientId: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  /** write only; omit to keep the stored secret */
  clientSecret: z.string().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters').optional(),
  displayName: z.string().trim().min(1, 'is required').max(60, 'must be at most 60 characters'),
  allowedDomains: z
    .array(z.string().trim().regex(DOMAIN, 'must be a domain name like example.com'))
    .min(1, 'name at least one email domain')
    .max(50, 'at most 50 domains'),
  unknownUsers: z.enum(['refuse', 'invite']),
  /** never owner: an owner is made by another owner */
  defaultRole: z.enum(['admin', 'operator', 'viewer'], 'must be admin, operator or viewer'),
  passwordForNonOwners: z.boolean(),
});

export const ssoSettingsResponse = z.object({
  settings: z
    .object({
      enabled: z.boolean(),
      issuer: z.string(),
      clientId: z.string(),
      displayName: z.string(),
      allowedDomains: z.array(z.string()),
      unknownUsers: z.enum(['refuse', 'invite']),
      defaultRole: z.enum(['owner', 'admin', 'operator', 'viewer']),
      passwordForNonOwners: z.boolean(),
      updatedAt: z.date(),
    })
    .nullable(),
  clientSecretSet: z.boolean(),
  /** register this at the provider */
  redirectUri: z.string(),
});

export const ssoPublicInfo = z.object({ enabled: z.boolean(), displayName: z.string().nullable() });
export const ssoStartQuery = z.strictObject({ returnTo: z.string().max(500).optional() });
export const ssoTestResponse = z.object({ url: z.string() });
