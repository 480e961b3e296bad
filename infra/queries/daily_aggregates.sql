-- The daily report items recomputed from the facts, for the local days from the first parameter to the second
-- (yyyy-MM-dd, inclusive): one row per day, dimension (all, agent, team, channel, priority) and group key ('none':
-- no assignee or team), with the counters the reports consumer adds (docs/decisions/060-reports.md): counts,
-- durations counted and summed (calendar and business seconds), SLA targets achieved and breached, surveys
-- answered. When a metric's definition changes, compare this with the reports, or feed it back.
-- Rows redelivered to the lake carry the same id: keep one per id.
WITH facts AS (
  SELECT *
  FROM (
    SELECT f.*, row_number() OVER (PARTITION BY f.id ORDER BY f.at) AS copy_no
    FROM metric_facts AS f
    WHERE f.day BETWEEN ? AND ?
  ) AS numbered
  WHERE copy_no = 1
),
keyed AS (
  SELECT 'all' AS dimension, 'all' AS group_key, f.* FROM facts AS f
  UNION ALL
  SELECT 'agent' AS dimension, coalesce(assignee_id, 'none') AS group_key, f.* FROM facts AS f
  UNION ALL
  SELECT 'team' AS dimension, coalesce(team_id, 'none') AS group_key, f.* FROM facts AS f
  UNION ALL
  SELECT 'channel' AS dimension, channel AS group_key, f.* FROM facts AS f
  UNION ALL
  SELECT 'priority' AS dimension, priority AS group_key, f.* FROM facts AS f
)
SELECT
  day,
  dimension,
  group_key,
  sum(CASE WHEN fact = 'created' THEN 1 ELSE 0 END) AS created,
  sum(CASE WHEN fact = 'solved' THEN 1 ELSE 0 END) AS solved,
  sum(CASE WHEN fact = 'reopened' THEN 1 ELSE 0 END) AS reopened,
  sum(CASE WHEN fact = 'reply' THEN 1 ELSE 0 END) AS replies,
  sum(CASE WHEN fact = 'fcr' THEN 1 WHEN fact = 'fcr_retracted' THEN -1 ELSE 0 END) AS fcr,
  sum(CASE WHEN fact = 'first_reply' AND seconds IS NOT NULL THEN 1 ELSE 0 END) AS fr_n,
  sum(CASE WHEN fact = 'first_reply' THEN seconds ELSE 0 END) AS fr_s,
  sum(CASE WHEN fact = 'first_reply' THEN coalesce(business_seconds, seconds) ELSE 0 END) AS fr_bs,
  sum(CASE WHEN fact = 'reply' AND seconds IS NOT NULL THEN 1 ELSE 0 END) AS nr_n,
  sum(CASE WHEN fact = 'reply' AND seconds IS NOT NULL THEN seconds ELSE 0 END) AS nr_s,
  sum(CASE WHEN fact = 'reply' AND seconds IS NOT NULL THEN coalesce(business_seconds, seconds) ELSE 0 END) AS nr_bs,
  sum(CASE WHEN fact = 'solved' AND seconds IS NOT NULL THEN 1 ELSE 0 END) AS rs_n,
  sum(CASE WHEN fact = 'solved' THEN seconds ELSE 0 END) AS rs_s,
  sum(CASE WHEN fact = 'solved' THEN coalesce(business_seconds, seconds) ELSE 0 END) AS rs_bs,
  sum(CASE WHEN fact = 'sla' THEN achieved ELSE 0 END) AS sla_a,
  sum(CASE WHEN fact = 'sla' THEN breached ELSE 0 END) AS sla_b,
  sum(CASE WHEN fact = 'csat' AND previous_rating IS NULL THEN 1 ELSE 0 END) AS csat_n
FROM keyed
GROUP BY day, dimension, group_key
ORDER BY day, dimension, group_key
