"""Readers and killed runs: the published warehouse is never half-written and never locked by a load.

Real processes throughout: a reader process holding a read-only DuckDB connection while a
build runs, and a build killed with SIGKILL in the middle of extraction.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, SEEDS, build_warehouse

pytestmark = pytest.mark.slow


def _env(raw: Path, wh: Path, home: Path) -> dict[str, str]:
    return {**os.environ, "GOVREPORTS_RAW_DIR": str(raw), "GOVREPORTS_WAREHOUSE": str(wh), "DAGSTER_HOME": str(home)}


def _count(wh: Path) -> int:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        con.close()


def _variants(raw: Path, n: int) -> None:
    """``n`` distinct reports made from the seeds (a different opening line each)."""
    for i in range(n):
        seed = SEEDS[i % len(SEEDS)]
        text = seed.read_text(encoding="utf-8")
        (raw / f"variant_{i:04d}.txt").write_text(f"第{i}号转载\n{text}", encoding="utf-8")


@pytest.fixture()
def setup(tmp_path, dagster_home):
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in SEEDS:
        shutil.copy(p, raw / p.name)
    wh = tmp_path / "out" / "reports.duckdb"
    build_warehouse(raw, wh, dagster_home)
    assert _count(wh) == len(SEEDS)
    return raw, wh, dagster_home


READER = textwrap.dedent("""
    import pathlib, sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)   # held for the whole load
    print("ready", flush=True)
    n = 0
    stop = pathlib.Path(sys.argv[2])
    while not stop.exists():        # until the test says the load is over
        n = con.execute("SELECT count(*) FROM reports").fetchone()[0]
        con.execute("SELECT count(*) FROM indicator_trends").fetchone()
        time.sleep(0.05)
    con.close()
    print("reader saw", n, flush=True)
""")


def _start_reader(wh: Path) -> subprocess.Popen:
    """A process holding ``wh`` open read-only until ``_stop_reader``."""
    reader = subprocess.Popen([sys.executable, "-c", READER, str(wh), str(wh.parent / "stop-reader")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready"
    return reader


def _stop_reader(reader: subprocess.Popen, wh: Path) -> str:
    """Tell the reader the loads are over; its last line (the count it saw), after a clean exit."""
    (wh.parent / "stop-reader").touch()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    return out.strip()


def test_reader_holding_the_warehouse_does_not_block_a_load(setup):
    raw, wh, home = setup
    reader = _start_reader(wh)
    try:
        _variants(raw, 3)
        build_warehouse(raw, wh, home)  # must not fail on the reader's lock
        assert _count(wh) == len(SEEDS) + 3  # a new connection sees the new warehouse
        assert reader.poll() is None  # the reader is still there, holding the old file
        # the reader kept its consistent (old) snapshot throughout, and never errored
        assert _stop_reader(reader, wh) == f"reader saw {len(SEEDS)}"
    finally:
        reader.kill()


def test_reader_on_an_old_build_does_not_block_the_run_after_next(setup):
    """Two loads while one reader holds the first warehouse: the second load's own build file
    is the one the reader holds, so it writes a fresh copy instead of waiting on the lock."""
    raw, wh, home = setup
    reader = _start_reader(wh)
    try:
        held = wh.stat().st_ino
        _variants(raw, 2)
        build_warehouse(raw, wh, home)
        assert _count(wh) == len(SEEDS) + 2
        _variants(raw, 4)
        build_warehouse(raw, wh, home)
        assert _count(wh) == len(SEEDS) + 4
        assert wh.stat().st_ino != held
        assert _stop_reader(reader, wh) == f"reader saw {len(SEEDS)}"
    finally:
        reader.kill()


def test_killed_run_leaves_previous_warehouse_intact_and_next_run_recovers(setup):
    raw, wh, home = setup
    before = wh.read_bytes()
    _variants(raw, 120)
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "build"], cwd=REPO, env=_env(raw, wh, home),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.time() + 300
        for line in proc.stdout:
            if "extract:" in line and "documents in batches" in line:
                break
            assert time.time() < deadline, "build never reached extraction"
        time.sleep(0.5)  # well inside extraction
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert wh.read_bytes() == before  # untouched, byte for byte
    assert _count(wh) == len(SEEDS)  # and readable
    build_warehouse(raw, wh, home)  # the next run picks up where the killed one stopped
    assert _count(wh) == len(SEEDS) + 120
