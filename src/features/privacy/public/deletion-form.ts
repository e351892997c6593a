/**
 * The public data deletion form: its fields, the fixed list of what can be asked for, and the
 * validation that names the field at fault (the page re-renders with those messages).
 */
import { z } from 'zod';

/** What a requester can ask to delete (stored as details.scope). */
export const DELETION_SCOPES = [
  { value: 'account', label: 'My account and everything linked to it' },
  { value: 'sign_in_history', label: 'My sign-in history' },
  { value: 'onboarding_link_details', label: 'Details I gave on a WhatsApp onboarding link' },
] as const;
export type DeletionScope = (typeof DELETION_SCOPES)[number]['value'];
const SCOPE_VALUES = DELETION_SCOPES.map((s) => s.value) as [DeletionScope, ...DeletionScope[]];

export const MESSAGE_MAX = 2000;
const EMAIL_MAX = 254;

/** The form as posted (urlencoded; repeated `scope` fields). */
export interface DeletionFormInput {
  email: string;
  scope: string[];
  message: string;
  /** the anti-forgery field (form-guard.ts) */
  formToken: string;
}

export const deletionFormSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter the email address you sign in with.')
    .max(EMAIL_MAX, `Use at most ${EMAIL_MAX} characters.`)
    .pipe(z.email('Enter a valid email address, like name@example.com.'))
    .transform((e) => e.toLowerCase()),
  scope: z
    .array(z.enum(SCOPE_VALUES, 'Choose from the listed items.'))
    .min(1, 'Choose at least one thing to delete.')
    .transform((s) => [...new Set(s)]),
  message: z
    .string()
    .trim()
    .max(MESSAGE_MAX, `Use at most ${MESSAGE_MAX} characters.`)
    .transform((m) => (m === '' ? null : m)),
});
export type DeletionForm = z.output<typeof deletionFormSchema>;

export type FormField = 'email' | 'scope' | 'message';
export type FieldErrors = Partial<Record<FormField, string>>;

/** Reads the posted fields (a repeated single field keeps its first value). */
export function parseDeletionForm(p: URLSearchParams): DeletionFormInput {
  return { email: p.get('email') ?? '', scope: p.getAll('scope'), message: p.get('message') ?? '', formToken: p.get('form_token') ?? '' };
}

/** The valid form, or the message per field. */
export function validateDeletionForm(input: DeletionFormInput): { ok: true; form: DeletionForm } | { ok: false; errors: FieldErrors } {
  const parsed = deletionFormSchema.safeParse({ email: input.email, scope: input.scope, message: input.message });
  if (parsed.success) return { ok: true, form: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as FormField;
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The email as the per-email rate limit and the account lookup see it, or null when not an email. */
export function normalisedEmailOf(raw: string): string | null {
  const parsed = deletionFormSchema.shape.email.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
