-- 开工 / 复工 and 入库纳统 as reports give them (issue 16): a month counts a project as started when it started
-- (started_on) or resumed (resumed_on, a 续建 project's 复工) by the month's end, and in the statistics when it is
-- marked so and its 入库 date (stats_on, when known) is by the month's end. The view is month_figures' definition;
-- the projects trigger also listens to the two new dates. Rows are remade once from the new definition.
DROP VIEW IF EXISTS `month_figures_source`;
--> statement-breakpoint
CREATE VIEW `month_figures_source` AS
SELECT printf('%d-%02d', p.year, m.column1) AS period, p.id AS project_id, p.unit_id, p.annual_plan,
  r.ytd_investment AS reported_ytd, r.first_submitted_at,
  -- January starts a new year: last December's 累计 and colour do not carry over.
  coalesce(c.ytd_investment, 0) AS carried_ytd, c.colour AS previous_colour,
  (SELECT count(*) FROM reminders u
    WHERE u.round_id = rd.id AND u.project_id = p.id AND u.kind IN ('overdue', 'manual')) AS urges,
  p.planned_new_start,
  (coalesce(p.started_on <= printf('%d-%02d-31', p.year, m.column1), 0)
    OR coalesce(p.resumed_on <= printf('%d-%02d-31', p.year, m.column1), 0)) AS started,
  (p.in_stats AND coalesce(p.stats_on <= printf('%d-%02d-31', p.year, m.column1), 1)) AS in_stats
FROM projects p
CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) m
LEFT JOIN rounds rd ON rd.kind = 'monthly' AND rd.period = printf('%d-%02d', p.year, m.column1)
LEFT JOIN reports r ON r.round_id = rd.id AND r.project_id = p.id AND r.current = 1
LEFT JOIN project_colours c
  ON m.column1 > 1 AND c.project_id = p.id AND c.period = printf('%d-%02d', p.year, m.column1 - 1)
WHERE p.active = 1;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `month_figures_project_update`;
--> statement-breakpoint
CREATE TRIGGER `month_figures_project_update`
AFTER UPDATE OF unit_id, year, annual_plan, planned_new_start, started_on, resumed_on, in_stats, stats_on, active ON `projects` BEGIN
  DELETE FROM month_figures WHERE project_id = OLD.id;
  INSERT INTO month_figures SELECT * FROM month_figures_source WHERE project_id = NEW.id;
END;
--> statement-breakpoint
DELETE FROM `month_figures`;
--> statement-breakpoint
INSERT INTO `month_figures` SELECT * FROM `month_figures_source`;
