CREATE TABLE `wecom_card_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`user_id` text NOT NULL,
	`issued_at` integer NOT NULL,
	`spent_at` integer
);
--> statement-breakpoint
CREATE INDEX `wecom_card_codes_task` ON `wecom_card_codes` (`task_id`,`spent_at`);