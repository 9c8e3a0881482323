"""Whole builds under faults (issue 13, items 1, 3, 4, 10): two builds at once, a failed run's
workers, a full disk, a read-write session on the published file. Real `make run` processes
(``python -m pipelines build``) on real seed reports."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, SEEDS, build_warehouse
from test_build_files import snapshot

from pipelines import store
from pipelines.config import Paths

pytestmark = pytest.mark.slow


def _env(raw: Path, wh: Path, home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "GOVREPORTS_RAW_DIR": str(raw), "GOVREPORTS_WAREHOUSE": str(wh),
            "DAGSTER_HOME": str(home), **extra}


def _start(raw: Path, wh: Path, home: Path, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines", "build"], cwd=REPO, env=_env(raw, wh, home, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _variants(raw: Path, start: int, n: int) -> None:
    for i in range(start, start + n):
        seed = SEEDS[i % len(SEEDS)]
        (raw / f"variant_{i:04d}.txt").write_text(f"第{i}号转载\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")


def _seeds(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in SEEDS:
        shutil.copy(p, raw / p.name)
    return raw


def _group_gone(pgid: int, timeout: float = 20) -> bool:
    """Whether every process of the session ``pgid`` (the build, its workers, the forkserver) exited."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


# -- 1: one build at a time ----------------------------------------------------------------------
def test_two_builds_at_once_take_turns_and_equal_a_clean_build(tmp_path, dagster_home):
    raw = _seeds(tmp_path)
    wh = tmp_path / "wh" / "reports.duckdb"
    build_warehouse(raw, wh, dagster_home)
    lock = store.lock_path(Paths(raw, wh))
    for trial in range(2):  # the two start at once, or the second mid-build
        _variants(raw, trial * 40, 40 if trial == 0 else 200)
        if trial == 0:
            # both start while the lock is held here, so both meet a busy warehouse whatever
            # their start-up takes; then they take turns
            with open(lock, "a+") as held:
                fcntl.flock(held, fcntl.LOCK_EX)
                first, second = _start(raw, wh, dagster_home), _start(raw, wh, dagster_home)
                time.sleep(4)
        else:
            # the second once the first holds the lock; 200 new reports keep the first busy
            # longer than the second's start-up (a fixed delay raced a build that got faster)
            first = _start(raw, wh, dagster_home)
            deadline = time.time() + 60
            while time.time() < deadline and not (lock.exists() and lock.read_text().strip() == str(first.pid)):
                time.sleep(0.05)
            second = _start(raw, wh, dagster_home)
        outs = [p.communicate(timeout=600) for p in (first, second)]
        assert [first.returncode, second.returncode] == [0, 0], outs
        assert any("waiting for the build" in out + err for out, err in outs), (trial, outs)  # one waited, said so
    fresh = tmp_path / "fresh" / "reports.duckdb"
    build_warehouse(raw, fresh, dagster_home)
    assert snapshot(wh) == snapshot(fresh)


def test_a_busy_warehouse_says_so_when_told_not_to_wait_and_the_pool_is_shut(tmp_path, dagster_home):
    raw = _seeds(tmp_path)
    wh = tmp_path / "wh" / "reports.duckdb"
    paths = Paths(raw, wh)
    store.lock_path(paths).parent.mkdir(parents=True)
    with open(store.lock_path(paths), "w") as held:  # another build holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        # the folder changed, so the run warms its extraction workers before it finds the lock
        proc = _start(raw, wh, dagster_home, GOVREPORTS_LOCK_TIMEOUT="0")
        # item 3: every process of the failed run is gone and stdout closes (`make run | tee`)
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert "another build of" in err and "pid 4242" in err, err[-2000:]
    assert _group_gone(proc.pid)
    assert not wh.exists()


def test_prepare_never_deletes_a_build_file_another_process_writes(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "wh" / "reports.duckdb")
    store.prepare_work_db(paths)
    work = paths.work_db
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(work)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(RuntimeError, match="locked by another process"):
            store.prepare_work_db(paths)
        assert work.exists()
    finally:
        holder.kill()
        holder.wait()


# -- 3: a failing extraction step shuts its pool too ---------------------------------------------
def test_failed_extraction_leaves_no_process_behind(tmp_path, dagster_home):
    raw = _seeds(tmp_path)
    _variants(raw, 0, 30)
    wh = tmp_path / "wh" / "reports.duckdb"
    # a worker dies mid-extraction (a real failure: the pool breaks), through a site hook in
    # the forkserver, from which every worker is forked
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os, sys\n"
        "if os.environ.get('GOVREPORTS_TEST_KILL_WORKER') and any('forkserver' in a for a in sys.orig_argv):\n"
        "    import concurrent.futures.process as p\n"
        "    p._process_worker = lambda *a, **k: os._exit(3)\n", encoding="utf-8")
    pythonpath = os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])
    proc = _start(raw, wh, dagster_home, PYTHONPATH=pythonpath, GOVREPORTS_TEST_KILL_WORKER="1")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, out[-2000:] + err[-2000:]
    assert _group_gone(proc.pid)
    build_warehouse(raw, wh, dagster_home)  # and the next run is fine


# -- 4: a full disk ------------------------------------------------------------------------------
def _tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def test_full_disk_reports_itself_and_does_not_wedge_later_runs(tmp_path, dagster_home):
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not _tmpfs(disk, "24m"):
        pytest.skip("needs root to mount a small tmpfs (test_full_disk_injected covers the logic)")
    try:
        raw = _seeds(tmp_path)
        wh = disk / "reports.duckdb"
        build_warehouse(raw, wh, dagster_home)
        before = snapshot(wh)
        for i in range(100):  # ~20 MB of new text: more than the disk holds
            (raw / f"big_{i:03d}.txt").write_text(f"第{i}号汇编\n" + SEEDS[i % 5].read_text(encoding="utf-8") * 20,
                                                  encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pipelines", "build"], cwd=REPO,
                              env=_env(raw, wh, dagster_home), capture_output=True, text=True, timeout=900)
        assert proc.returncode == 1
        assert "No space left on device" in proc.stderr, proc.stderr[-3000:]
        assert "cannot rollback" not in proc.stdout + proc.stderr
        assert snapshot(wh) == before  # the published warehouse is as it was
        for f in raw.glob("big_*"):
            f.unlink()
        _variants(raw, 0, 3)  # the input shrinks: the next run must not resume the failed file
        build_warehouse(raw, wh, dagster_home)
        fresh = tmp_path / "fresh" / "reports.duckdb"
        build_warehouse(raw, fresh, dagster_home)
        assert snapshot(wh) == snapshot(fresh)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


# -- 10: a read-write session on the published file ----------------------------------------------
def test_an_edit_of_the_published_file_is_kept_on_both_sides(tmp_path, dagster_home):
    raw = _seeds(tmp_path)
    wh = tmp_path / "wh" / "reports.duckdb"
    build_warehouse(raw, wh, dagster_home)
    _variants(raw, 0, 1)
    build_warehouse(raw, wh, dagster_home)  # both build files exist now
    con = duckdb.connect(str(wh))  # an analyst forgets -readonly and edits
    con.execute("UPDATE reports SET issuer = 'edited by hand' WHERE source_file = ?", [SEEDS[0].name])
    con.close()
    runs = []
    for i in range(3):  # the edit must not flip in and out on alternate builds
        _variants(raw, 1 + i, 1)
        runs.append(build_warehouse(raw, wh, dagster_home))
        with store.connect(wh, read_only=True) as c:
            got = c.execute("SELECT issuer FROM reports WHERE source_file = ?", [SEEDS[0].name]).fetchone()[0]
        assert got == "edited by hand", i
    assert "changed outside the pipeline" in runs[0].stdout + runs[0].stderr
    assert "changed outside the pipeline" not in runs[1].stdout + runs[1].stderr  # said once, then settled


def test_full_disk_injected(tmp_path, monkeypatch):
    """The same fault without root: DuckDB's own "No space left on device" in the middle of the
    raw step's transaction. The error comes out as it is (not "cannot rollback - no
    transaction is active"), the build file is discarded, and the next run is a clean one."""
    import logging

    from test_identity import ingest_only

    from pipelines import stages
    from pipelines.defs.assets import failing_safely

    raw = _seeds(tmp_path)
    wh = tmp_path / "wh" / "reports.duckdb"
    paths = Paths(raw, wh)
    real = store.insert_frame

    def full(con, table, frame):
        if table == "raw_documents":
            con.execute("ROLLBACK")  # what DuckDB does to the transaction when a write fails
            raise duckdb.IOException('IO Error: Could not write file "x.duckdb": No space left on device')
        return real(con, table, frame)

    monkeypatch.setattr(stages, "insert_frame", full)
    with pytest.raises(duckdb.IOException, match="No space left on device"), \
            failing_safely(paths, logging.getLogger("test")):
        ingest_only(raw, wh)
    assert not paths.work_db.exists() and not Path(f"{paths.work_db}.wal").exists()
    monkeypatch.setattr(stages, "insert_frame", real)
    assert ingest_only(raw, wh).documents == len(SEEDS)
