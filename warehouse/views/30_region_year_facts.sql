-- One row per region and year, the level of each indicator as a column (NULL = not reported).
-- Money in yuan, intensity in percent of GDP.
CREATE OR REPLACE VIEW region_year_facts AS
SELECT
    region, province, admin_level, year,
    max(value) FILTER (indicator = 'high_tech_enterprises' AND measure = 'level') AS high_tech_enterprises,
    max(value) FILTER (indicator = 'tech_smes' AND measure = 'level')             AS tech_smes,
    max(value) FILTER (indicator = 'tech_enterprises' AND measure = 'level')      AS tech_enterprises,
    max(value) FILTER (indicator = 'tech_contract_count' AND measure = 'level')   AS tech_contract_count,
    max(value) FILTER (indicator = 'tech_contract_value' AND measure = 'level')   AS tech_contract_value_yuan,
    max(value) FILTER (indicator = 'rd_expenditure' AND measure = 'level')        AS rd_expenditure_yuan,
    max(value) FILTER (indicator = 'rd_intensity' AND measure = 'level')          AS rd_intensity_pct,
    max(value) FILTER (indicator = 'incubators' AND measure = 'level')            AS incubators,
    max(value) FILTER (indicator = 'foreign_work_permits' AND measure = 'level')  AS foreign_work_permits,
    max(value) FILTER (indicator = 'tech_commissioners' AND measure = 'level')    AS tech_commissioners
FROM indicator_trends
GROUP BY ALL;
