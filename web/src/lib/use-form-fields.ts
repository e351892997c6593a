import { useState, type ChangeEvent } from 'react';
import { splitServerErrors, type FieldErrors } from './form-errors.js';

/**
 * The state of a form of text fields: values, a message per field, a form-level message, and the
 * props that bind one field to an input (`{...bind('email')}`). Typing in a field clears its message.
 */
export function useFormFields<F extends string>(initial: Record<F, string>) {
  const [values, setValues] = useState(initial);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const set = (field: F) => (event: ChangeEvent<HTMLInputElement>) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [field]: value }));
    if (fieldErrors[field]) setFieldErrors((current) => ({ ...current, [field]: undefined }));
  };

  const bind = (field: F) => ({ value: values[field], onChange: set(field), error: fieldErrors[field] });

  /** Shows the messages of a local check; true when there are none. */
  const check = (errors: FieldErrors<F>): boolean => {
    setFieldErrors(errors);
    setFormError(null);
    return Object.keys(errors).length === 0;
  };

  /** Shows a server error under the named fields, the rest above the form. */
  const showServerErrors = (error: unknown, fields: readonly F[]) => {
    const split = splitServerErrors(error, fields);
    setFieldErrors(split.fieldErrors);
    setFormError(split.formError);
  };

  return { values, setValues, fieldErrors, setFieldErrors, formError, setFormError, bind, check, showServerErrors };
}
