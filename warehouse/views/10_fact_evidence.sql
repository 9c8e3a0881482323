-- Every indicator fact with its report and the sentence it came from: audit any number in
-- one query, e.g.  SELECT * FROM fact_evidence WHERE region = '常德市' AND indicator = 'tech_smes';
CREATE OR REPLACE VIEW fact_evidence AS
SELECT
    r.region, r.province, r.admin_level, r.issuer, r.doc_type, r.report_year,
    i.indicator, i.measure, i.value, i.unit, i.year, i.approx,
    i.cue, i.rule, i.evidence,
    r.source_file, i.report_id, i.fact_no,
    i.char_start, i.char_end, i.raw_char_start, i.raw_char_end,
    substr(t.clean_text, i.char_start + 1, i.char_end - i.char_start) AS figure_text
FROM indicators i
JOIN reports r USING (report_id)
JOIN report_texts t USING (report_id);
