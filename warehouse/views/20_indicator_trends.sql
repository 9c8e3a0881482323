-- region × year × indicator × measure: one value per cell.
-- When several reports (or sentences) give a figure for the same cell, the one from the most
-- recent report wins (later reports restate earlier years with revised figures); n_sources
-- says how many there were and values_disagree flags cells whose sources differ.
-- The State Council's work report is the nation's: its figures are the region 全国.
CREATE OR REPLACE VIEW indicator_trends AS
WITH located AS (
    SELECT r.*, coalesce(r.region, CASE WHEN r.issuer = '国务院' THEN '全国' END) AS area
    FROM reports r
),
ranked AS (
    SELECT
        coalesce(r.area, '(unknown region)') AS region, r.province,
        coalesce(r.admin_level, CASE WHEN r.area = '全国' THEN 'national' END) AS admin_level,
        i.year, i.indicator, i.measure, i.value, i.unit, i.evidence, r.source_file,
        row_number() OVER (
            PARTITION BY coalesce(r.area, r.report_id), i.year, i.indicator, i.measure
            ORDER BY r.report_year DESC NULLS LAST, r.published_on DESC NULLS LAST, r.source_file, i.fact_no
        ) AS rank_in_cell,
        count(*) OVER (PARTITION BY coalesce(r.area, r.report_id), i.year, i.indicator, i.measure) AS n_sources,
        min(i.value) OVER (PARTITION BY coalesce(r.area, r.report_id), i.year, i.indicator, i.measure)
          <> max(i.value) OVER (PARTITION BY coalesce(r.area, r.report_id), i.year, i.indicator, i.measure)
          AS values_disagree
    FROM indicators i
    JOIN located r USING (report_id)
    WHERE i.year IS NOT NULL
)
SELECT region, province, admin_level, year, indicator, measure, value, unit,
       n_sources, values_disagree, evidence, source_file
FROM ranked
WHERE rank_in_cell = 1;
