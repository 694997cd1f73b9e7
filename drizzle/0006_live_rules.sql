CREATE TABLE `access_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`purpose` text NOT NULL,
	`token_hash` text NOT NULL,
	`person_id` integer NOT NULL,
	`data` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_links_token_hash_unique` ON `access_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `access_links_person` ON `access_links` (`person_id`);--> statement-breakpoint
CREATE TABLE `interviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`period` text NOT NULL,
	`sector_id` integer,
	`commander_person_id` integer,
	`due_on` text NOT NULL,
	`held_on` text,
	`notes` text,
	`recorded_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sector_id`) REFERENCES `sectors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`commander_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `interviews_project_period` ON `interviews` (`project_id`,`period`);--> statement-breakpoint
CREATE INDEX `interviews_commander` ON `interviews` (`commander_person_id`);--> statement-breakpoint
CREATE TABLE `meeting_pledges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`period` text NOT NULL,
	`speaker_person_id` integer,
	`told_at` integer,
	`meeting_on` text,
	`spoke_on` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`speaker_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_pledges_project_period` ON `meeting_pledges` (`project_id`,`period`);--> statement-breakpoint
CREATE TABLE `sectors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`commander_person_id` integer,
	`deputy_person_id` integer,
	`liaison_person_id` integer,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`commander_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`deputy_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`liaison_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sectors_name_unique` ON `sectors` (`name`);--> statement-breakpoint
CREATE TABLE `urges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`round_id` integer,
	`period` text NOT NULL,
	`kind` text NOT NULL,
	`occasion` text NOT NULL,
	`by_person_id` integer,
	`behind_bp` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`by_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `urges_project_occasion` ON `urges` (`project_id`,`occasion`);--> statement-breakpoint
CREATE INDEX `urges_period` ON `urges` (`period`,`project_id`);--> statement-breakpoint
CREATE TABLE `web_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`person_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web_sessions_token_hash_unique` ON `web_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `web_sessions_person` ON `web_sessions` (`person_id`);--> statement-breakpoint
ALTER TABLE `problems` ADD `level` text DEFAULT 'office' NOT NULL;--> statement-breakpoint
ALTER TABLE `problems` ADD `level_since` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `resumed_on` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `stats_on` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `competent_unit_id` integer;--> statement-breakpoint
ALTER TABLE `reports` ADD `started_on` text;--> statement-breakpoint
ALTER TABLE `reports` ADD `stats_on` text;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `received_at` integer;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `reply_due_on` text;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `reply_fields` text;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `replied_by` integer;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `returned_at` integer;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `return_reason` text;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `closed_by` integer;--> statement-breakpoint
ALTER TABLE `supervisions` ADD `cadence` text DEFAULT 'default' NOT NULL;