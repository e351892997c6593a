import type { FieldErrors } from './form-errors.js';

export const MIN_PASSWORD_LENGTH = 12;

/**
 * The messages for a new password (in the field named `field`) and its confirmation
 * (`confirmPassword`); empty when both are fine.
 */
export function newPasswordErrors<P extends string>(
  field: P,
  password: string,
  confirmation: string,
): FieldErrors<P | 'confirmPassword'> {
  const errors: FieldErrors<P | 'confirmPassword'> = {};
  if (password.length < MIN_PASSWORD_LENGTH) errors[field] = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (confirmation !== password) errors.confirmPassword = 'The passwords do not match';
  return errors;
}
