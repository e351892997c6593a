DROP INDEX "webhook_events_state_idx";--> statement-breakpoint
DROP INDEX "webhook_events_purge_idx";--> statement-breakpoint
CREATE INDEX "webhook_events_state_idx" ON "webhook_events" USING btree ("state","id") WHERE state IN ('pending', 'failed');--> statement-breakpoint
CREATE INDEX "webhook_events_purge_idx" ON "webhook_events" USING btree ("payload_purge_after") WHERE payload_purge_after IS NOT NULL;