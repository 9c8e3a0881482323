-- One row per region and year, the level of each indicator as a column (NULL = not reported).
-- Money in yuan (column name ending _yuan), intensity in percent of GDP (_pct).
-- The columns are dim_indicator's, in the dictionary's order: the line with {indicator} is
-- written once per indicator, {column} its column name (pipelines/store.py, view_sql).
CREATE OR REPLACE VIEW region_year_facts AS
SELECT
    region, province, admin_level, year,
    max(value) FILTER (indicator = '{indicator}' AND measure = 'level') AS {column},
FROM indicator_trends
GROUP BY ALL;
