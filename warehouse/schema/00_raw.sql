-- raw layer: what was found in the raw folder, decoded, and what could not be used.

-- One row per distinct report text. report_id is the first 16 hex digits of the SHA-256 of
-- the decoded text: the same text under two names is one report (see rejected_files).
CREATE TABLE IF NOT EXISTS raw_documents (
    report_id        VARCHAR PRIMARY KEY,
    source_file      VARCHAR NOT NULL,   -- path under the raw folder, or the record id of a JSONL batch
    source_path      VARCHAR NOT NULL,   -- path under the raw folder (JSONL: file:line)
    format           VARCHAR NOT NULL,   -- txt | jsonl | html
    encoding         VARCHAR NOT NULL,   -- detected: utf-8, utf-8-sig, gb18030, ...
    content_sha256   VARCHAR NOT NULL,   -- of the decoded text
    file_sha256      VARCHAR NOT NULL,   -- of the file's bytes
    url              VARCHAR,
    title_hint       VARCHAR,            -- title given by a scraper record
    published_on_hint VARCHAR,           -- date given by a scraper record
    n_chars          INTEGER NOT NULL,   -- length of clean_text
    raw_n_chars      INTEGER NOT NULL,   -- length of raw_text
    truncated        BOOLEAN NOT NULL,   -- text stops mid-sentence: kept, but flagged
    raw_text         VARCHAR NOT NULL,   -- decoded text, before cleaning (raw_char_* index it)
    clean_text       VARCHAR NOT NULL,   -- cleaned text (char_start/char_end index it)
    build_no         INTEGER NOT NULL DEFAULT 0  -- the build that wrote the row (pipeline_state.build_no)
);

-- Every file or record that did not become a report, with the reason. Nothing is dropped
-- silently: a duplicate text is recorded here with the report it duplicates.
CREATE TABLE IF NOT EXISTS rejected_files (
    source_file      VARCHAR NOT NULL,
    source_path      VARCHAR NOT NULL,
    reason           VARCHAR NOT NULL,   -- empty, undecodable, duplicate, malformed JSON line, ...
    detail           VARCHAR,
    duplicate_of     VARCHAR,            -- source_file of the report kept, for reason = 'duplicate'
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
