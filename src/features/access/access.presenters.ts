/** Shapes rows into API responses (only the fields the response schemas allow). */
import type { z } from 'zod';
import type { userSchema } from './access.schemas.js';
import type { UserRow } from './users.repo.js';

/** The public view of a user: never the password hash or lockout counters. */
export function presentUser(u: UserRow): z.infer<typeof userSchema> {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    lastSignInAt: u.lastSignInAt,
    lastSignInIp: u.lastSignInIp,
  };
}
