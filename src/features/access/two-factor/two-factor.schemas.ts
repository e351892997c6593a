/** zod schemas of the 2FA, step-up and 2FA policy routes. */
import { z } from 'zod';
import { password, userSchema } from '../access.schemas.js';
import { ROLES } from '../permissions.js';

/** A TOTP code (6 digits) or a recovery code (16 characters in groups); the service tells them apart. */
export const code = z.string().trim().min(1, 'is required').max(40, 'is too long');

export const signInResponse = z.object({
  user: userSchema,
  /** present when the sign-in is not complete: a code is owed, or enrolment is required first */
  stage: z.enum(['second_factor', 'enrol']).optional(),
});

export const secondFactorBody = z.strictObject({ code });
export const statusResponse = z.object({
  enrolled: z.boolean(),
  enrolledAt: z.date().nullable(),
  recoveryCodesLeft: z.number().int(),
  required: z.boolean(),
  graceEndsAt: z.date().nullable(),
  recommended: z.boolean(),
});
export const enrolmentBody = z.strictObject({ password: password.optional(), code: code.optional() }).nullish();
export const enrolmentResponse = z.object({ secret: z.string(), otpauthUri: z.string(), qrCode: z.string() });
export const confirmBody = z.strictObject({ code });
export const recoveryCodesResponse = z.object({ recoveryCodes: z.array(z.string()) });
export const removeBody = z.strictObject({ password, code });
export const stepUpBody = z
  .strictObject({ password: password.optional(), code: code.optional() })
  .refine((b) => (b.password === undefined) !== (b.code === undefined), { message: 'give either password or code', path: ['password'] });
export const stepUpResponse = z.object({ provedAt: z.date() });
export const stepUpState = z.object({ provedAt: z.date().nullable(), windowMs: z.number().int(), remainingMs: z.number().int() });

export const roleParams = z.strictObject({ role: z.enum(ROLES) });
export const policyBody = z.strictObject({
  required: z.boolean(),
  graceDays: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(90, 'must be at most 90').default(7),
});
export const policyResponse = z.object({
  roles: z.array(
    z.object({
      role: z.enum(ROLES),
      required: z.boolean(),
      graceDays: z.number().int(),
      requiredSince: z.date().nullable(),
      recommended: z.boolean(),
      activeUsers: z.number().int(),
      enrolledUsers: z.number().int(),
    }),
  ),
});
