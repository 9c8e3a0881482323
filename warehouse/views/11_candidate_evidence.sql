-- Why a number is, or is not, an indicator fact: every candidate the extractor weighed, with
-- its report, score, the features that lowered it and the reason it was rejected, e.g.
--   SELECT value, indicator, reason, evidence FROM candidate_evidence
--   WHERE region = '常德市' AND NOT accepted ORDER BY report_year;
--   SELECT reason, count(*) FROM candidate_evidence WHERE NOT accepted GROUP BY 1 ORDER BY 2 DESC;
CREATE OR REPLACE VIEW candidate_evidence AS
SELECT
    r.region, r.province, r.admin_level, r.issuer, r.doc_type, r.report_year,
    c.indicator, c.measure, c.value, c.unit, c.year,
    c.accepted, c.score, c.reason, c.features, c.rule, c.cue, c.evidence,
    r.source_file, c.report_id, c.candidate_no, c.char_start, c.char_end, c.page,
    substr(t.clean_text, c.char_start + 1, c.char_end - c.char_start) AS figure_text
FROM indicator_candidates c
JOIN reports r USING (report_id)
JOIN report_texts t USING (report_id);
