-- Substring search over users' email and display name (the users list), and keyset-pagination
-- indexes for each sortable column. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_name_trgm_idx ON users USING gin (lower(display_name) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_name_sort_idx ON users (lower(display_name), id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_created_sort_idx ON users (created_at, id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_last_sign_in_sort_idx ON users (last_sign_in_at, id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS login_activity_result_at_idx ON login_activity (result, id);
