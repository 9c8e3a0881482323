-- jieba term counts per report section, one row per term: the long form of section_terms.
-- NULL section_position: text before the first heading.
CREATE OR REPLACE VIEW terms AS
SELECT st.report_id, st.section_position, u.t.term, u.t.count
FROM section_terms st, unnest(st.terms) AS u(t);
