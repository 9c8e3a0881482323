"""The two build files behind the published warehouse: each run applies the last run's delta
to the stale file instead of copying the warehouse, and the result is always what a fresh
build of the same folder gives. Real reports, real Dagster runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, SEEDS
from test_pipeline import run

from pipelines import store
from pipelines.config import Paths

pytestmark = pytest.mark.slow

# everything but the bookkeeping, which says how a build was made rather than what it holds
TABLES = ("raw_files", "raw_documents", "rejected_files", "reports", "sections", "quantities", "indicators",
          "section_terms", "terms")
FULL = sorted((RAW / "corpus" / "full").glob("*.txt"))
# a report that names neither its region nor its year
NO_REGION = ("法治政府建设工作情况报告\n一、主要工作\n(一)加强组织领导。局党组坚持把法治建设摆在全局工作的重要位置,"
             "定期研究部署依法行政工作,主要负责人切实履行推进法治建设第一责任人职责。\n(二)规范行政执法。全面落实行政执法"
             "公示、执法全过程记录、重大执法决定法制审核制度,提升执法规范化水平。\n二、存在的问题\n执法人员业务能力有待提升,"
             "普法宣传形式较为单一。\n三、下一步工作\n继续加强执法队伍建设,创新普法宣传方式。\n")


def snapshot(wh: Path) -> dict[str, list[tuple]]:
    """Every row of every table, without ``build_no`` (which build wrote a row differs by design)."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        out = {}
        for t in TABLES:
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if r[0] != "build_no"]
            out[t] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def published_inode(paths: Paths) -> int:
    return paths.warehouse.stat().st_ino


def test_incremental_runs_equal_a_fresh_build(raw, tmp_path):
    paths = Paths(raw, tmp_path / "wh" / "reports.duckdb")

    run(raw, paths.warehouse)
    first = paths.published_build
    assert first is not None  # the published file is one of the two build files, not a copy

    shutil.copy(FULL[0], raw / FULL[0].name)  # add
    (raw / "no_region.txt").write_text(NO_REGION, encoding="utf-8")  # add one a check warns about
    run(raw, paths.warehouse)  # the second file starts as a copy of the first
    assert paths.published_build not in (None, first)

    shutil.copy(FULL[1], raw / FULL[1].name)  # add
    (raw / SEEDS[0].name).unlink()  # remove
    os.rename(raw / SEEDS[1].name, raw / "renamed.txt")  # same text, new name
    changed = raw / SEEDS[2].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("科技", "科學技術", 1), encoding="utf-8")
    with store.connect(paths.published_build, read_only=True) as con:
        last_delta = con.execute("SELECT count(DISTINCT report_id) FROM pipeline_changes").fetchone()[0]
    assert last_delta == 2  # the second run added two reports
    assert store.prepare_work_db(paths) == "delta of 2 reports"  # what the next run will do
    run(raw, paths.warehouse)
    assert paths.published_build == first

    inode = published_inode(paths)
    run(raw, paths.warehouse)  # nothing changed: readers stay on the same file
    assert published_inode(paths) == inode

    fresh = tmp_path / "fresh" / "reports.duckdb"
    run(raw, fresh)
    got, want = snapshot(paths.warehouse), snapshot(fresh)
    assert {t: len(v) for t, v in got.items()} == {t: len(v) for t, v in want.items()}
    assert got == want
    # the checks of later runs read only their own rows, yet still know the problem found two
    # runs before in a report they did not touch: the same problems as a fresh build's
    problems = "SELECT check_name, report_id FROM pipeline_check_problems ORDER BY ALL"
    with store.connect(paths.warehouse, read_only=True) as a, store.connect(fresh, read_only=True) as b:
        carried, whole = a.execute(problems).fetchall(), b.execute(problems).fetchall()
        no_region = a.execute("SELECT report_id FROM reports WHERE source_file = 'no_region.txt'").fetchone()[0]
        names = {r[0] for r in a.execute("SELECT source_file FROM reports").fetchall()}
    assert carried == whole and ("reports_have_region_and_year", no_region) in carried
    assert "renamed.txt" in names and SEEDS[0].name not in names and FULL[1].name in names


def test_rows_of_an_attempt_killed_before_its_checks_are_checked_by_the_next(raw, tmp_path):
    from pipelines import stages
    from pipelines.workers import Workers

    paths = Paths(raw, tmp_path / "wh" / "reports.duckdb")
    run(raw, paths.warehouse)
    (raw / "no_region.txt").write_text(NO_REGION, encoding="utf-8")
    # an attempt that extracts the new report and dies before its checks (and its publish)
    store.prepare_work_db(paths)
    with store.connect(paths.work_db) as con:
        stages.ingest(con, raw)
        stages.extract(con, workers=Workers(1))
    assert store.prepare_work_db(paths) == "resumed"  # what the next attempt does with the file
    run(raw, paths.warehouse)
    with store.connect(paths.warehouse, read_only=True) as con:
        rid, written_by, build_no = con.execute(
            "SELECT report_id, build_no, (SELECT value::INT FROM pipeline_state WHERE key = 'build_no') "
            "FROM reports WHERE source_file = 'no_region.txt'").fetchone()
        problems = con.execute("SELECT check_name FROM pipeline_check_problems WHERE report_id = ?", [rid]).fetchall()
    assert written_by < build_no  # its rows are the killed attempt's, not the run's that checked
    assert ("reports_have_region_and_year",) in problems


def test_a_large_delta_copies_the_file_instead(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS[0], raw / SEEDS[0].name)
    paths = Paths(raw, tmp_path / "wh" / "reports.duckdb")
    run(raw, paths.warehouse)
    run(raw, paths.warehouse)
    for i in range(store.MIN_DELTA + 1):  # more reports than a delta is worth: the file is copied
        seed = SEEDS[i % len(SEEDS)]
        (raw / f"variant_{i:03d}.txt").write_text(f"第{i}号转载\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")
    run(raw, paths.warehouse)
    assert store.prepare_work_db(paths) == "copied"


def test_unchanged_files_are_not_read_again(raw, tmp_path, monkeypatch):
    paths = Paths(raw, tmp_path / "wh" / "reports.duckdb")
    run(raw, paths.warehouse)
    read: list[str] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        if raw in self.parents:
            read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    touched = raw / SEEDS[3].name
    touched.write_bytes(touched.read_bytes())  # same bytes, new mtime: read and hashed again
    run(raw, paths.warehouse)
    assert set(read) == {touched.name}


def test_a_report_whose_rows_change_but_not_its_text_survives_the_delta(tmp_path):
    # a mirror copy stops being a near duplicate when its kept report goes: its core rows are
    # rewritten, its raw_documents row (written when the file was first read) is not. The
    # next run brings the stale build file level with that delta, and must keep the row.
    from test_near_duplicates import TEXTS, mirror

    raw = tmp_path / "raw"
    (raw / "mirror").mkdir(parents=True)
    shutil.copy(SEEDS[0], raw / "a.txt")
    shutil.copy(SEEDS[1], raw / "other.txt")
    (raw / "mirror" / "a.txt").write_text(mirror(TEXTS[0]), encoding="utf-8")
    wh = tmp_path / "wh" / "reports.duckdb"
    run(raw, wh)
    run(raw, wh)  # the second build file
    (raw / "a.txt").unlink()  # the mirror is the report now
    run(raw, wh)
    run(raw, wh)  # the other file, brought level with that run's delta
    (raw / "new.txt").write_text(NO_REGION, encoding="utf-8")
    run(raw, wh)  # and a run that changes something, so that file is published
    fresh = tmp_path / "fresh" / "reports.duckdb"
    run(raw, fresh)
    got, want = snapshot(wh), snapshot(fresh)
    assert {t: len(v) for t, v in got.items()} == {t: len(v) for t, v in want.items()}
    assert got == want


def test_a_step_that_wrote_much_leaves_no_wal_for_the_next_open(tmp_path):
    """A build file is closed with its WAL only while the WAL is small (a run's bookkeeping);
    a step that wrote more than REPLAY_LIMIT folds it in, or every later open replays it."""
    db = tmp_path / "b.duckdb"
    wal = Path(f"{db}.wal")
    text = SEEDS[0].read_text(encoding="utf-8")
    with store.connect(db) as con:
        con.execute("CREATE TABLE t (s VARCHAR)")
        con.execute("INSERT INTO t VALUES (?)", [text])
    assert 0 < wal.stat().st_size < store.REPLAY_LIMIT  # small: left for the next open
    with store.connect(db) as con:
        n = store.REPLAY_LIMIT // len(text.encode()) + 50
        con.execute(f"INSERT INTO t SELECT s || i FROM t, range({n}) r(i)")
    assert not wal.exists() or wal.stat().st_size == 0
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == n + 1
