ALTER TABLE `inbound_log` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `inbound_log` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `inbound_log_unfinished` ON `inbound_log` (`status`,`lease_until`) WHERE status = 'received';