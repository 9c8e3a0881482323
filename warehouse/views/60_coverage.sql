-- What the warehouse holds: reports by doc type, admin level and year, with how many carry
-- indicator facts, and what was rejected and why.
CREATE OR REPLACE VIEW coverage AS
SELECT
    r.doc_type, r.admin_level, r.report_year,
    count(*) AS n_reports,
    count(*) FILTER (r.region IS NULL) AS n_without_region,
    count(*) FILTER (r.report_year IS NULL) AS n_without_year,
    count(DISTINCT i.report_id) AS n_with_facts,
    count(*) FILTER (r.truncated) AS n_truncated
FROM reports r
LEFT JOIN (SELECT DISTINCT report_id FROM indicators) i USING (report_id)
WHERE r.near_duplicate_of IS NULL  -- a near-duplicate copy is listed in rejected_files instead
GROUP BY ALL;

CREATE OR REPLACE VIEW rejections_by_reason AS
SELECT reason, count(*) AS n_files, list(source_file ORDER BY source_file)[1:20] AS examples
FROM rejected_files
GROUP BY reason;
