CREATE TABLE `month_figures` (
	`period` text NOT NULL,
	`project_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`annual_plan` integer NOT NULL,
	`reported_ytd` integer,
	`first_submitted_at` integer,
	`carried_ytd` integer NOT NULL,
	`previous_colour` text,
	`urges` integer NOT NULL,
	`planned_new_start` integer NOT NULL,
	`started` integer NOT NULL,
	`in_stats` integer NOT NULL,
	PRIMARY KEY(`period`, `project_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `month_figures_project` ON `month_figures` (`project_id`);--> statement-breakpoint
-- What a row of month_figures is: every active project, every month of its year. A project's rows are
-- (re)made from this view when it is added or changed, and a month's when its round moves.
CREATE VIEW `month_figures_source` AS
SELECT printf('%d-%02d', p.year, m.column1) AS period, p.id AS project_id, p.unit_id, p.annual_plan,
  r.ytd_investment AS reported_ytd, r.first_submitted_at,
  -- January starts a new year: last December's 累计 and colour do not carry over.
  coalesce(c.ytd_investment, 0) AS carried_ytd, c.colour AS previous_colour,
  (SELECT count(*) FROM reminders u
    WHERE u.round_id = rd.id AND u.project_id = p.id AND u.kind IN ('overdue', 'manual')) AS urges,
  p.planned_new_start, coalesce(p.started_on <= printf('%d-%02d-31', p.year, m.column1), 0) AS started, p.in_stats
FROM projects p
CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) m
LEFT JOIN rounds rd ON rd.kind = 'monthly' AND rd.period = printf('%d-%02d', p.year, m.column1)
LEFT JOIN reports r ON r.round_id = rd.id AND r.project_id = p.id AND r.current = 1
LEFT JOIN project_colours c
  ON m.column1 > 1 AND c.project_id = p.id AND c.period = printf('%d-%02d', p.year, m.column1 - 1)
WHERE p.active = 1;
--> statement-breakpoint
INSERT INTO `month_figures` SELECT * FROM `month_figures_source`;
--> statement-breakpoint
CREATE TRIGGER `month_figures_project_insert` AFTER INSERT ON `projects` BEGIN
  INSERT INTO month_figures SELECT * FROM month_figures_source WHERE project_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_project_update`
AFTER UPDATE OF unit_id, year, annual_plan, planned_new_start, started_on, in_stats, active ON `projects` BEGIN
  DELETE FROM month_figures WHERE project_id = OLD.id;
  INSERT INTO month_figures SELECT * FROM month_figures_source WHERE project_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_project_delete` AFTER DELETE ON `projects` BEGIN
  DELETE FROM month_figures WHERE project_id = OLD.id;
END;
--> statement-breakpoint
-- A new round needs nothing: no report or 催办 can point at it yet (foreign keys).
CREATE TRIGGER `month_figures_round_update` AFTER UPDATE OF kind, period ON `rounds` BEGIN
  DELETE FROM month_figures WHERE period IN (OLD.period, NEW.period);
  INSERT INTO month_figures SELECT * FROM month_figures_source WHERE period IN (OLD.period, NEW.period);
END;
--> statement-breakpoint
-- Reports, 催办 and colours change one project's month, and only the columns they feed: each trigger sets those
-- from its table (remaking the row from the view costs about ten times as much).
CREATE TRIGGER `month_figures_report_insert` AFTER INSERT ON `reports` BEGIN
  UPDATE month_figures SET (reported_ytd, first_submitted_at) = (SELECT ytd_investment, first_submitted_at FROM reports
    WHERE round_id = NEW.round_id AND project_id = NEW.project_id AND current = 1)
  WHERE project_id = NEW.project_id AND period = (SELECT period FROM rounds WHERE id = NEW.round_id AND kind = 'monthly');
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_report_update`
AFTER UPDATE OF round_id, project_id, current, ytd_investment, first_submitted_at ON `reports` BEGIN
  UPDATE month_figures SET (reported_ytd, first_submitted_at) = (SELECT ytd_investment, first_submitted_at FROM reports
    WHERE round_id = NEW.round_id AND project_id = NEW.project_id AND current = 1)
  WHERE project_id = NEW.project_id AND period = (SELECT period FROM rounds WHERE id = NEW.round_id AND kind = 'monthly');
  UPDATE month_figures SET (reported_ytd, first_submitted_at) = (SELECT ytd_investment, first_submitted_at FROM reports
    WHERE round_id = OLD.round_id AND project_id = OLD.project_id AND current = 1)
  WHERE (OLD.round_id <> NEW.round_id OR OLD.project_id <> NEW.project_id)
    AND project_id = OLD.project_id AND period = (SELECT period FROM rounds WHERE id = OLD.round_id AND kind = 'monthly');
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_report_delete` AFTER DELETE ON `reports` BEGIN
  UPDATE month_figures SET (reported_ytd, first_submitted_at) = (SELECT ytd_investment, first_submitted_at FROM reports
    WHERE round_id = OLD.round_id AND project_id = OLD.project_id AND current = 1)
  WHERE project_id = OLD.project_id AND period = (SELECT period FROM rounds WHERE id = OLD.round_id AND kind = 'monthly');
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_reminder_insert` AFTER INSERT ON `reminders` BEGIN
  UPDATE month_figures SET urges = (SELECT count(*) FROM reminders
    WHERE round_id = NEW.round_id AND project_id = NEW.project_id AND kind IN ('overdue', 'manual'))
  WHERE project_id = NEW.project_id AND period = (SELECT period FROM rounds WHERE id = NEW.round_id AND kind = 'monthly');
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_reminder_update` AFTER UPDATE OF round_id, project_id, kind ON `reminders` BEGIN
  UPDATE month_figures SET urges = (SELECT count(*) FROM reminders
    WHERE round_id = NEW.round_id AND project_id = NEW.project_id AND kind IN ('overdue', 'manual'))
  WHERE project_id = NEW.project_id AND period = (SELECT period FROM rounds WHERE id = NEW.round_id AND kind = 'monthly');
  UPDATE month_figures SET urges = (SELECT count(*) FROM reminders
    WHERE round_id = OLD.round_id AND project_id = OLD.project_id AND kind IN ('overdue', 'manual'))
  WHERE project_id = OLD.project_id AND period = (SELECT period FROM rounds WHERE id = OLD.round_id AND kind = 'monthly');
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_reminder_delete` AFTER DELETE ON `reminders` BEGIN
  UPDATE month_figures SET urges = (SELECT count(*) FROM reminders
    WHERE round_id = OLD.round_id AND project_id = OLD.project_id AND kind IN ('overdue', 'manual'))
  WHERE project_id = OLD.project_id AND period = (SELECT period FROM rounds WHERE id = OLD.round_id AND kind = 'monthly');
END;
--> statement-breakpoint
-- A frozen colour is carried by the next month of the same year (max() of the one row: 0 and null when none).
CREATE TRIGGER `month_figures_colour_insert` AFTER INSERT ON `project_colours` BEGIN
  UPDATE month_figures SET (carried_ytd, previous_colour) = (SELECT coalesce(max(ytd_investment), 0), max(colour)
    FROM project_colours WHERE project_id = NEW.project_id AND period = NEW.period)
  WHERE project_id = NEW.project_id AND period = strftime('%Y-%m', NEW.period || '-01', '+1 month') AND period NOT LIKE '%-01';
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_colour_update` AFTER UPDATE ON `project_colours` BEGIN
  UPDATE month_figures SET (carried_ytd, previous_colour) = (SELECT coalesce(max(ytd_investment), 0), max(colour)
    FROM project_colours WHERE project_id = NEW.project_id AND period = NEW.period)
  WHERE project_id = NEW.project_id AND period = strftime('%Y-%m', NEW.period || '-01', '+1 month') AND period NOT LIKE '%-01';
  UPDATE month_figures SET (carried_ytd, previous_colour) = (SELECT coalesce(max(ytd_investment), 0), max(colour)
    FROM project_colours WHERE project_id = OLD.project_id AND period = OLD.period)
  WHERE project_id = OLD.project_id AND period = strftime('%Y-%m', OLD.period || '-01', '+1 month') AND period NOT LIKE '%-01';
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_colour_delete` AFTER DELETE ON `project_colours` BEGIN
  UPDATE month_figures SET (carried_ytd, previous_colour) = (SELECT coalesce(max(ytd_investment), 0), max(colour)
    FROM project_colours WHERE project_id = OLD.project_id AND period = OLD.period)
  WHERE project_id = OLD.project_id AND period = strftime('%Y-%m', OLD.period || '-01', '+1 month') AND period NOT LIKE '%-01';
END;
