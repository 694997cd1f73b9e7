ALTER TABLE `outbox` ADD `subject` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `updates_id` integer;--> statement-breakpoint
CREATE INDEX `outbox_subject` ON `outbox` (`subject`);--> statement-breakpoint
CREATE INDEX `outbox_updates` ON `outbox` (`updates_id`);