DROP INDEX `inbound_log_received`;--> statement-breakpoint
DROP INDEX `outbox_subject`;--> statement-breakpoint
DROP INDEX `outbox_updates`;--> statement-breakpoint
CREATE INDEX `outbox_subject` ON `outbox` (`subject`) WHERE subject is not null;--> statement-breakpoint
CREATE INDEX `outbox_updates` ON `outbox` (`updates_id`) WHERE updates_id is not null;