DROP INDEX `reminders_round_project`;--> statement-breakpoint
CREATE INDEX `reminders_round_project` ON `reminders` (`round_id`,`project_id`,`kind`);--> statement-breakpoint
CREATE INDEX `project_colours_period` ON `project_colours` (`period`,`project_id`,`colour`,`ytd_investment`);--> statement-breakpoint
CREATE INDEX `reports_round_figures` ON `reports` (`round_id`,`project_id`,`ytd_investment`,`first_submitted_at`) WHERE current = 1;