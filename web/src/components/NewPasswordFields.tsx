import type { ChangeEvent } from 'react';
import { PasswordInput } from '@mantine/core';
import { MIN_PASSWORD_LENGTH } from '../lib/new-password.js';

interface FieldProps {
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
  error?: string | undefined;
}

/** `password` for an account's first password, `newPassword` for one that replaces the current one. */
const LABELS = {
  password: { password: 'Password', confirm: 'Confirm password' },
  newPassword: { password: 'New password', confirm: 'Confirm new password' },
} as const;

/** A new password and its confirmation (checked with `newPasswordErrors`). */
export function NewPasswordFields({
  name,
  password,
  confirmation,
  autoFocus,
}: {
  name: keyof typeof LABELS;
  password: FieldProps;
  confirmation: FieldProps;
  autoFocus?: boolean;
}) {
  const labels = LABELS[name];
  return (
    <>
      <PasswordInput
        label={labels.password}
        name={name}
        autoComplete="new-password"
        required
        autoFocus={autoFocus}
        description={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        {...password}
      />
      <PasswordInput label={labels.confirm} name="confirmPassword" autoComplete="new-password" required {...confirmation} />
    </>
  );
}
