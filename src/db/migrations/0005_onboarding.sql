CREATE TYPE "public"."onboarding_state" AS ENUM('started', 'in_progress', 'action_required', 'failed', 'abandoned', 'connected', 'disconnected');--> statement-breakpoint
CREATE TYPE "public"."onboarding_step_name" AS ENUM('exchange', 'verify', 'lookup', 'subscribe', 'override', 'register');--> statement-breakpoint
CREATE TYPE "public"."onboarding_step_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'skipped', 'action_required');--> statement-breakpoint
CREATE TABLE "onboarding_phone_numbers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"record_id" uuid NOT NULL,
	"phone_number_id" text NOT NULL,
	"display_phone_number" text,
	"verified_name" text,
	"quality_rating" text,
	"code_verification_status" text,
	"name_status" text,
	"platform_type" text,
	"throughput" text,
	"status" text,
	"looked_up_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onboarding_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"state" "onboarding_state" DEFAULT 'started' NOT NULL,
	"reason" text,
	"attempt_id" text NOT NULL,
	"started_by" uuid,
	"link_id" uuid,
	"business_id" text,
	"waba_id" text,
	"phone_number_id" text,
	"meta_user_id" text,
	"token_user_id" text,
	"token_type" text,
	"token_expires_at" timestamp with time zone,
	"token_scopes" jsonb,
	"token_verified_at" timestamp with time zone,
	"waba_name" text,
	"business_name" text,
	"session_event" text,
	"abandoned_step" text,
	"error_code" integer,
	"error_subcode" integer,
	"error_message" text,
	"error_fbtrace_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"connected_at" timestamp with time zone,
	"disconnected_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "onboarding_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"record_id" uuid NOT NULL,
	"step" "onboarding_step_name" NOT NULL,
	"status" "onboarding_step_status" NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"error_code" integer,
	"error_subcode" integer,
	"error_message" text,
	"error_fbtrace_id" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "onboarding_phone_numbers" ADD CONSTRAINT "onboarding_phone_numbers_record_id_onboarding_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."onboarding_records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onboarding_records" ADD CONSTRAINT "onboarding_records_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onboarding_steps" ADD CONSTRAINT "onboarding_steps_record_id_onboarding_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."onboarding_records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "onboarding_phone_numbers_record_phone_key" ON "onboarding_phone_numbers" USING btree ("record_id","phone_number_id");--> statement-breakpoint
CREATE UNIQUE INDEX "onboarding_records_attempt_key" ON "onboarding_records" USING btree ("attempt_id");--> statement-breakpoint
CREATE INDEX "onboarding_records_state_idx" ON "onboarding_records" USING btree ("state","updated_at");--> statement-breakpoint
CREATE INDEX "onboarding_records_waba_idx" ON "onboarding_records" USING btree ("waba_id");--> statement-breakpoint
CREATE UNIQUE INDEX "onboarding_steps_attempt_key" ON "onboarding_steps" USING btree ("record_id","step","attempt");