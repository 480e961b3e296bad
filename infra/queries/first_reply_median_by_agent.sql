-- First-reply time per agent over the local days from the first parameter to the second (yyyy-MM-dd, inclusive):
-- how many, their sum, and the exact nearest-rank median (the ceil(n/2)-th smallest), in calendar and in business
-- seconds.
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
first_replies AS (
  SELECT
    coalesce(assignee_id, 'none') AS agent,
    seconds,
    coalesce(business_seconds, seconds) AS business_seconds,
    row_number() OVER (PARTITION BY coalesce(assignee_id, 'none') ORDER BY seconds) AS rank_s,
    row_number() OVER (
      PARTITION BY coalesce(assignee_id, 'none') ORDER BY coalesce(business_seconds, seconds)
    ) AS rank_b,
    count(*) OVER (PARTITION BY coalesce(assignee_id, 'none')) AS n
  FROM facts
  WHERE fact = 'first_reply' AND seconds IS NOT NULL
)
SELECT
  agent,
  max(n) AS first_replies,
  sum(seconds) AS total_s,
  sum(business_seconds) AS business_total_s,
  max(CASE WHEN 2 * rank_s >= n AND 2 * (rank_s - 1) < n THEN seconds END) AS median_s,
  max(CASE WHEN 2 * rank_b >= n AND 2 * (rank_b - 1) < n THEN business_seconds END) AS business_median_s
FROM first_replies
GROUP BY agent
ORDER BY agent
