CREATE TABLE "overview_hourly" (
	"kind" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"k1" text NOT NULL,
	"k2" text DEFAULT '' NOT NULL,
	"count" integer NOT NULL,
	"lag_ms_sum" bigint DEFAULT 0 NOT NULL,
	"lag_count" integer DEFAULT 0 NOT NULL,
	"lag_ms_max" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "overview_rollup_marks" (
	"kind" text PRIMARY KEY NOT NULL,
	"rolled_until" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "overview_hourly_key" ON "overview_hourly" USING btree ("kind","hour","k1","k2");