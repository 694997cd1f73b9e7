ALTER TABLE `month_figures` ADD `missing_urges` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- 催办 as the colour rule counts them (issue 13): one `urges` row per project and occasion, however many contacts
-- it reached, instead of one `reminders` row per contact. A month's `urges` is the consecutive lag 催办 up to
-- that month since the project last stood at 序时 (a month frozen blue) or the year began ("连续催办两次仍未达标",
-- reaching 序时 resets it); `missing_urges` the missing-report 催办 in the same window, which count only when the
-- rules say so (services/rules.ts, colour.countMissingUrges).
DROP TRIGGER IF EXISTS `month_figures_reminder_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `month_figures_reminder_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `month_figures_reminder_delete`;
--> statement-breakpoint
-- A county's 催办 before occasions existed: the overdue job's and leaders' 催办 of unreported monthly rounds, one
-- per project, round and minute.
INSERT OR IGNORE INTO `urges` (project_id, round_id, period, kind, occasion, by_person_id, behind_bp, at)
SELECT r.project_id, r.round_id, rd.period, 'missing',
  CASE r.kind WHEN 'overdue' THEN 'overdue:' || rd.period ELSE 'manual:earlier:' || (r.sent_at / 60000) END,
  NULL, NULL, min(r.sent_at)
FROM reminders r JOIN rounds rd ON rd.id = r.round_id AND rd.kind = 'monthly'
WHERE r.kind IN ('overdue', 'manual')
GROUP BY r.project_id, r.round_id, r.kind, CASE r.kind WHEN 'overdue' THEN 0 ELSE r.sent_at / 60000 END;
--> statement-breakpoint
-- The window of a project's month: after the last month before it frozen blue, within the same year.
CREATE VIEW `urge_streaks` AS
SELECT f.project_id, f.period,
  (SELECT count(*) FROM urges u WHERE u.project_id = f.project_id AND u.kind = 'lag' AND u.period <= f.period
    AND u.period > coalesce((SELECT max(c.period) FROM project_colours c WHERE c.project_id = f.project_id AND c.colour = 'blue'
      AND c.period < f.period AND c.period > substr(f.period, 1, 4)), substr(f.period, 1, 4))) AS lag_urges,
  (SELECT count(*) FROM urges u WHERE u.project_id = f.project_id AND u.kind = 'missing' AND u.period <= f.period
    AND u.period > coalesce((SELECT max(c.period) FROM project_colours c WHERE c.project_id = f.project_id AND c.colour = 'blue'
      AND c.period < f.period AND c.period > substr(f.period, 1, 4)), substr(f.period, 1, 4))) AS missing_urges
FROM month_figures f;
--> statement-breakpoint
DROP VIEW IF EXISTS `month_figures_source`;
--> statement-breakpoint
CREATE VIEW `month_figures_source` AS
SELECT printf('%d-%02d', p.year, m.column1) AS period, p.id AS project_id, p.unit_id, p.annual_plan,
  r.ytd_investment AS reported_ytd, r.first_submitted_at,
  -- January starts a new year: last December's 累计 and colour do not carry over.
  coalesce(c.ytd_investment, 0) AS carried_ytd, c.colour AS previous_colour,
  (SELECT count(*) FROM urges u WHERE u.project_id = p.id AND u.kind = 'lag' AND u.period <= printf('%d-%02d', p.year, m.column1)
    AND u.period > coalesce((SELECT max(b.period) FROM project_colours b WHERE b.project_id = p.id AND b.colour = 'blue'
      AND b.period < printf('%d-%02d', p.year, m.column1) AND b.period > printf('%d', p.year)), printf('%d', p.year))) AS urges,
  p.planned_new_start,
  (coalesce(p.started_on <= printf('%d-%02d-31', p.year, m.column1), 0)
    OR coalesce(p.resumed_on <= printf('%d-%02d-31', p.year, m.column1), 0)) AS started,
  (p.in_stats AND coalesce(p.stats_on <= printf('%d-%02d-31', p.year, m.column1), 1)) AS in_stats,
  (SELECT count(*) FROM urges u WHERE u.project_id = p.id AND u.kind = 'missing' AND u.period <= printf('%d-%02d', p.year, m.column1)
    AND u.period > coalesce((SELECT max(b.period) FROM project_colours b WHERE b.project_id = p.id AND b.colour = 'blue'
      AND b.period < printf('%d-%02d', p.year, m.column1) AND b.period > printf('%d', p.year)), printf('%d', p.year))) AS missing_urges
FROM projects p
CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) m
LEFT JOIN rounds rd ON rd.kind = 'monthly' AND rd.period = printf('%d-%02d', p.year, m.column1)
LEFT JOIN reports r ON r.round_id = rd.id AND r.project_id = p.id AND r.current = 1
LEFT JOIN project_colours c
  ON m.column1 > 1 AND c.project_id = p.id AND c.period = printf('%d-%02d', p.year, m.column1 - 1)
WHERE p.active = 1;
--> statement-breakpoint
-- A 催办 changes its month and the later months of the year (they count back to it).
CREATE TRIGGER `month_figures_urge_insert` AFTER INSERT ON `urges` BEGIN
  UPDATE month_figures SET (urges, missing_urges) = (SELECT s.lag_urges, s.missing_urges FROM urge_streaks s
    WHERE s.project_id = month_figures.project_id AND s.period = month_figures.period)
  WHERE project_id = NEW.project_id AND period >= NEW.period AND period <= substr(NEW.period, 1, 4) || '-12';
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_urge_delete` AFTER DELETE ON `urges` BEGIN
  UPDATE month_figures SET (urges, missing_urges) = (SELECT s.lag_urges, s.missing_urges FROM urge_streaks s
    WHERE s.project_id = month_figures.project_id AND s.period = month_figures.period)
  WHERE project_id = OLD.project_id AND period >= OLD.period AND period <= substr(OLD.period, 1, 4) || '-12';
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_urge_update` AFTER UPDATE OF project_id, period, kind ON `urges` BEGIN
  UPDATE month_figures SET (urges, missing_urges) = (SELECT s.lag_urges, s.missing_urges FROM urge_streaks s
    WHERE s.project_id = month_figures.project_id AND s.period = month_figures.period)
  WHERE (project_id = NEW.project_id AND period >= NEW.period AND period <= substr(NEW.period, 1, 4) || '-12')
    OR (project_id = OLD.project_id AND period >= OLD.period AND period <= substr(OLD.period, 1, 4) || '-12');
END;
--> statement-breakpoint
-- A month frozen blue starts the later months' count afresh (reaching 序时 resets it).
CREATE TRIGGER `month_figures_colour_streak_insert` AFTER INSERT ON `project_colours` BEGIN
  UPDATE month_figures SET (urges, missing_urges) = (SELECT s.lag_urges, s.missing_urges FROM urge_streaks s
    WHERE s.project_id = month_figures.project_id AND s.period = month_figures.period)
  WHERE project_id = NEW.project_id AND period > NEW.period AND period <= substr(NEW.period, 1, 4) || '-12';
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_colour_streak_update` AFTER UPDATE ON `project_colours` BEGIN
  UPDATE month_figures SET (urges, missing_urges) = (SELECT s.lag_urges, s.missing_urges FROM urge_streaks s
    WHERE s.project_id = month_figures.project_id AND s.period = month_figures.period)
  WHERE (project_id = NEW.project_id AND period > NEW.period AND period <= substr(NEW.period, 1, 4) || '-12')
    OR (project_id = OLD.project_id AND period > OLD.period AND period <= substr(OLD.period, 1, 4) || '-12');
END;
--> statement-breakpoint
CREATE TRIGGER `month_figures_colour_streak_delete` AFTER DELETE ON `project_colours` BEGIN
  UPDATE month_figures SET (urges, missing_urges) = (SELECT s.lag_urges, s.missing_urges FROM urge_streaks s
    WHERE s.project_id = month_figures.project_id AND s.period = month_figures.period)
  WHERE project_id = OLD.project_id AND period > OLD.period AND period <= substr(OLD.period, 1, 4) || '-12';
END;
--> statement-breakpoint
DELETE FROM `month_figures`;
--> statement-breakpoint
INSERT INTO `month_figures` SELECT * FROM `month_figures_source`;
