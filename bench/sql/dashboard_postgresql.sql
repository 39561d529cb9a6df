-- The managers' dashboard's figures in one hand-written PostgreSQL statement (the baseline for
-- bench/bench_reports.py): open cases by deadline, the ten most overdue, and twelve months of
-- contacts received and responses within the standard. Same rules as casework/reports/dashboard.py.
-- Parameters: :today, :soon, :start_utc, :end_utc, :start, :end.
WITH
due AS (
  SELECT procedure, COALESCE(stage, 'none') AS stage,
    count(*) FILTER (WHERE next_due_on < :today) AS overdue,
    count(*) FILTER (WHERE next_due_on = :today) AS due_today,
    count(*) FILTER (WHERE next_due_on > :today) AS due_soon
  FROM cases WHERE is_open AND next_due_on <= :soon
  GROUP BY 1, 2
),
most_overdue AS (
  SELECT c.reference, c.summary, c.procedure, c.next_due_on, COALESCE(sa.name, 'No service area') AS service_area,
         t.n - d.n AS working_days_late
  FROM cases c
  LEFT JOIN service_areas sa ON sa.id = c.service_area_id
  LEFT JOIN working_day_numbers d ON d.day = c.next_due_on
  LEFT JOIN working_day_numbers t ON t.day = :today
  WHERE c.is_open AND c.next_due_on < :today
  ORDER BY c.next_due_on, c.id LIMIT 10
),
received AS (
  SELECT width_bucket(received_at, ARRAY[:m0, :m1, :m2, :m3, :m4, :m5, :m6, :m7, :m8, :m9, :m10]::timestamp[]) + 1 AS month,
         kind, count(*) AS n
  FROM cases
  WHERE kind IN ('complaint', 'member_enquiry', 'mp_enquiry') AND procedure <> 'lgsco'
    AND received_at >= :start_utc AND received_at < :end_utc
  GROUP BY 1, 2
),
timeliness AS (
  SELECT width_bucket(k.started_on, ARRAY[:d0, :d1, :d2, :d3, :d4, :d5, :d6, :d7, :d8, :d9, :d10]::date[]) + 1 AS month, k.name,
    count(*) FILTER (WHERE k.met_on <= k.due_on) AS on_time,
    count(*) FILTER (WHERE k.met_on > k.due_on OR (k.met_on IS NULL AND k.stopped_on > k.due_on)
                     OR (k.met_on IS NULL AND k.stopped_on IS NULL AND COALESCE(k.paused_since, :today) > k.due_on)) AS late
  FROM clocks k
  WHERE k.name IN ('stage1.respond', 'stage2.respond', 'enquiry.respond')
    AND k.started_on >= :start AND k.started_on <= :end
  GROUP BY 1, 2
)
SELECT 'due' AS section, row_to_json(x)::text AS data FROM due x
UNION ALL SELECT 'most_overdue', row_to_json(x)::text FROM most_overdue x
UNION ALL SELECT 'received', row_to_json(x)::text FROM received x
UNION ALL SELECT 'timeliness', row_to_json(x)::text FROM timeliness x
