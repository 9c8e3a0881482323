-- The indicators the warehouse knows, as pipelines/dictionaries/indicator_cues.toml describes
-- them (refreshed with the analyst views, so a dictionary change reaches the warehouse with
-- the next build). Views, charts and checks read labels, units and plausible ranges here.
CREATE TABLE IF NOT EXISTS dim_indicator (
    indicator        VARCHAR PRIMARY KEY,  -- high_tech_enterprises, tech_smes, ... (indicators.indicator)
    label            VARCHAR NOT NULL,     -- Chinese name: 高新技术企业
    kind             VARCHAR NOT NULL,     -- count | money | ratio
    unit             VARCHAR NOT NULL,     -- stored unit of a level: yuan, percent, 家, 份, 人 ...
    display_unit     VARCHAR NOT NULL,     -- the unit charts show: 亿元, %, 家 ...
    display_per      DOUBLE NOT NULL,      -- stored units per display unit (1e8 yuan = 1 亿元)
    flow             BOOLEAN NOT NULL,     -- a year's amount (its level is that year's), not a stock
    max_level        DOUBLE NOT NULL       -- the largest plausible level (check indicator_values_plausible)
);
