-- Stated growth beside growth computed from consecutive levels, where both exist.
-- difference_pp is in percentage points; |difference_pp| > 2 is listed as a disagreement.
CREATE OR REPLACE VIEW growth_checks AS
WITH levels AS (
    SELECT region, indicator, year, value FROM indicator_trends WHERE measure = 'level'
), stated AS (
    SELECT region, indicator, year, value AS stated_growth_pct, evidence
    FROM indicator_trends WHERE measure = 'growth_pct'
)
SELECT
    s.region, s.indicator, s.year,
    s.stated_growth_pct,
    round(100.0 * (cur.value - prev.value) / prev.value, 2) AS computed_growth_pct,
    round(s.stated_growth_pct - 100.0 * (cur.value - prev.value) / prev.value, 2) AS difference_pp,
    abs(s.stated_growth_pct - 100.0 * (cur.value - prev.value) / prev.value) > 2 AS disagrees,
    prev.value AS previous_level, cur.value AS level,
    s.evidence
FROM stated s
JOIN levels cur  ON cur.region = s.region AND cur.indicator = s.indicator AND cur.year = s.year
JOIN levels prev ON prev.region = s.region AND prev.indicator = s.indicator AND prev.year = s.year - 1
WHERE prev.value > 0;
