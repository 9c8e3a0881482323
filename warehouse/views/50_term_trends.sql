-- Term counts by report year, admin level and the canonical category of the top-level
-- section they occur in (NULL category: a section with no canonical category).
CREATE OR REPLACE VIEW term_trends AS
WITH top_of AS (
    -- the top-level ancestor of every section: the top-level section whose span contains it
    SELECT s.report_id, s.position, top.category AS top_category
    FROM sections s
    JOIN sections top
      ON top.report_id = s.report_id AND top.level = 1
     AND s.char_start >= top.char_start AND s.char_start < top.char_end
)
SELECT
    r.report_year, r.admin_level, t.top_category AS category, tm.term,
    sum(tm.count) AS count,
    count(DISTINCT tm.report_id) AS n_reports
FROM terms tm
JOIN reports r USING (report_id)
LEFT JOIN top_of t ON t.report_id = tm.report_id AND t.position = tm.section_position
GROUP BY ALL;
