-- raw layer: what was found in the raw folder, decoded, and what could not be used.

-- One row per distinct report text. report_id is the first 16 hex digits of the SHA-256 of
-- the decoded text: the same text under two names is one report (see rejected_files).
CREATE TABLE IF NOT EXISTS raw_documents (
    report_id        VARCHAR PRIMARY KEY,
    source_file      VARCHAR NOT NULL,   -- path under the raw folder, or the record id of a JSONL batch
    source_path      VARCHAR NOT NULL,   -- path under the raw folder (JSONL: file:line)
    file_path        VARCHAR NOT NULL,   -- the file under the raw folder (a JSONL record's batch)
    line_no          INTEGER,            -- JSONL: the record's line in its batch
    format           VARCHAR NOT NULL,   -- txt | jsonl | html | docx | pdf | doc | wps
    encoding         VARCHAR NOT NULL,   -- detected: utf-8, utf-8-sig, gb18030, ...; docx XML | PDF text layer | doc via LibreOffice
    content_sha256   VARCHAR NOT NULL,   -- of the decoded text
    file_sha256      VARCHAR NOT NULL,   -- of the file's bytes
    url              VARCHAR,
    title_hint       VARCHAR,            -- title given by a scraper record
    published_on_hint VARCHAR,           -- date given by a scraper record
    raw_n_chars      INTEGER NOT NULL,   -- length of raw_text
    raw_text         VARCHAR NOT NULL,   -- decoded text, before cleaning (raw_char_* index it)
    -- (the cleaned text is the extraction step's: report_texts.clean_text, with reports.n_chars
    -- and reports.truncated, so a change to the cleaning re-derives all of them together)
    -- The page map of a paged source (PDF; a .docx that Word laid out, from its
    -- w:lastRenderedPageBreak marks): page_starts[k] is the raw_text offset where page k
    -- begins (page_starts[1] = 0), so the page of raw offset o is the number of entries <= o.
    -- NULL for text that has no pages (txt, html, jsonl, a .docx never laid out). The `page`
    -- columns of sections, quantities and indicators are that lookup, done at extraction.
    page_starts      INTEGER[],
    build_no         INTEGER NOT NULL DEFAULT 0  -- the build that wrote the row (pipeline_state.build_no)
);

-- Every file or record that did not become a report, with the reason. Nothing is dropped
-- silently: a duplicate text is recorded here with the report it duplicates.
CREATE TABLE IF NOT EXISTS rejected_files (
    source_file      VARCHAR NOT NULL,
    source_path      VARCHAR NOT NULL,
    file_path        VARCHAR NOT NULL,   -- the file under the raw folder (a JSONL record's batch)
    line_no          INTEGER,            -- JSONL: the record's line in its batch
    reason           VARCHAR NOT NULL,   -- empty, undecodable, duplicate, malformed JSON line, ... (README "Bad input")
    detail           VARCHAR,
    duplicate_of     VARCHAR,            -- source_file of the report kept (duplicate, name collision, near duplicate)
    report_id        VARCHAR,            -- the record's own text id (duplicate, name collision, near duplicate)
    similarity       DOUBLE,             -- near duplicate: estimated Jaccard similarity with duplicate_of
    file_sha256      VARCHAR
);

-- The files of the raw folder at the last run, with size, modification time and hash: a
-- file whose size and mtime are unchanged is not read again to know it is unchanged (the
-- rule of git and rsync), so a run over a large unchanged folder costs one stat per file.
CREATE TABLE IF NOT EXISTS raw_files (
    source_path      VARCHAR PRIMARY KEY,   -- path under the raw folder
    size_bytes       BIGINT NOT NULL,
    mtime_ns         BIGINT NOT NULL,
    file_sha256      VARCHAR NOT NULL,
    build_no         INTEGER NOT NULL DEFAULT 0  -- the build that wrote the row (pipeline_state.build_no)
);
