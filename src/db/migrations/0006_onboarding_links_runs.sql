CREATE TABLE "onboarding_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"label" text NOT NULL,
	"business_name" text,
	"email" text,
	"phone" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	"opened_at" timestamp with time zone,
	"prefill_purge_after" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "onboarding_steps_attempt_key";--> statement-breakpoint
ALTER TABLE "onboarding_records" ADD COLUMN "run" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "onboarding_records" ADD COLUMN "pin_revealed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "onboarding_steps" ADD COLUMN "run" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "onboarding_links" ADD CONSTRAINT "onboarding_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "onboarding_links_token_hash_key" ON "onboarding_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "onboarding_links_created_idx" ON "onboarding_links" USING btree ("created_at","id");--> statement-breakpoint
ALTER TABLE "onboarding_records" ADD CONSTRAINT "onboarding_records_link_id_onboarding_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."onboarding_links"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "onboarding_records_created_idx" ON "onboarding_records" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "onboarding_records_link_idx" ON "onboarding_records" USING btree ("link_id");--> statement-breakpoint
CREATE UNIQUE INDEX "onboarding_steps_attempt_key" ON "onboarding_steps" USING btree ("record_id","run","step","attempt");