-- The managers' dashboard's figures in one hand-written SQLite statement (see
-- dashboard_postgresql.sql). Months come in as boundaries: :m0..:m10 (UTC instants at which
-- months 2..12 start) and :d0..:d10 (the same as dates).
WITH
due AS (
  SELECT procedure, COALESCE(stage, 'none') AS stage,
    count(*) FILTER (WHERE next_due_on < :today) AS overdue,
    count(*) FILTER (WHERE next_due_on = :today) AS due_today,
    count(*) FILTER (WHERE next_due_on > :today) AS due_soon
  FROM cases WHERE is_open = 1 AND next_due_on <= :soon
  GROUP BY 1, 2
),
most_overdue AS (
  SELECT c.reference, c.summary, c.procedure, c.next_due_on, COALESCE(sa.name, 'No service area') AS service_area,
         t.n - d.n AS working_days_late
  FROM cases c
  LEFT JOIN service_areas sa ON sa.id = c.service_area_id
  LEFT JOIN working_day_numbers d ON d.day = c.next_due_on
  LEFT JOIN working_day_numbers t ON t.day = :today
  WHERE c.is_open = 1 AND c.next_due_on < :today
  ORDER BY c.next_due_on, c.id LIMIT 10
),
received AS (
  SELECT CASE WHEN received_at < :m0 THEN 1 WHEN received_at < :m1 THEN 2 WHEN received_at < :m2 THEN 3
              WHEN received_at < :m3 THEN 4 WHEN received_at < :m4 THEN 5 WHEN received_at < :m5 THEN 6
              WHEN received_at < :m6 THEN 7 WHEN received_at < :m7 THEN 8 WHEN received_at < :m8 THEN 9
              WHEN received_at < :m9 THEN 10 WHEN received_at < :m10 THEN 11 ELSE 12 END AS month,
         kind, count(*) AS n
  FROM cases
  WHERE kind IN ('complaint', 'member_enquiry', 'mp_enquiry') AND procedure <> 'lgsco'
    AND received_at >= :start_utc AND received_at < :end_utc
  GROUP BY 1, 2
),
timeliness AS (
  SELECT CASE WHEN k.started_on < :d0 THEN 1 WHEN k.started_on < :d1 THEN 2 WHEN k.started_on < :d2 THEN 3
              WHEN k.started_on < :d3 THEN 4 WHEN k.started_on < :d4 THEN 5 WHEN k.started_on < :d5 THEN 6
              WHEN k.started_on < :d6 THEN 7 WHEN k.started_on < :d7 THEN 8 WHEN k.started_on < :d8 THEN 9
              WHEN k.started_on < :d9 THEN 10 WHEN k.started_on < :d10 THEN 11 ELSE 12 END AS month, k.name,
    count(*) FILTER (WHERE k.met_on <= k.due_on) AS on_time,
    count(*) FILTER (WHERE k.met_on > k.due_on OR (k.met_on IS NULL AND k.stopped_on > k.due_on)
                     OR (k.met_on IS NULL AND k.stopped_on IS NULL AND COALESCE(k.paused_since, :today) > k.due_on)) AS late
  FROM clocks k
  WHERE k.name IN ('stage1.respond', 'stage2.respond', 'enquiry.respond')
    AND k.started_on >= :start AND k.started_on <= :end
  GROUP BY 1, 2
)
SELECT 'due' AS section, json_object('procedure', procedure, 'stage', stage, 'overdue', overdue, 'due_today', due_today,
  'due_soon', due_soon) AS data FROM due
UNION ALL SELECT 'most_overdue', json_object('reference', reference, 'summary', summary, 'procedure', procedure,
  'next_due_on', next_due_on, 'service_area', service_area, 'working_days_late', working_days_late) FROM most_overdue
UNION ALL SELECT 'received', json_object('month', month, 'kind', kind, 'n', n) FROM received
UNION ALL SELECT 'timeliness', json_object('month', month, 'name', name, 'on_time', on_time, 'late', late) FROM timeliness
