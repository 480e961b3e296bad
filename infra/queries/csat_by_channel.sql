-- Satisfaction survey answers per channel over the local days from the first parameter to the second (yyyy-MM-dd,
-- inclusive): responses, answers per rating (a changed answer moves from its old rating to its new one) and the
-- score, the share of answers rating 4 or 5.
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
answers AS (
  SELECT channel, rating, 1 AS delta, CASE WHEN previous_rating IS NULL THEN 1 ELSE 0 END AS response
  FROM facts
  WHERE fact = 'csat'
  UNION ALL
  SELECT channel, previous_rating AS rating, -1 AS delta, 0 AS response
  FROM facts
  WHERE fact = 'csat' AND previous_rating IS NOT NULL
)
SELECT
  channel,
  sum(response) AS responses,
  sum(CASE WHEN rating = 1 THEN delta ELSE 0 END) AS rating_1,
  sum(CASE WHEN rating = 2 THEN delta ELSE 0 END) AS rating_2,
  sum(CASE WHEN rating = 3 THEN delta ELSE 0 END) AS rating_3,
  sum(CASE WHEN rating = 4 THEN delta ELSE 0 END) AS rating_4,
  sum(CASE WHEN rating = 5 THEN delta ELSE 0 END) AS rating_5,
  CASE
    WHEN sum(delta) > 0
    THEN CAST(sum(CASE WHEN rating >= 4 THEN delta ELSE 0 END) AS DOUBLE) / sum(delta)
  END AS score
FROM answers
GROUP BY channel
ORDER BY channel
