-- core layer: what the extractors found, one table per kind of record.
-- Spans: char_start/char_end index report_texts.clean_text; raw_char_start/raw_char_end
-- index raw_documents.raw_text (the decoded file), so any figure can be traced to its bytes.

CREATE TABLE IF NOT EXISTS reports (
    report_id        VARCHAR PRIMARY KEY,
    source_file      VARCHAR NOT NULL,
    doc_type         VARCHAR NOT NULL,   -- rule_of_law_report | government_work_report | other
    issuer           VARCHAR,
    region           VARCHAR,
    province         VARCHAR,
    admin_level      VARCHAR,            -- province | prefecture | county
    adcode           VARCHAR,            -- 12-digit administrative division code
    report_year      INTEGER,            -- the year the report covers
    published_on     DATE,
    signed_on        DATE,
    title            VARCHAR,
    url              VARCHAR,
    region_source    VARCHAR,            -- where the region was read: title, issuer, body, url ...
    language         VARCHAR,            -- zh-Hans | zh-Hant
    n_chars          INTEGER,
    truncated        BOOLEAN,
    content_sha256   VARCHAR NOT NULL,
    near_duplicate_of VARCHAR,           -- source_file of the report kept when this one is a near
                                         -- duplicate of it (then it has no sections, facts or terms)
    build_no         INTEGER NOT NULL DEFAULT 0  -- the build that wrote the row (pipeline_state.build_no)
);

CREATE TABLE IF NOT EXISTS sections (
    report_id        VARCHAR NOT NULL,
    position         INTEGER NOT NULL,   -- 1-based, document order across all levels
    level            INTEGER NOT NULL,   -- 1 = top (一、), 2 = (一), 3 = 1., 4 = 一是
    parent_position  INTEGER,
    marker           VARCHAR NOT NULL,
    heading          VARCHAR NOT NULL,
    category         VARCHAR,            -- canonical: problems, next_steps, ... (dictionaries/section_categories.toml)
    body             VARCHAR,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    page             INTEGER,            -- page of the heading in a paged source (raw_documents.page_starts), else NULL
    build_no         INTEGER NOT NULL DEFAULT 0,  -- the build that wrote the row (pipeline_state.build_no)
    PRIMARY KEY (report_id, position)
);

CREATE TABLE IF NOT EXISTS quantities (
    report_id        VARCHAR NOT NULL,
    position         INTEGER NOT NULL,
    value            DOUBLE NOT NULL,    -- normalised: yuan for money, the number before % for percent
    value_high       DOUBLE,             -- upper bound of a range
    unit             VARCHAR NOT NULL,   -- yuan | percent | times | 家 | 份 | 项 | 人 | ...
    number_text      VARCHAR NOT NULL,   -- as written: 290.92亿元, 30余家
    approx           VARCHAR,            -- 余 / 多 / 近 / 超 / 约 ... when the figure is approximate
    sentence         VARCHAR NOT NULL,
    section_position INTEGER,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    raw_char_start   INTEGER NOT NULL,
    raw_char_end     INTEGER NOT NULL,
    page             INTEGER,            -- page of the figure in a paged source (raw_documents.page_starts), else NULL
    build_no         INTEGER NOT NULL DEFAULT 0,  -- the build that wrote the row (pipeline_state.build_no)
    PRIMARY KEY (report_id, position)
);

CREATE TABLE IF NOT EXISTS indicators (
    report_id        VARCHAR NOT NULL,
    fact_no          INTEGER NOT NULL,   -- 1-based within the report
    indicator        VARCHAR NOT NULL,   -- high_tech_enterprises, tech_smes, ... (eval/gold/README.md)
    measure          VARCHAR NOT NULL,   -- level | new | growth_pct
    value            DOUBLE NOT NULL,
    unit             VARCHAR NOT NULL,
    year             INTEGER,            -- the year the figure refers to
    approx           VARCHAR,
    cue              VARCHAR NOT NULL,   -- the wording that named the indicator
    rule             VARCHAR NOT NULL,   -- the extraction rule that took it
    evidence         VARCHAR NOT NULL,   -- the sentence it came from
    section_position INTEGER,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    raw_char_start   INTEGER NOT NULL,
    raw_char_end     INTEGER NOT NULL,
    page             INTEGER,            -- page of the figure in a paged source (raw_documents.page_starts), else NULL
    build_no         INTEGER NOT NULL DEFAULT 0,  -- the build that wrote the row (pipeline_state.build_no)
    PRIMARY KEY (report_id, fact_no)
);

-- Every figure the fact extractor weighed as a fact of an indicator, accepted or not: why a
-- number is (not) a fact, in one query. An accepted candidate is the row of `indicators` with
-- the same report and span; a rejected one says why in `reason`. `score` is 1 when every word
-- between name and figure is known; unknown words lower it (pipelines/dictionaries/
-- indicator_cues.toml, [score]); 0 when a rule rejected it.
CREATE TABLE IF NOT EXISTS indicator_candidates (
    report_id        VARCHAR NOT NULL,
    candidate_no     INTEGER NOT NULL,   -- 1-based within the report, in text order
    indicator        VARCHAR NOT NULL,   -- the indicator named ("a|b" where the unit was to decide)
    measure          VARCHAR,            -- level | new | growth_pct, once decided
    value            DOUBLE NOT NULL,
    unit             VARCHAR NOT NULL,
    year             INTEGER,
    rule             VARCHAR NOT NULL,   -- direct | figure_first | continuation | respectively
    score            DOUBLE NOT NULL,
    features         STRUCT(feature VARCHAR, value DOUBLE)[] NOT NULL,  -- what lowered the score
    accepted         BOOLEAN NOT NULL,
    reason           VARCHAR,            -- why it is no fact; NULL when accepted
    cue              VARCHAR NOT NULL,
    evidence         VARCHAR NOT NULL,
    section_position INTEGER,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    page             INTEGER,            -- page of the figure in a paged source (raw_documents.page_starts), else NULL
    build_no         INTEGER NOT NULL DEFAULT 0,  -- the build that wrote the row (pipeline_state.build_no)
    PRIMARY KEY (report_id, candidate_no)
);

-- jieba term counts, one row per report section with all its terms in a list (most frequent
-- first). Analysts query the view `terms` (one row per term, warehouse/views/00_terms.sql).
-- A list per section rather than a row per term: the long form was 98 % of all rows (~1,000 a
-- report), and DuckDB's checkpoint cost follows a table's row-group count, so adding one
-- report to a 100,000-report warehouse cost 1 s in this table alone (0.04 s as lists).
CREATE TABLE IF NOT EXISTS section_terms (
    report_id        VARCHAR NOT NULL,
    section_position INTEGER,            -- NULL: text before the first heading
    terms            STRUCT(term VARCHAR, count INTEGER)[] NOT NULL,
    build_no         INTEGER NOT NULL DEFAULT 0  -- the build that wrote the row (pipeline_state.build_no)
);

-- Bookkeeping of the pipeline itself (extractor version, content id of the build, ...).
CREATE TABLE IF NOT EXISTS pipeline_state (
    key              VARCHAR PRIMARY KEY,
    value            VARCHAR
);

-- The reports the latest build added, changed or removed (its delta): the pipeline copies
-- them into its second build file instead of copying the whole warehouse (see store.py).
CREATE TABLE IF NOT EXISTS pipeline_changes (
    report_id        VARCHAR NOT NULL
);

-- The reports in which a per-report asset check found a problem (pipeline/defs/checks.py): a
-- run checks the rows it wrote and these reports again, not the whole warehouse.
CREATE TABLE IF NOT EXISTS pipeline_check_problems (
    check_name       VARCHAR NOT NULL,
    report_id        VARCHAR NOT NULL
);

-- The cleaned text of every report: what the extraction read, so what char_start/char_end
-- index. Written by the extraction step with the report's other rows (cleaning has one owner:
-- a change to the cleaning re-extracts every report, and this text with it).
CREATE TABLE IF NOT EXISTS report_texts (
    report_id        VARCHAR PRIMARY KEY,
    clean_text       VARCHAR NOT NULL,
    text_sketch      UBIGINT[] NOT NULL, -- the smallest hashes of the text's 5-grams: which reports
                                         -- of a group are compared as near duplicates (neardup.py)
    build_no         INTEGER NOT NULL DEFAULT 0  -- the build that wrote the row (pipeline_state.build_no)
);
