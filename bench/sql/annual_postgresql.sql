-- The annual complaints report's figures in one hand-written PostgreSQL statement, the
-- baseline the app's report is measured against (bench/bench_reports.py). Same cohorts and
-- rules as casework/reports/figures.py; each section comes back as JSON rows.
-- Parameters: :start_utc :end_utc (the year's UTC instants), :start :end (its dates),
-- :prev_start_utc :prev_end_utc :prev_start :prev_end (the year before), :as_of,
-- :trend_start_utc :trend_end_utc :trend_start :trend_end (five years), :year.
WITH
year_cases AS MATERIALIZED (
  SELECT c.id, c.kind, c.procedure, c.state, c.is_open, c.outcome, c.remedies, c.compensation,
         c.lessons_learned, c.person_id, c.details, c.reference, c.received_at,
         COALESCE(sa.name, 'No service area') AS area
  FROM cases c LEFT JOIN service_areas sa ON sa.id = c.service_area_id
  WHERE c.received_at >= :start_utc AND c.received_at < :end_utc
),
contacts AS (
  SELECT COALESCE(area, 'Total') AS area,
    count(*) FILTER (WHERE kind = 'complaint' AND procedure <> 'lgsco') AS complaint,
    count(*) FILTER (WHERE kind = 'service_request' AND procedure <> 'lgsco') AS service_request,
    count(*) FILTER (WHERE kind = 'comment' AND procedure <> 'lgsco') AS comment,
    count(*) FILTER (WHERE kind = 'compliment' AND procedure <> 'lgsco') AS compliment,
    count(*) FILTER (WHERE kind = 'member_enquiry' AND procedure <> 'lgsco') AS member_enquiry,
    count(*) FILTER (WHERE kind = 'mp_enquiry' AND procedure <> 'lgsco') AS mp_enquiry,
    count(*) FILTER (WHERE procedure = 'lgsco') AS ombudsman,
    count(*) AS total
  FROM year_cases GROUP BY ROLLUP (area)
),
flags AS (
  SELECT y.id, y.area, y.state, y.is_open,
    bool_or(k.name = 'informal.resolve') AS informal,
    bool_or(k.name LIKE 'stage1.%') AS s1,
    bool_or(k.name = 'stage1.respond' AND k.met_on IS NOT NULL) AS r1,
    bool_or(k.name LIKE 'stage2.%') AS s2,
    bool_or(k.name = 'stage2.respond' AND k.met_on IS NOT NULL) AS r2,
    bool_or(k.name LIKE 'stage3.%') AS s3
  FROM year_cases y LEFT JOIN clocks k ON k.case_id = y.id
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco'
  GROUP BY y.id, y.area, y.state, y.is_open
),
complaints AS (
  SELECT COALESCE(area, 'Total') AS area, count(*) AS received,
    count(*) FILTER (WHERE state = 'resolved_informally') AS resolved_informally,
    count(*) FILTER (WHERE s1) AS stage1, count(*) FILTER (WHERE r1) AS responded1,
    count(*) FILTER (WHERE s2) AS stage2, count(*) FILTER (WHERE r2) AS responded2,
    count(*) FILTER (WHERE s3) AS stage3,
    round(100.0 * count(*) FILTER (WHERE s2) / NULLIF(count(*) FILTER (WHERE r1), 0), 1) AS rate_1_2,
    round(100.0 * count(*) FILTER (WHERE s3) / NULLIF(count(*) FILTER (WHERE r2), 0), 1) AS rate_2_3,
    count(*) FILTER (WHERE state = 'declined') AS declined,
    count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn,
    count(*) FILTER (WHERE state = 'referred_to_lgsco') AS referred,
    count(*) FILTER (WHERE is_open) AS open
  FROM flags GROUP BY ROLLUP (area)
),
informal AS (
  SELECT count(*) AS informal,
    count(*) FILTER (WHERE inf.met_on IS NOT NULL) AS resolved,
    count(*) FILTER (WHERE inf.met_on <= inf.due_on) AS resolved_in_time,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.id IS NOT NULL) AS forwarded,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.data #>> '{fields,reason}' = 'not_resolved') AS fwd_not_resolved,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.data #>> '{fields,reason}' = 'not_appropriate') AS fwd_not_appropriate,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.data #>> '{fields,reason}' = 'resident_insists') AS fwd_resident_insists,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.id IS NULL AND NOT y.is_open) AS no_triage,
    count(*) FILTER (WHERE inf.met_on IS NULL AND ev.id IS NULL AND y.is_open) AS open
  FROM year_cases y
  JOIN clocks inf ON inf.case_id = y.id AND inf.name = 'informal.resolve'
  LEFT JOIN events ev ON ev.case_id = y.id AND ev.action = 'start_stage1'
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco'
),
declines AS (
  SELECT COALESCE(details ->> 'decline_reason', 'not_recorded') AS reason, count(*) AS declined
  FROM year_cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND state = 'declined'
  GROUP BY 1
),
year_clocks AS MATERIALIZED (
  SELECT k.name, k.due_on, k.original_due_on, k.met_on, k.stopped_on, k.paused_since, k.extensions, k.pauses,
         COALESCE(sa.name, 'No service area') AS area,
         CASE WHEN c.procedure = 'lgsco' THEN 'ombudsman' ELSE c.kind END AS who,
         CASE WHEN k.met_on IS NOT NULL THEN wm.n - ws.n END AS wd,
         wo.n - ws.n AS standard_days,
         COALESCE(jsonb_array_length(k.extensions), 0) AS n_ext
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
    (met_on <= due_on) IS TRUE AS on_time,
    (met_on > due_on) IS TRUE AS late_met,
    (met_on IS NULL AND stopped_on > due_on) IS TRUE AS late_stopped,
    (met_on IS NULL AND stopped_on IS NULL AND COALESCE(paused_since, :as_of) > due_on) AS late_open,
    (met_on IS NULL AND stopped_on IS NULL AND COALESCE(paused_since, :as_of) <= due_on) AS pending
  FROM year_clocks
),
timeliness AS (
  SELECT name, who, min(standard_days) AS days_min, max(standard_days) AS days_max,
    count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE late_met) AS late_met,
    count(*) FILTER (WHERE late_stopped) AS late_stopped, count(*) FILTER (WHERE late_open) AS late_open,
    count(*) FILTER (WHERE pending) AS pending,
    count(*) FILTER (WHERE on_time AND (met_on <= original_due_on OR n_ext = 0)) AS on_time_unextended,
    count(*) FILTER (WHERE n_ext > 0) AS extended,
    round(avg(wd), 1) AS wd_mean,
    round((percentile_cont(0.9) WITHIN GROUP (ORDER BY wd))::numeric, 1) AS p90
  FROM judged GROUP BY name, who
),
timeliness_area AS (
  SELECT area, name, who, min(standard_days) AS days_min, max(standard_days) AS days_max,
    count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE late_met) AS late_met,
    count(*) FILTER (WHERE late_stopped) AS late_stopped, count(*) FILTER (WHERE late_open) AS late_open,
    count(*) FILTER (WHERE pending) AS pending,
    count(*) FILTER (WHERE on_time AND (met_on <= original_due_on OR n_ext = 0)) AS on_time_unextended,
    count(*) FILTER (WHERE n_ext > 0) AS extended,
    round(avg(wd), 1) AS wd_mean,
    round((percentile_cont(0.9) WITHIN GROUP (ORDER BY wd))::numeric, 1) AS p90
  FROM judged WHERE name IN ('stage1.acknowledge', 'stage1.respond', 'stage2.respond')
  GROUP BY area, name, who
),
response_clocks AS (
  SELECT *,
    CASE WHEN n_ext > 0 THEN (SELECT count(*) FROM jsonb_array_elements(extensions) e WHERE e ->> 'kind' = 'holding_reply') ELSE 0 END AS holding,
    COALESCE(jsonb_array_length(pauses), 0) AS n_pause
  FROM year_clocks WHERE name IN ('stage1.respond', 'stage2.respond', 'stage3.council_response', 'enquiry.respond')
),
extensions AS (
  SELECT name, who, count(*) AS clocks, count(*) FILTER (WHERE n_ext > 0) AS extended,
    sum(n_ext - holding) AS extensions, sum(holding) AS holding_replies,
    count(*) FILTER (WHERE n_pause > 0) AS paused, sum(n_pause) AS pauses,
    sum(CASE WHEN n_pause > 0 THEN (SELECT COALESCE(sum((p ->> 'days')::int), 0) FROM jsonb_array_elements(pauses) p) ELSE 0 END) AS paused_days,
    count(*) FILTER (WHERE n_ext > 0 AND met_on <= due_on) AS extended_on_time
  FROM response_clocks GROUP BY name, who
),
reasons AS (
  SELECT kind, reason, count(*) AS times FROM (
    SELECT COALESCE(e ->> 'kind', 'extension') AS kind, trim(COALESCE(e ->> 'reason', '')) AS reason
    FROM response_clocks r, jsonb_array_elements(r.extensions) e WHERE r.n_ext > 0
    UNION ALL
    SELECT 'pause', trim(COALESCE(p ->> 'reason', ''))
    FROM response_clocks r, jsonb_array_elements(r.pauses) p WHERE r.n_pause > 0
  ) x GROUP BY kind, reason ORDER BY times DESC, kind, reason LIMIT 10
),
outcomes AS (
  SELECT COALESCE(area, 'Total') AS area, count(*) AS decided,
    count(*) FILTER (WHERE outcome = 'upheld') AS upheld,
    count(*) FILTER (WHERE outcome = 'partially_upheld') AS partially_upheld,
    count(*) FILTER (WHERE outcome = 'not_upheld') AS not_upheld,
    round(100.0 * count(*) FILTER (WHERE outcome IN ('upheld', 'partially_upheld')) / count(*), 1) AS upheld_rate,
    count(*) FILTER (WHERE COALESCE(jsonb_array_length(remedies), 0) > 0) AS with_remedy,
    count(*) FILTER (WHERE compensation > 0) AS compensated,
    COALESCE(sum(compensation), 0) AS compensation,
    count(*) FILTER (WHERE lessons_learned <> '') AS lessons
  FROM year_cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND outcome IS NOT NULL
  GROUP BY ROLLUP (area)
),
remedies AS (
  SELECT r AS remedy, count(*) AS times
  FROM year_cases y, jsonb_array_elements_text(y.remedies) r
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco' AND y.outcome IS NOT NULL AND COALESCE(jsonb_array_length(y.remedies), 0) > 0
  GROUP BY r
),
lessons AS (
  SELECT reference, received_at, area, outcome, lessons_learned FROM year_cases
  WHERE kind = 'complaint' AND procedure <> 'lgsco' AND lessons_learned <> ''
  ORDER BY received_at DESC, id DESC LIMIT 100
),
decided AS (
  SELECT count(DISTINCT c.id) AS decided,
    count(DISTINCT c.id) FILTER (WHERE c.details ->> 'lgsco_outcome' = 'not_investigated') AS not_investigated,
    count(DISTINCT c.id) FILTER (WHERE c.details ->> 'lgsco_outcome' IN ('upheld', 'partly_upheld', 'upheld_remedied', 'upheld_no_injustice')) AS upheld,
    count(DISTINCT c.id) FILTER (WHERE c.details ->> 'lgsco_outcome' = 'not_upheld') AS not_upheld,
    count(DISTINCT c.id) FILTER (WHERE c.details ->> 'lgsco_outcome' = 'upheld_remedied') AS remedied
  FROM events e JOIN cases c ON c.id = e.case_id
  WHERE c.procedure = 'lgsco' AND e.action = 'final_decision' AND e.at >= :start_utc AND e.at < :end_utc
),
ombudsman AS (
  SELECT
    (SELECT count(*) FROM year_cases WHERE procedure = 'lgsco') AS received,
    (SELECT count(DISTINCT e.case_id) FROM events e WHERE e.action = 'refer_to_lgsco' AND e.at >= :start_utc AND e.at < :end_utc) AS referred,
    d.*,
    r.*
  FROM decided d, (
    SELECT count(*) AS remedies_due,
      count(*) FILTER (WHERE k.met_on <= k.due_on) AS complied_on_time,
      count(*) FILTER (WHERE k.met_on > k.due_on) AS complied_late,
      count(*) FILTER (WHERE k.met_on IS NULL AND k.stopped_on IS NULL AND k.due_on < :as_of) AS overdue,
      count(*) FILTER (WHERE k.met_on IS NULL AND k.stopped_on IS NULL AND k.due_on >= :as_of) AS not_yet_due
    FROM clocks k WHERE k.name = 'lgsco.remedy' AND k.due_on >= :start AND k.due_on <= :end
  ) r
),
enquiries AS (
  SELECT COALESCE(y.area, 'Total') AS area, y.kind, count(*) AS received,
    count(*) FILTER (WHERE ack.met_on <= ack.due_on) AS ack_on_time,
    count(*) FILTER (WHERE ack.met_on > ack.due_on OR (ack.met_on IS NULL AND ack.stopped_on > ack.due_on)
                     OR (ack.id IS NOT NULL AND ack.met_on IS NULL AND ack.stopped_on IS NULL AND COALESCE(ack.paused_since, :as_of) > ack.due_on)) AS ack_late,
    count(*) FILTER (WHERE ans.met_on <= ans.due_on) AS answered_on_time,
    count(*) FILTER (WHERE ans.met_on > ans.due_on OR (ans.met_on IS NULL AND ans.stopped_on > ans.due_on)) AS answered_late,
    count(*) FILTER (WHERE ans.id IS NOT NULL AND ans.met_on IS NULL AND ans.stopped_on IS NULL AND COALESCE(ans.paused_since, :as_of) > ans.due_on) AS overdue,
    count(*) FILTER (WHERE COALESCE(jsonb_array_length(ans.extensions), 0) > 0
                     AND EXISTS (SELECT 1 FROM jsonb_array_elements(ans.extensions) e WHERE e ->> 'kind' = 'holding_reply')) AS holding_replies,
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM events ev WHERE ev.case_id = y.id AND ev.action = 'escalate_to_senior_officer')) AS escalated,
    count(*) FILTER (WHERE y.state = 'ruled_inappropriate') AS inappropriate,
    count(*) FILTER (WHERE y.state = 'converted') AS converted
  FROM year_cases y
  LEFT JOIN clocks ack ON ack.case_id = y.id AND ack.name = 'enquiry.acknowledge'
  LEFT JOIN clocks ans ON ans.case_id = y.id AND ans.name = 'enquiry.respond'
  WHERE y.kind IN ('member_enquiry', 'mp_enquiry')
  GROUP BY ROLLUP (y.area), y.kind
),
complainants AS MATERIALIZED (
  SELECT y.person_id, y.outcome, em.person_id IS NULL AS not_returned, em.declined, em.age_band, em.sex,
         em.gender_identity, em.ethnicity, em.disability, em.religion, em.sexual_orientation
  FROM year_cases y LEFT JOIN equality_monitoring em ON em.person_id = y.person_id
  WHERE y.kind = 'complaint' AND y.procedure <> 'lgsco' AND y.person_id IS NOT NULL
),
equality AS (
  SELECT characteristic, value, count(DISTINCT person_id) AS people, count(*) AS complaints,
         count(*) FILTER (WHERE outcome IN ('upheld', 'partially_upheld')) AS upheld
  FROM complainants,
  LATERAL (VALUES
    ('Age', age_band), ('Sex', sex), ('Gender identity', gender_identity), ('Ethnicity', ethnicity),
    ('Disability', disability), ('Religion or belief', religion), ('Sexual orientation', sexual_orientation)
  ) AS answers (characteristic, answer),
  LATERAL (SELECT CASE WHEN not_returned THEN 'No equality form returned'
                       WHEN declined THEN 'Prefer not to say (declined)'
                       ELSE COALESCE(answer, 'Not given') END AS value) v
  GROUP BY characteristic, value
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
-- The year before, for the summary's comparison.
prev_flags AS (
  SELECT c.id, c.state,
    bool_or(k.name LIKE 'stage2.%') AS s2, bool_or(k.name = 'stage1.respond' AND k.met_on IS NOT NULL) AS r1
  FROM cases c LEFT JOIN clocks k ON k.case_id = c.id
  WHERE c.kind = 'complaint' AND c.procedure <> 'lgsco' AND c.received_at >= :prev_start_utc AND c.received_at < :prev_end_utc
  GROUP BY c.id, c.state
),
prev AS (
  SELECT
    (SELECT count(*) FROM prev_flags) AS received,
    (SELECT round(100.0 * count(*) FILTER (WHERE s2) / NULLIF(count(*) FILTER (WHERE r1), 0), 1) FROM prev_flags) AS rate_1_2,
    (SELECT round(100.0 * count(*) FILTER (WHERE inf.met_on IS NOT NULL) / NULLIF(count(*), 0), 1)
       FROM cases c JOIN clocks inf ON inf.case_id = c.id AND inf.name = 'informal.resolve'
       WHERE c.kind = 'complaint' AND c.procedure <> 'lgsco' AND c.received_at >= :prev_start_utc AND c.received_at < :prev_end_utc) AS informal_rate,
    (SELECT json_object_agg(k.name, round(100.0 * count_on_time / NULLIF(count_due, 0), 1)) FROM (
       SELECT k.name, count(*) FILTER (WHERE k.met_on <= k.due_on) AS count_on_time,
              count(*) FILTER (WHERE k.met_on > k.due_on OR (k.met_on IS NULL AND k.stopped_on > k.due_on)
                               OR (k.met_on IS NULL AND k.stopped_on IS NULL AND COALESCE(k.paused_since, :as_of) > k.due_on)
                               OR k.met_on <= k.due_on) AS count_due
       FROM clocks k JOIN cases c ON c.id = k.case_id
       WHERE k.kind = 'deadline' AND k.name IN ('stage1.respond', 'stage2.respond') AND c.kind = 'complaint' AND c.procedure <> 'lgsco'
         AND k.started_on >= :prev_start AND k.started_on <= :prev_end
       GROUP BY k.name) k) AS timeliness,
    (SELECT json_build_object(
        'upheld_rate', round(100.0 * count(*) FILTER (WHERE outcome IN ('upheld', 'partially_upheld')) / NULLIF(count(*), 0), 1),
        'compensation', COALESCE(sum(compensation), 0))
       FROM cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND outcome IS NOT NULL
         AND received_at >= :prev_start_utc AND received_at < :prev_end_utc) AS outcomes,
    (SELECT count(DISTINCT c.id) FROM events e JOIN cases c ON c.id = e.case_id
       WHERE c.procedure = 'lgsco' AND e.action = 'final_decision' AND e.at >= :prev_start_utc AND e.at < :prev_end_utc
         AND c.details ->> 'lgsco_outcome' IN ('upheld', 'partly_upheld', 'upheld_remedied', 'upheld_no_injustice')) AS ombudsman_upheld
),
-- Five years: complaints received and Stage 1 answered within the standard, per April–March year.
trend AS (
  SELECT r.year, r.received, t.on_time, t.due FROM (
    SELECT extract(year FROM timezone('Europe/London', timezone('UTC', received_at)) - interval '3 months')::int AS year, count(*) AS received
    FROM cases WHERE kind = 'complaint' AND procedure <> 'lgsco' AND received_at >= :trend_start_utc AND received_at < :trend_end_utc
    GROUP BY 1
  ) r LEFT JOIN (
    SELECT extract(year FROM k.started_on - interval '3 months')::int AS year,
      count(*) FILTER (WHERE k.met_on <= k.due_on) AS on_time,
      count(*) FILTER (WHERE k.met_on IS NOT NULL OR k.stopped_on > k.due_on
                       OR (k.stopped_on IS NULL AND COALESCE(k.paused_since, :as_of) > k.due_on)) AS due
    FROM clocks k JOIN cases c ON c.id = k.case_id
    WHERE k.name = 'stage1.respond' AND c.kind = 'complaint' AND c.procedure <> 'lgsco'
      AND k.started_on >= :trend_start AND k.started_on < :trend_end
    GROUP BY 1
  ) t ON t.year = r.year
)
SELECT 'contacts' AS section, row_to_json(x)::text AS data FROM contacts x
UNION ALL SELECT 'complaints', row_to_json(x)::text FROM complaints x
UNION ALL SELECT 'informal', row_to_json(x)::text FROM informal x
UNION ALL SELECT 'declines', row_to_json(x)::text FROM declines x
UNION ALL SELECT 'timeliness', row_to_json(x)::text FROM timeliness x
UNION ALL SELECT 'timeliness_area', row_to_json(x)::text FROM timeliness_area x
UNION ALL SELECT 'extensions', row_to_json(x)::text FROM extensions x
UNION ALL SELECT 'extension_reasons', row_to_json(x)::text FROM reasons x
UNION ALL SELECT 'outcomes', row_to_json(x)::text FROM outcomes x
UNION ALL SELECT 'remedies', row_to_json(x)::text FROM remedies x
UNION ALL SELECT 'lessons', row_to_json(x)::text FROM lessons x
UNION ALL SELECT 'ombudsman', row_to_json(x)::text FROM ombudsman x
UNION ALL SELECT 'enquiries', row_to_json(x)::text FROM enquiries x
UNION ALL SELECT 'equality', row_to_json(x)::text FROM equality x
UNION ALL SELECT 'satisfaction', row_to_json(x)::text FROM satisfaction x
UNION ALL SELECT 'previous_year', row_to_json(x)::text FROM prev x
UNION ALL SELECT 'trend', row_to_json(x)::text FROM trend x
UNION ALL SELECT 'letter', row_to_json(x)::text FROM ombudsman_letters x WHERE x.year = :year
UNION ALL SELECT 'population', row_to_json(x)::text FROM report_settings x WHERE x.key = 'population'
UNION ALL SELECT 'committee_issues', row_to_json(x)::text FROM committee_issues x WHERE x.status IN ('outstanding', 'on_agenda')
