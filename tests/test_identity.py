"""A report's identity is its path in the raw folder (issue 13, item 7).

Real folders hold ``2021.txt`` or ``index.html`` in many sub-folders: a folder per region, a
file per year. Every one of them is its own report, named by its path, and a gold name (the
bare file name, or a path tail) still finds it the way the scorer does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import SEEDS

from pipelines import stages, store
from pipelines.config import Paths
from pipelines.evaluate import _resolver


def ingest_only(raw: Path, wh: Path) -> stages.IngestSummary:
    """The raw step of a build (no Dagster, no extraction): fast enough to run many times."""
    paths = Paths(raw, wh)
    store.prepare_work_db(paths)
    with store.connect(paths.work_db) as con:
        return stages.ingest(con, raw)


def rows(wh: Path, sql: str) -> list[tuple]:
    db = Paths(wh.parent, wh).work_db
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def series_folder(raw: Path) -> list[str]:
    """The seeds laid out as a series: a folder per report, each file named ``2023.txt``."""
    names = []
    for i, seed in enumerate(SEEDS):
        d = raw / f"region_{i}"
        d.mkdir(parents=True)
        shutil.copy(seed, d / "2023.txt")
        names.append(f"region_{i}/2023.txt")
    return names


def test_same_file_name_in_many_folders_is_many_reports(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh" / "reports.duckdb"
    names = series_folder(raw)
    s = ingest_only(raw, wh)
    assert s.documents == len(SEEDS) and s.rejected == 0
    assert [r[0] for r in rows(wh, "SELECT source_file FROM raw_documents")] == sorted(names)
    # a name taken from the folder's own sub-folder is a path tail: the scorer's rule finds it
    resolve = _resolver({n: None for n in names})
    assert resolve("region_3/2023.txt") == "region_3/2023.txt"
    assert resolve("2023.txt") == "2023.txt"  # ambiguous: no report is guessed


def test_a_report_keeps_its_name_when_the_folder_is_built_from_a_parent(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh" / "reports.duckdb"
    shutil.copy(SEEDS[0], (raw / "seeds").mkdir(parents=True) or raw / "seeds" / SEEDS[0].name)
    ingest_only(raw, wh)
    assert rows(wh, "SELECT source_file FROM raw_documents") == [(f"seeds/{SEEDS[0].name}",)]
    assert _resolver({f"seeds/{SEEDS[0].name}": None})(SEEDS[0].name) == f"seeds/{SEEDS[0].name}"
