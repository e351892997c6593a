-- Keyset pagination of the users list by role, status and last sign-in, each on an index
-- (the expressions match sortSpec() in src/features/access/users-admin.repo.ts).
CREATE INDEX IF NOT EXISTS users_role_sort_idx ON users (role, id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_status_sort_idx ON users (status, id);
--> statement-breakpoint
DROP INDEX IF EXISTS users_last_sign_in_sort_idx;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_last_sign_in_sort_idx ON users ((coalesce(last_sign_in_at, '-infinity'::timestamptz)), id);
