CREATE TYPE "public"."privacy_request_state" AS ENUM('received', 'verifying', 'in_progress', 'completed', 'rejected', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."webhook_event_state" AS ENUM('pending', 'processed', 'failed', 'duplicate', 'unhandled');--> statement-breakpoint
CREATE TABLE "meta_callbacks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"meta_user_id" text NOT NULL,
	"issued_at" bigint,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onboarding_record_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"record_id" uuid NOT NULL,
	"phone_number_id" text,
	"at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"topic" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"webhook_event_id" bigint
);
--> statement-breakpoint
CREATE TABLE "phone_message_counters" (
	"phone_number_id" text NOT NULL,
	"kind" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	"last_event_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "privacy_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"state" "privacy_request_state" NOT NULL,
	"meta_user_id" text,
	"meta_issued_at" bigint,
	"confirmation_code" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"outcome" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shared_wabas" (
	"waba_id" text PRIMARY KEY NOT NULL,
	"owner_business_id" text,
	"shared_at" timestamp with time zone NOT NULL,
	"last_event" text NOT NULL,
	"last_event_at" timestamp with time zone NOT NULL,
	"record_id" uuid
);
--> statement-breakpoint
CREATE TABLE "webhook_dedupe_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"first_event_id" bigint NOT NULL,
	"seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"field" text NOT NULL,
	"waba_id" text,
	"phone_number_id" text,
	"dedupe_key" text NOT NULL,
	"event_at" timestamp with time zone,
	"state" "webhook_event_state" DEFAULT 'pending' NOT NULL,
	"reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"processed_at" timestamp with time zone,
	"size_bytes" integer NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"payload" jsonb,
	"payload_purge_after" timestamp with time zone,
	"record_id" uuid
);
--> statement-breakpoint
ALTER TABLE "onboarding_records" ADD COLUMN "meta_status" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "onboarding_record_history" ADD CONSTRAINT "onboarding_record_history_record_id_onboarding_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."onboarding_records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "meta_callbacks_received_idx" ON "meta_callbacks" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "onboarding_record_history_record_idx" ON "onboarding_record_history" USING btree ("record_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_message_counters_key" ON "phone_message_counters" USING btree ("phone_number_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_requests_code_key" ON "privacy_requests" USING btree ("confirmation_code");--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_requests_meta_key" ON "privacy_requests" USING btree ("meta_user_id","meta_issued_at");--> statement-breakpoint
CREATE INDEX "privacy_requests_state_idx" ON "privacy_requests" USING btree ("state","due_at");--> statement-breakpoint
CREATE INDEX "webhook_events_received_idx" ON "webhook_events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "webhook_events_state_idx" ON "webhook_events" USING btree ("state","id");--> statement-breakpoint
CREATE INDEX "webhook_events_waba_idx" ON "webhook_events" USING btree ("waba_id","received_at");--> statement-breakpoint
CREATE INDEX "webhook_events_purge_idx" ON "webhook_events" USING btree ("payload_purge_after");--> statement-breakpoint
CREATE INDEX "onboarding_records_meta_user_idx" ON "onboarding_records" USING btree ("meta_user_id");--> statement-breakpoint
CREATE INDEX "onboarding_records_token_user_idx" ON "onboarding_records" USING btree ("token_user_id");