import { ApiError } from './api.js';

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** `errors[].path` may be `email`, `body.email`, `/email` or `body/email`: keep the last segment. */
function fieldName(path: string): string {
  const parts = path.split(/[./]/).filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/** Server messages are fragments such as "must not be blank"; shown under a field they need a capital. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/**
 * Splits a server error into messages for the named form fields and a form-level message
 * (anything that cannot be shown under a field, including the problem's `detail`).
 */
export function splitServerErrors<K extends string>(
  error: unknown,
  fields: readonly K[],
): { fieldErrors: FieldErrors<K>; formError: string | null } {
  const fieldErrors: FieldErrors<K> = {};
  if (!(error instanceof ApiError)) return { fieldErrors, formError: null };
  const unplaced: string[] = [];
  for (const item of error.errors) {
    const name = fieldName(item.path) as K;
    if (fields.includes(name)) {
      fieldErrors[name] ??= sentence(item.message);
    } else {
      unplaced.push(item.path ? `${item.path}: ${item.message}` : sentence(item.message));
    }
  }
  const placedSome = Object.keys(fieldErrors).length > 0;
  const formError = unplaced.length > 0 ? unplaced.join(' ') : placedSome ? null : error.detail ?? error.title;
  return { fieldErrors, formError };
}
