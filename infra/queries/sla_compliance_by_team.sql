-- SLA targets achieved and breached per team (every policy and target) over the local days from the first
-- parameter to the second (yyyy-MM-dd, inclusive), and the compliance: achieved / (achieved + breached).
-- Rows redelivered to the lake carry the same id: keep one per id.
WITH facts AS (
  SELECT *
  FROM (
    SELECT f.*, row_number() OVER (PARTITION BY f.id ORDER BY f.at) AS copy_no
    FROM metric_facts AS f
    WHERE f.day BETWEEN ? AND ?
  ) AS numbered
  WHERE copy_no = 1
)
SELECT
  coalesce(team_id, 'none') AS team,
  sum(achieved) AS achieved,
  sum(breached) AS breached,
  CASE
    WHEN sum(achieved) + sum(breached) > 0
    THEN CAST(sum(achieved) AS DOUBLE) / (sum(achieved) + sum(breached))
  END AS compliance
FROM facts
WHERE fact = 'sla'
GROUP BY coalesce(team_id, 'none')
ORDER BY team
