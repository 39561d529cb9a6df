-- The annual complaints report's figures in one hand-written SQLite statement: the same
-- figures as annual_postgresql.sql, in SQLite's dialect (no ROLLUP, no percentile_cont, no time
-- zones: month and year boundaries come in as UTC parameters).
-- Parameters as annual_postgresql.sql, plus :y0..:y5 (1 April of each trend year, UTC instants)
-- and :d0..:d5 (the same as dates).
WITH
year_cases AS MATERIALIZED (
  SELECT c.id, c.kind, c.procedure, c.state, c.is_open, c.outcome, c.remedies, c.compensation,
         c.lessons_learned, c.person_id, c.details, c.reference, c.received_at,
         COALESCE(sa.name, 'No service area') AS area
  FROM cases c LEFT JOIN service_areas sa ON sa.id = c.service_area_id
  WHERE c.kind IN ('complaint', 'comment', 'compliment', 'service_request', 'member_enquiry', 'mp_enquiry')
    AND c.received_at >= :start_utc AND c.received_at < :end_utc
),
contacts_area AS (
  SELECT area,
    count(*) FILTER (WHERE kind = 'complaint' AND procedure <> 'lgsco') AS complaint,
    count(*) FILTER (WHERE kind = 'service_request' AND procedure <> 'lgsco') AS service_request,
    count(*) FILTER (WHERE kind = 'comment' AND procedure <> 'lgsco') AS comment,
    count(*) FILTER (WHERE kind = 'compliment' AND procedure <> 'lgsco') AS compliment,
    count(*) FILTER (WHERE kind = 'member_enquiry' AND procedure <> 'lgsco') AS member_enquiry,
    count(*) FILTER (WHERE kind = 'mp_enquiry' AND procedure <> 'lgsco') AS mp_enquiry,
    count(*) FILTER (WHERE procedure = 'lgsco') AS ombudsman,
    count(*) AS total
  FROM year_cases GROUP BY area
),
contacts AS (
  SELECT * FROM contacts_area
  UNION ALL
  SELECT 'Total', sum(complaint), sum(service_request), sum(comment), sum(compliment), sum(member_enquiry),
         sum(mp_enquiry), sum(ombudsman), sum(total) FROM contacts_area
),
flags AS (
  SELECT y.id, y.area, y.state, y.is_open,
    max(k.name = 'informal.resolve') AS informal,
    max(k.name LIKE 'stage1.%') AS s1,
    max(k.name = 'stage1.respond' AND k.met_on IS NOT NULL) AS r1,
    max(k.name LIKE 'stage2.%') AS s2,
    max(k.name = 'stage2.respond' AND k.met_on IS NOT NULL) AS r2,
    max(k.name LIKE 'stage3.%') AS s3
  FROM year_cases y LEFT JOIN clocks k ON k.case_id = y.id
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco'
  GROUP BY y.id, y.area, y.state, y.is_open
),
complaints_area AS (
  SELECT area, count(*) AS received,
    count(*) FILTER (WHERE state = 'resolved_informally') AS resolved_informally,
    count(*) FILTER (WHERE s1) AS stage1, count(*) FILTER (WHERE r1) AS responded1,
    count(*) FILTER (WHERE s2) AS stage2, count(*) FILTER (WHERE r2) AS responded2,
    count(*) FILTER (WHERE s3) AS stage3,
    count(*) FILTER (WHERE state = 'declined') AS declined,
    count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn,
    count(*) FILTER (WHERE state = 'referred_to_lgsco') AS referred,
    count(*) FILTER (WHERE is_open) AS open
  FROM flags GROUP BY area
),
complaints AS (
  SELECT x.*, round(100.0 * stage2 / NULLIF(responded1, 0), 1) AS rate_1_2, round(100.0 * stage3 / NULLIF(responded2, 0), 1) AS rate_2_3
  FROM (
    SELECT * FROM complaints_area
    UNION ALL
    SELECT 'Total', sum(received), sum(resolved_informally), sum(stage1), sum(responded1), sum(stage2), sum(responded2),
           sum(stage3), sum(declined), sum(withdrawn), sum(referred), sum(open) FROM complaints_area
  ) x
),
informal AS (
  SELECT count(*) AS informal,
    count(*) FILTER (WHERE inf.met_on IS NOT NULL) AS resolved,
    count(*) FILTER (WHERE inf.met_on <= inf.due_on) AS resolved_in_time,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.id IS NOT NULL) AS forwarded,
    count(*) FILTER (WHERE inf.met_on IS NULL AND json_extract(ev.data, '$.fields.reason') = 'not_resolved') AS fwd_not_resolved,
    count(*) FILTER (WHERE inf.met_on IS NULL AND json_extract(ev.data, '$.fields.reason') = 'not_appropriate') AS fwd_not_appropriate,
    count(*) FILTER (WHERE inf.met_on IS NULL AND json_extract(ev.data, '$.fields.reason') = 'resident_insists') AS fwd_resident_insists,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.id IS NULL AND NOT y.is_open) AS no_triage,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.id IS NULL AND y.is_open) AS open
  FROM year_cases y
  JOIN clocks inf ON inf.case_id = y.id AND inf.name = 'informal.resolve'
  LEFT JOIN events ev ON ev.case_id = y.id AND ev.action = 'start_stage1'
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco'
),
declines AS (
  SELECT COALESCE(json_extract(details, '$.decline_reason'), 'not_recorded') AS reason, count(*) AS declined
  FROM year_cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND state = 'declined'
  GROUP BY 1
),
year_clocks AS MATERIALIZED (
  SELECT k.name, k.due_on, k.original_due_on, k.met_on, k.stopped_on, k.paused_since, k.extensions, k.pauses,
         COALESCE(sa.name, 'No service area') AS area,
         CASE WHEN c.procedure = 'lgsco' THEN 'ombudsman' ELSE c.kind END AS who,
         CASE WHEN k.met_on IS NOT NULL THEN wm.n - ws.n END AS wd,
         wo.n - ws.n AS standard_days,
         COALESCE(json_array_length(k.extensions), 0) AS n_ext
  FROM clocks k
  JOIN cases c ON c.id = k.case_id
  LEFT JOIN service_areas sa ON sa.id = c.service_area_id
  LEFT JOIN working_day_numbers ws ON ws.day = k.started_on
  LEFT JOIN working_day_numbers wm ON wm.day = k.met_on
  LEFT JOIN working_day_numbers wo ON wo.day = k.original_due_on
  WHERE k.kind = 'deadline' AND k.started_on >= :start AND k.started_on <= :end
    AND k.name IN ('informal.resolve', 'stage1.acknowledge', 'stage1.respond', 'stage2.acknowledge', 'stage2.respond',
                   'stage3.acknowledge', 'stage3.respond', 'stage3.panel_report', 'stage3.council_response',
                   'enquiry.acknowledge', 'enquiry.respond', 'lgsco.documents', 'lgsco.enquiries', 'lgsco.remedy')
),
judged AS (
  SELECT *,
    COALESCE(met_on <= due_on, 0) AS on_time,
    COALESCE(met_on > due_on, 0) AS late_met,
    COALESCE(met_on IS NULL AND stopped_on > due_on, 0) AS late_stopped,
    (met_on IS NULL AND stopped_on IS NULL AND COALESCE(paused_since, :as_of) > due_on) AS late_open,
    (met_on IS NULL AND stopped_on IS NULL AND COALESCE(paused_since, :as_of) <= due_on) AS pending
  FROM year_clocks
),
ranked AS (
  SELECT area, name, who, wd,
    row_number() OVER (PARTITION BY name, who ORDER BY wd) AS rn, count(*) OVER (PARTITION BY name, who) AS cnt,
    row_number() OVER (PARTITION BY area, name, who ORDER BY wd) AS rn_area, count(*) OVER (PARTITION BY area, name, who) AS cnt_area
  FROM judged WHERE wd IS NOT NULL
),
p90 AS (
  SELECT name, who, lo + frac * (COALESCE(hi, lo) - lo) AS p90 FROM (
    SELECT name, who,
      max(CASE WHEN rn = CAST(1 + 0.9 * (cnt - 1) AS INTEGER) THEN wd END) AS lo,
      max(CASE WHEN rn = CAST(1 + 0.9 * (cnt - 1) AS INTEGER) + 1 THEN wd END) AS hi,
      max(1 + 0.9 * (cnt - 1) - CAST(1 + 0.9 * (cnt - 1) AS INTEGER)) AS frac
    FROM ranked GROUP BY name, who)
),
p90_area AS (
  SELECT area, name, who, lo + frac * (COALESCE(hi, lo) - lo) AS p90 FROM (
    SELECT area, name, who,
      max(CASE WHEN rn_area = CAST(1 + 0.9 * (cnt_area - 1) AS INTEGER) THEN wd END) AS lo,
      max(CASE WHEN rn_area = CAST(1 + 0.9 * (cnt_area - 1) AS INTEGER) + 1 THEN wd END) AS hi,
      max(1 + 0.9 * (cnt_area - 1) - CAST(1 + 0.9 * (cnt_area - 1) AS INTEGER)) AS frac
    FROM ranked WHERE name IN ('stage1.acknowledge', 'stage1.respond', 'stage2.respond') GROUP BY area, name, who)
),
timeliness AS (
  SELECT t.*, round(p.p90, 1) AS p90 FROM (
    SELECT name, who, min(standard_days) AS days_min, max(standard_days) AS days_max,
      sum(on_time) AS on_time, sum(late_met) AS late_met, sum(late_stopped) AS late_stopped,
      sum(late_open) AS late_open, sum(pending) AS pending,
      count(*) FILTER (WHERE on_time AND (met_on <= original_due_on OR n_ext = 0)) AS on_time_unextended,
      count(*) FILTER (WHERE n_ext > 0) AS extended,
      round(avg(wd), 1) AS wd_mean
    FROM judged GROUP BY name, who
  ) t LEFT JOIN p90 p ON p.name = t.name AND p.who = t.who
),
timeliness_area AS (
  SELECT t.*, round(p.p90, 1) AS p90 FROM (
    SELECT area, name, who, min(standard_days) AS days_min, max(standard_days) AS days_max,
      sum(on_time) AS on_time, sum(late_met) AS late_met, sum(late_stopped) AS late_stopped,
      sum(late_open) AS late_open, sum(pending) AS pending,
      count(*) FILTER (WHERE on_time AND (met_on <= original_due_on OR n_ext = 0)) AS on_time_unextended,
      count(*) FILTER (WHERE n_ext > 0) AS extended,
      round(avg(wd), 1) AS wd_mean
    FROM judged WHERE name IN ('stage1.acknowledge', 'stage1.respond', 'stage2.respond')
    GROUP BY area, name, who
  ) t LEFT JOIN p90_area p ON p.area = t.area AND p.name = t.name AND p.who = t.who
),
response_clocks AS (
  SELECT *,
    CASE WHEN n_ext > 0 THEN (SELECT count(*) FROM json_each(extensions) e WHERE json_extract(e.value, '$.kind') = 'holding_reply') ELSE 0 END AS holding,
    COALESCE(json_array_length(pauses), 0) AS n_pause
  FROM year_clocks WHERE name IN ('stage1.respond', 'stage2.respond', 'stage3.council_response', 'enquiry.respond')
),
extensions AS (
  SELECT name, who, count(*) AS clocks, count(*) FILTER (WHERE n_ext > 0) AS extended,
    sum(n_ext - holding) AS extensions, sum(holding) AS holding_replies,
    count(*) FILTER (WHERE n_pause > 0) AS paused, sum(n_pause) AS pauses,
    sum(CASE WHEN n_pause > 0 THEN (SELECT COALESCE(sum(CAST(json_extract(p.value, '$.days') AS INTEGER)), 0) FROM json_each(pauses) p) ELSE 0 END) AS paused_days,
    count(*) FILTER (WHERE n_ext > 0 AND met_on <= due_on) AS extended_on_time
  FROM response_clocks GROUP BY name, who
),
reasons AS (
  SELECT kind, reason, count(*) AS times FROM (
    SELECT COALESCE(json_extract(e.value, '$.kind'), 'extension') AS kind, trim(COALESCE(json_extract(e.value, '$.reason'), '')) AS reason
    FROM response_clocks r, json_each(r.extensions) e WHERE r.n_ext > 0
    UNION ALL
    SELECT 'pause', trim(COALESCE(json_extract(p.value, '$.reason'), ''))
    FROM response_clocks r, json_each(r.pauses) p WHERE r.n_pause > 0
  ) GROUP BY kind, reason ORDER BY times DESC, kind, reason LIMIT 10
),
outcomes_area AS (
  SELECT area, count(*) AS decided,
    count(*) FILTER (WHERE outcome = 'upheld') AS upheld,
    count(*) FILTER (WHERE outcome = 'partially_upheld') AS partially_upheld,
    count(*) FILTER (WHERE outcome = 'not_upheld') AS not_upheld,
    count(*) FILTER (WHERE COALESCE(json_array_length(remedies), 0) > 0) AS with_remedy,
    count(*) FILTER (WHERE compensation > 0) AS compensated,
    COALESCE(sum(compensation), 0) AS compensation,
    count(*) FILTER (WHERE lessons_learned <> '') AS lessons
  FROM year_cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND outcome IS NOT NULL
  GROUP BY area
),
outcomes AS (
  SELECT x.*, round(100.0 * (upheld + partially_upheld) / decided, 1) AS upheld_rate FROM (
    SELECT * FROM outcomes_area
    UNION ALL
    SELECT 'Total', sum(decided), sum(upheld), sum(partially_upheld), sum(not_upheld), sum(with_remedy), sum(compensated),
           sum(compensation), sum(lessons) FROM outcomes_area
  ) x
),
remedies AS (
  SELECT r.value AS remedy, count(*) AS times
  FROM year_cases y, json_each(y.remedies) r
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco' AND y.outcome IS NOT NULL AND COALESCE(json_array_length(y.remedies), 0) > 0
  GROUP BY r.value
),
lessons AS (
  SELECT reference, received_at, area, outcome, lessons_learned FROM year_cases
  WHERE kind = 'complaint' AND procedure <> 'lgsco' AND lessons_learned <> ''
  ORDER BY received_at DESC, id DESC LIMIT 100
),
decided AS (
  SELECT count(DISTINCT c.id) AS decided,
    count(DISTINCT c.id) FILTER (WHERE json_extract(c.details, '$.lgsco_outcome') = 'not_investigated') AS not_investigated,
    count(DISTINCT c.id) FILTER (WHERE json_extract(c.details, '$.lgsco_outcome') IN ('upheld', 'partly_upheld', 'upheld_remedied', 'upheld_no_injustice')) AS upheld,
    count(DISTINCT c.id) FILTER (WHERE json_extract(c.details, '$.lgsco_outcome') = 'not_upheld') AS not_upheld,
    count(DISTINCT c.id) FILTER (WHERE json_extract(c.details, '$.lgsco_outcome') = 'upheld_remedied') AS remedied
  FROM events e JOIN cases c ON c.id = e.case_id
  WHERE c.procedure = 'lgsco' AND e.action = 'final_decision' AND e.at >= :start_utc AND e.at < :end_utc
),
remedies_due AS (
  SELECT count(*) AS remedies_due,
    count(*) FILTER (WHERE k.met_on <= k.due_on) AS complied_on_time,
    count(*) FILTER (WHERE k.met_on > k.due_on) AS complied_late,
    count(*) FILTER (WHERE k.met_on IS NULL AND k.stopped_on IS NULL AND k.due_on < :as_of) AS overdue,
    count(*) FILTER (WHERE k.met_on IS NULL AND k.stopped_on IS NULL AND k.due_on >= :as_of) AS not_yet_due
  FROM clocks k WHERE k.name = 'lgsco.remedy' AND k.due_on >= :start AND k.due_on <= :end
),
ombudsman AS (
  SELECT
    (SELECT count(*) FROM year_cases WHERE procedure = 'lgsco') AS received,
    (SELECT count(DISTINCT e.case_id) FROM events e WHERE e.action = 'refer_to_lgsco' AND e.at >= :start_utc AND e.at < :end_utc) AS referred,
    d.decided, d.not_investigated, d.upheld, d.not_upheld, d.remedied,
    r.remedies_due, r.complied_on_time, r.complied_late, r.overdue, r.not_yet_due
  FROM decided d, remedies_due r
),
enquiry_rows AS (
  SELECT y.area, y.kind,
    ack.met_on <= ack.due_on AS ack_on_time,
    (ack.met_on > ack.due_on OR (ack.met_on IS NULL AND ack.stopped_on > ack.due_on)
     OR (ack.id IS NOT NULL AND ack.met_on IS NULL AND ack.stopped_on IS NULL AND COALESCE(ack.paused_since, :as_of) > ack.due_on)) AS ack_late,
    ans.met_on <= ans.due_on AS answered_on_time,
    (ans.met_on > ans.due_on OR (ans.met_on IS NULL AND ans.stopped_on > ans.due_on)) AS answered_late,
    (ans.id IS NOT NULL AND ans.met_on IS NULL AND ans.stopped_on IS NULL AND COALESCE(ans.paused_since, :as_of) > ans.due_on) AS overdue,
    (COALESCE(json_array_length(ans.extensions), 0) > 0
     AND EXISTS (SELECT 1 FROM json_each(ans.extensions) e WHERE json_extract(e.value, '$.kind') = 'holding_reply')) AS holding,
    EXISTS (SELECT 1 FROM events ev WHERE ev.case_id = y.id AND ev.action = 'escalate_to_senior_officer') AS escalated,
    y.state
  FROM year_cases y
  LEFT JOIN clocks ack ON ack.case_id = y.id AND ack.name = 'enquiry.acknowledge'
  LEFT JOIN clocks ans ON ans.case_id = y.id AND ans.name = 'enquiry.respond'
  WHERE y.kind IN ('member_enquiry', 'mp_enquiry')
),
enquiries AS (
  SELECT area, kind, count(*) AS received,
    count(*) FILTER (WHERE ack_on_time) AS ack_on_time, count(*) FILTER (WHERE ack_late) AS ack_late,
    count(*) FILTER (WHERE answered_on_time) AS answered_on_time, count(*) FILTER (WHERE answered_late) AS answered_late,
    count(*) FILTER (WHERE overdue) AS overdue, count(*) FILTER (WHERE holding) AS holding_replies,
    count(*) FILTER (WHERE escalated) AS escalated,
    count(*) FILTER (WHERE state = 'ruled_inappropriate') AS inappropriate,
    count(*) FILTER (WHERE state = 'converted') AS converted
  FROM enquiry_rows GROUP BY area, kind
  UNION ALL
  SELECT 'Total', kind, count(*), count(*) FILTER (WHERE ack_on_time), count(*) FILTER (WHERE ack_late),
    count(*) FILTER (WHERE answered_on_time), count(*) FILTER (WHERE answered_late), count(*) FILTER (WHERE overdue),
    count(*) FILTER (WHERE holding), count(*) FILTER (WHERE escalated),
    count(*) FILTER (WHERE state = 'ruled_inappropriate'), count(*) FILTER (WHERE state = 'converted')
  FROM enquiry_rows GROUP BY kind
),
complainants AS MATERIALIZED (
  SELECT y.person_id, y.outcome, em.person_id IS NULL AS not_returned, em.declined, em.age_band, em.sex,
         em.gender_identity, em.ethnicity, em.disability, em.religion, em.sexual_orientation
  FROM year_cases y LEFT JOIN equality_monitoring em ON em.person_id = y.person_id
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco' AND y.person_id IS NOT NULL
),
characteristics (characteristic) AS (
  VALUES ('Age'), ('Sex'), ('Gender identity'), ('Ethnicity'), ('Disability'), ('Religion or belief'), ('Sexual orientation')
),
answers AS (
  SELECT ch.characteristic, c.person_id, c.outcome,
    CASE WHEN c.not_returned THEN 'No equality form returned'
         WHEN c.declined THEN 'Prefer not to say (declined)'
         ELSE COALESCE(CASE ch.characteristic
              WHEN 'Age' THEN c.age_band WHEN 'Sex' THEN c.sex WHEN 'Gender identity' THEN c.gender_identity
              WHEN 'Ethnicity' THEN c.ethnicity WHEN 'Disability' THEN c.disability
              WHEN 'Religion or belief' THEN c.religion ELSE c.sexual_orientation END, 'Not given') END AS value
  FROM complainants c, characteristics ch
),
equality AS (
  SELECT characteristic, value, count(DISTINCT person_id) AS people, count(*) AS complaints,
         count(*) FILTER (WHERE outcome IN ('upheld', 'partially_upheld')) AS upheld
  FROM answers GROUP BY characteristic, value
),
satisfaction AS (
  SELECT count(*) AS sampled, count(s.sent_on) AS sent, count(s.returned_on) AS returned,
    count(*) FILTER (WHERE s.accessible >= 4) AS accessible_satisfied, count(s.accessible) AS accessible_answered,
    count(*) FILTER (WHERE s.easy_to_use >= 4) AS easy_to_use_satisfied, count(s.easy_to_use) AS easy_to_use_answered,
    count(*) FILTER (WHERE s.handling >= 4) AS handling_satisfied, count(s.handling) AS handling_answered,
    count(*) FILTER (WHERE s.remedy >= 4) AS remedy_satisfied, count(s.remedy) AS remedy_answered,
    count(*) FILTER (WHERE s.overall >= 4) AS overall_satisfied, count(s.overall) AS overall_answered
  FROM satisfaction_surveys s JOIN cases c ON c.id = s.case_id
  WHERE c.closed_at >= :start_utc AND c.closed_at < :end_utc
),
prev_cases AS MATERIALIZED (
  SELECT id, state, outcome, compensation FROM cases
  WHERE kind = 'complaint' AND procedure <> 'lgsco' AND received_at >= :prev_start_utc AND received_at < :prev_end_utc
),
prev_flags AS (
  SELECT p.id, max(k.name LIKE 'stage2.%') AS s2, max(k.name = 'stage1.respond' AND k.met_on IS NOT NULL) AS r1
  FROM prev_cases p LEFT JOIN clocks k ON k.case_id = p.id GROUP BY p.id
),
prev_timeliness AS (
  SELECT k.name, count(*) FILTER (WHERE k.met_on <= k.due_on) AS on_time,
         count(*) FILTER (WHERE k.met_on > k.due_on OR (k.met_on IS NULL AND k.stopped_on > k.due_on)
                          OR (k.met_on IS NULL AND k.stopped_on IS NULL AND COALESCE(k.paused_since, :as_of) > k.due_on)
                          OR k.met_on <= k.due_on) AS due
  FROM clocks k JOIN cases c ON c.id = k.case_id
  WHERE k.kind = 'deadline' AND k.name IN ('stage1.respond', 'stage2.respond') AND c.kind = 'complaint' AND c.procedure <> 'lgsco'
    AND k.started_on >= :prev_start AND k.started_on <= :prev_end
  GROUP BY k.name
),
prev AS (
  SELECT
    (SELECT count(*) FROM prev_cases) AS received,
    (SELECT round(100.0 * sum(s2) / NULLIF(sum(r1), 0), 1) FROM prev_flags) AS rate_1_2,
    (SELECT round(100.0 * count(*) FILTER (WHERE inf.met_on IS NOT NULL) / NULLIF(count(*), 0), 1)
       FROM prev_cases p JOIN clocks inf ON inf.case_id = p.id AND inf.name = 'informal.resolve') AS informal_rate,
    (SELECT json_group_object(name, round(100.0 * on_time / NULLIF(due, 0), 1)) FROM prev_timeliness) AS timeliness,
    (SELECT json_object(
        'upheld_rate', round(100.0 * count(*) FILTER (WHERE outcome IN ('upheld', 'partially_upheld')) / NULLIF(count(*), 0), 1),
        'compensation', COALESCE(sum(compensation), 0))
       FROM prev_cases WHERE outcome IS NOT NULL) AS outcomes,
    (SELECT count(DISTINCT c.id) FROM events e JOIN cases c ON c.id = e.case_id
       WHERE c.procedure = 'lgsco' AND e.action = 'final_decision' AND e.at >= :prev_start_utc AND e.at < :prev_end_utc
         AND json_extract(c.details, '$.lgsco_outcome') IN ('upheld', 'partly_upheld', 'upheld_remedied', 'upheld_no_injustice')) AS ombudsman_upheld
),
trend_received AS (
  SELECT CASE WHEN received_at < :y1 THEN 0 WHEN received_at < :y2 THEN 1 WHEN received_at < :y3 THEN 2
              WHEN received_at < :y4 THEN 3 ELSE 4 END AS year, count(*) AS received
  FROM cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND received_at >= :y0 AND received_at < :y5
  GROUP BY 1
),
trend_timeliness AS (
  SELECT CASE WHEN k.started_on < :d1 THEN 0 WHEN k.started_on < :d2 THEN 1 WHEN k.started_on < :d3 THEN 2
              WHEN k.started_on < :d4 THEN 3 ELSE 4 END AS year,
    count(*) FILTER (WHERE k.met_on <= k.due_on) AS on_time,
    count(*) FILTER (WHERE k.met_on IS NOT NULL OR k.stopped_on > k.due_on
                     OR (k.stopped_on IS NULL AND COALESCE(k.paused_since, :as_of) > k.due_on)) AS due
  FROM clocks k JOIN cases c ON c.id = k.case_id
  WHERE k.name = 'stage1.respond' AND c.kind = 'complaint' AND c.procedure <> 'lgsco'
    AND k.started_on >= :d0 AND k.started_on < :d5
  GROUP BY 1
),
trend AS (
  SELECT r.year, r.received, t.on_time, t.due FROM trend_received r LEFT JOIN trend_timeliness t ON t.year = r.year
)
SELECT 'contacts' AS section, json_object('area', area, 'complaint', complaint, 'service_request', service_request, 'comment', comment,
  'compliment', compliment, 'member_enquiry', member_enquiry, 'mp_enquiry', mp_enquiry, 'ombudsman', ombudsman, 'total', total) AS data FROM contacts
UNION ALL SELECT 'complaints', json_object('area', area, 'received', received, 'resolved_informally', resolved_informally, 'stage1', stage1,
  'responded1', responded1, 'stage2', stage2, 'responded2', responded2, 'stage3', stage3, 'rate_1_2', rate_1_2, 'rate_2_3', rate_2_3,
  'declined', declined, 'withdrawn', withdrawn, 'referred', referred, 'open', open) FROM complaints
UNION ALL SELECT 'informal', json_object('informal', informal, 'resolved', resolved, 'resolved_in_time', resolved_in_time, 'forwarded', forwarded,
  'fwd_not_resolved', fwd_not_resolved, 'fwd_not_appropriate', fwd_not_appropriate, 'fwd_resident_insists', fwd_resident_insists,
  'no_triage', no_triage, 'open', open) FROM informal
UNION ALL SELECT 'declines', json_object('reason', reason, 'declined', declined) FROM declines
UNION ALL SELECT 'timeliness', json_object('name', name, 'who', who, 'days_min', days_min, 'days_max', days_max, 'on_time', on_time,
  'late_met', late_met, 'late_stopped', late_stopped, 'late_open', late_open, 'pending', pending, 'on_time_unextended', on_time_unextended,
  'extended', extended, 'wd_mean', wd_mean, 'p90', p90) FROM timeliness
UNION ALL SELECT 'timeliness_area', json_object('area', area, 'name', name, 'who', who, 'days_min', days_min, 'days_max', days_max,
  'on_time', on_time, 'late_met', late_met, 'late_stopped', late_stopped, 'late_open', late_open, 'pending', pending,
  'on_time_unextended', on_time_unextended, 'extended', extended, 'wd_mean', wd_mean, 'p90', p90) FROM timeliness_area
UNION ALL SELECT 'extensions', json_object('name', name, 'who', who, 'clocks', clocks, 'extended', extended, 'extensions', extensions,
  'holding_replies', holding_replies, 'paused', paused, 'pauses', pauses, 'paused_days', paused_days, 'extended_on_time', extended_on_time) FROM extensions
UNION ALL SELECT 'extension_reasons', json_object('kind', kind, 'reason', reason, 'times', times) FROM reasons
UNION ALL SELECT 'outcomes', json_object('area', area, 'decided', decided, 'upheld', upheld, 'partially_upheld', partially_upheld,
  'not_upheld', not_upheld, 'upheld_rate', upheld_rate, 'with_remedy', with_remedy, 'compensated', compensated,
  'compensation', compensation, 'lessons', lessons) FROM outcomes
UNION ALL SELECT 'remedies', json_object('remedy', remedy, 'times', times) FROM remedies
UNION ALL SELECT 'lessons', json_object('reference', reference, 'received_at', received_at, 'area', area, 'outcome', outcome,
  'lessons_learned', lessons_learned) FROM lessons
UNION ALL SELECT 'ombudsman', json_object('received', received, 'referred', referred, 'decided', decided, 'not_investigated', not_investigated,
  'upheld', upheld, 'not_upheld', not_upheld, 'remedied', remedied, 'remedies_due', remedies_due, 'complied_on_time', complied_on_time,
  'complied_late', complied_late, 'overdue', overdue, 'not_yet_due', not_yet_due) FROM ombudsman
UNION ALL SELECT 'enquiries', json_object('area', area, 'kind', kind, 'received', received, 'ack_on_time', ack_on_time, 'ack_late', ack_late,
  'answered_on_time', answered_on_time, 'answered_late', answered_late, 'overdue', overdue, 'holding_replies', holding_replies,
  'escalated', escalated, 'inappropriate', inappropriate, 'converted', converted) FROM enquiries
UNION ALL SELECT 'equality', json_object('characteristic', characteristic, 'value', value, 'people', people, 'complaints', complaints,
  'upheld', upheld) FROM equality
UNION ALL SELECT 'satisfaction', json_object('sampled', sampled, 'sent', sent, 'returned', returned,
  'accessible_satisfied', accessible_satisfied, 'accessible_answered', accessible_answered,
  'easy_to_use_satisfied', easy_to_use_satisfied, 'easy_to_use_answered', easy_to_use_answered,
  'handling_satisfied', handling_satisfied, 'handling_answered', handling_answered,
  'remedy_satisfied', remedy_satisfied, 'remedy_answered', remedy_answered,
  'overall_satisfied', overall_satisfied, 'overall_answered', overall_answered) FROM satisfaction
UNION ALL SELECT 'previous_year', json_object('received', received, 'rate_1_2', rate_1_2, 'informal_rate', informal_rate,
  'timeliness', json(timeliness), 'outcomes', json(outcomes), 'ombudsman_upheld', ombudsman_upheld) FROM prev
UNION ALL SELECT 'trend', json_object('year', year, 'received', received, 'on_time', on_time, 'due', due) FROM trend
UNION ALL SELECT 'letter', json_object('year', year, 'complaints_received', complaints_received, 'decisions', decisions, 'upheld', upheld,
  'upheld_rate', upheld_rate, 'compliance_rate', compliance_rate, 'satisfactory_remedy_rate', satisfactory_remedy_rate,
  'upheld_per_100k', upheld_per_100k) FROM ombudsman_letters WHERE year = :year
UNION ALL SELECT 'population', json_object('key', key, 'value', value) FROM report_settings WHERE key = 'population'
UNION ALL SELECT 'committee_issues', json_object('id', id, 'committee', committee, 'subject', subject, 'due_meeting', due_meeting,
  'status', status) FROM committee_issues WHERE status IN ('outstanding', 'on_agenda')
