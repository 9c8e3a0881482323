"""Cleaning has one owner (issue 15): the extraction step cleans, and stores the cleaned text
with the rows it extracted from it, so a change to clean.py can never leave spans pointing
at an older cleaning. Reproduced on the seeds: one extra removal pattern, then a rebuild."""

from __future__ import annotations

import re

import duckdb
import pytest
from conftest import RAW

from pipelines import stages, store
from pipelines.config import Paths
from pipelines.defs import checks
from pipelines.defs.checks import CHECKS, evaluate
from pipelines.extract import clean
from pipelines.workers import Workers

SPAN_CHECK = next(c for c in CHECKS if c.name == "fact_spans_read_their_figure")


def _build(paths: Paths) -> None:
    store.prepare_work_db(paths)
    with store.connect(paths.work_db) as con:
        stages.ingest(con, paths.raw_dir)
        stages.extract(con, workers=Workers(1))  # in this process: the patched cleaning applies


def _figures(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT report_id, fact_no, number_text, span_text FROM (" + """
        SELECT i.report_id, i.fact_no, q.number_text,
               substr(t.clean_text, i.char_start + 1, i.char_end - i.char_start) AS span_text
        FROM indicators i JOIN report_texts t USING (report_id)
        JOIN quantities q ON q.report_id = i.report_id AND q.char_start = i.char_start) ORDER BY ALL""").fetchall()


def test_a_cleaning_change_rederives_the_text_the_spans_index(tmp_path, monkeypatch):
    paths = Paths(RAW / "seeds", tmp_path / "wh" / "reports.duckdb")
    _build(paths)
    with store.connect(paths.work_db) as con:
        before = _figures(con)
        assert len(before) == 22 and all(n == s for _, _, n, s in before)
        assert evaluate(con, SPAN_CHECK).passed

    # one extra removal pattern (a word that occurs before most figures), and the extractor
    # version that a change to clean.py gives
    monkeypatch.setattr(clean, "_REMOVE", [*clean._REMOVE, (re.compile("科技"), ("科技",))])
    monkeypatch.setattr(stages, "extractor_version", lambda: "cleaning-changed")
    _build(paths)
    with store.connect(paths.work_db) as con:
        after = _figures(con)
        # (fewer facts: some cues lose their 科技) but every span reads its figure, in the new text
        assert len(after) >= 10 and all(n == s for _, _, n, s in after)
        assert evaluate(con, SPAN_CHECK).passed
        raw_texts = dict(con.execute("SELECT report_id, raw_text FROM raw_documents").fetchall())
        for rid, text, n_chars, truncated in con.execute(
                "SELECT report_id, clean_text, n_chars, truncated FROM report_texts JOIN reports USING (report_id)"
                ).fetchall():
            want = clean.clean_text(raw_texts[rid]).text
            assert text == want and "科技" not in text and n_chars == len(want)
            assert truncated == clean.looks_truncated(want)


def test_the_span_check_catches_a_text_that_does_not_match_its_spans(tmp_path, monkeypatch):
    paths = Paths(RAW / "seeds", tmp_path / "wh" / "reports.duckdb")
    _build(paths)
    with store.connect(paths.work_db) as con:
        # what the old layout allowed: the stored text cleaned differently from what was extracted
        con.execute("UPDATE report_texts SET clean_text = replace(clean_text, '科技', '')")
        result = evaluate(con, SPAN_CHECK)
        assert not result.passed and result.metadata["problems"].value >= 10
        # run in slices of the texts (as at 100,000 reports, where one query ran out of
        # memory), incrementally as a build runs it: the same problems
        whole = sorted(con.execute("SELECT * FROM _problems").fetchall())
        monkeypatch.setattr(checks, "SLICE_ROWS", 2)
        build_no = int(store.get_state(con, "build_no"))
        assert len(checks._slices(con, SPAN_CHECK)) >= 3
        sliced = evaluate(con, SPAN_CHECK, build_no)
        assert sliced.metadata["problems"].value == result.metadata["problems"].value
        assert sorted(con.execute("SELECT * FROM _problems").fetchall()) == whole


@pytest.mark.parametrize("what", ["dictionary", "package data"])
def test_extractor_version_covers_what_changes_extraction(what, monkeypatch, tmp_path):
    before = stages.extractor_version()
    if what == "dictionary":
        src = stages.DICTIONARIES
        copy = tmp_path / "dicts"
        import shutil

        shutil.copytree(src, copy)
        (copy / "jieba_userdict.txt").write_text((copy / "jieba_userdict.txt").read_text(encoding="utf-8")
                                                 + "新词语 5 n\n", encoding="utf-8")
        monkeypatch.setattr(stages, "DICTIONARIES", copy)
    else:
        fake = tmp_path / "dict.txt"
        fake.write_text("不同 1 n\n", encoding="utf-8")
        monkeypatch.setattr(stages, "_package_data", lambda: [fake])
    assert stages.extractor_version() != before
