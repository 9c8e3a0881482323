"""`python -m pipelines watch`: one warm process that builds whenever the raw folder changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, REPO, SEEDS, stop

pytestmark = pytest.mark.slow


class Watcher:
    """The watcher as a child process, its output collected line by line."""

    def __init__(self, raw: Path, wh: Path, home: Path) -> None:
        env = {**os.environ, "GOVREPORTS_RAW_DIR": str(raw), "GOVREPORTS_WAREHOUSE": str(wh),
               "DAGSTER_HOME": str(home)}
        self.proc = subprocess.Popen([sys.executable, "-m", "pipelines", "watch", "--interval", "0.2"], cwd=REPO,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._cv = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            with self._cv:
                self.lines.append(line)
                self._cv.notify_all()

    def wait_for(self, text: str, count: int = 1, timeout: float = 300) -> None:
        with self._cv:
            if not self._cv.wait_for(lambda: sum(text in ln for ln in self.lines) >= count, timeout):
                raise AssertionError(f"no {count} x {text!r} in:\n" + "".join(self.lines[-40:]))

    def count(self, text: str) -> int:
        with self._cv:
            return sum(text in ln for ln in self.lines)

    def descendants(self) -> list[int]:
        out, stack = [], [self.proc.pid]
        while stack:
            pid = stack.pop()
            try:
                kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except OSError:
                continue
            out += kids
            stack += kids
        return out


def reports(wh: Path) -> set[str]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT source_file FROM reports").fetchall()}
    finally:
        con.close()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_watch_builds_on_change_only_and_stops_cleanly(raw, tmp_path, dagster_home):
    wh = tmp_path / "wh" / "reports.duckdb"
    w = Watcher(raw, wh, dagster_home)
    try:
        # no warehouse yet: the first listing builds it
        w.wait_for("govreports: done in")
        assert len(reports(wh)) == len(SEEDS)
        # an unchanged folder: listed again and again, never built again
        time.sleep(2)
        assert w.count("changed: building") == 1
        # a report arrives (written aside and moved in, as a finished download is)
        new = sorted((RAW / "corpus" / "full").glob("*.txt"))[0]
        staged = tmp_path / new.name
        shutil.copy(new, staged)
        os.replace(staged, raw / new.name)
        w.wait_for("govreports: done in", count=2)
        assert new.name in reports(wh) and len(reports(wh)) == len(SEEDS) + 1
        assert "1 new documents" in "".join(w.lines[-40:])
        kids = w.descendants()
        assert kids, "the warm process keeps its helper processes (the workers' forkserver)"
    finally:
        stop(w.proc)  # SIGTERM, as a service manager stops it
    assert w.proc.returncode == 0
    assert "stopped watching" in "".join(w.lines)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in kids if alive(p)], "a worker or the forkserver outlived the watcher"


def test_a_stop_during_a_build_ends_the_watch(raw, tmp_path, dagster_home):
    """SIGTERM while a build runs: Dagster interrupts the build (the published warehouse is
    left as it was) and the watcher ends; it had once kept on, Dagster's handler in place."""
    wh = tmp_path / "wh" / "reports.duckdb"
    w = Watcher(raw, wh, dagster_home)
    try:
        w.wait_for("govreports: done in")
        before = reports(wh)
        for p in sorted((RAW / "corpus2").rglob("*.txt"))[:20]:  # enough for a build of seconds
            shutil.copy(p, tmp_path / p.name)
            os.replace(tmp_path / p.name, raw / f"c2_{p.name}")
        w.wait_for("changed: building", count=2)
        w.proc.terminate()
        w.proc.wait(timeout=60)
    finally:
        stop(w.proc)
    assert "stopped watching" in "".join(w.lines)
    assert reports(wh) in (before, before | {f"c2_{p.name}" for p in sorted((RAW / "corpus2").rglob("*.txt"))[:20]})


def test_watch_rebuilds_a_deleted_warehouse_and_waits_out_a_missing_folder(raw, tmp_path, dagster_home):
    wh = tmp_path / "wh" / "reports.duckdb"
    w = Watcher(raw, wh, dagster_home)
    try:
        w.wait_for("govreports: done in")
        wh.unlink()  # an analyst's rm: the next listing builds it again, the folder unchanged
        w.wait_for("govreports: done in", count=2)
        assert len(reports(wh)) == len(SEEDS)
        moved = tmp_path / "raw.moved"
        raw.rename(moved)  # the folder unmounted or moved away: said, then waited for
        w.wait_for("cannot list")
        time.sleep(1)
        assert w.proc.poll() is None
        moved.rename(raw)
        time.sleep(2)
        assert w.proc.poll() is None and w.count("changed: building") == 2  # back, and unchanged
    finally:
        stop(w.proc)
    assert w.proc.returncode == 0


def test_watch_refuses_a_missing_folder(tmp_path, dagster_home):
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    proc = subprocess.run([sys.executable, "-m", "pipelines", "watch", "--raw", str(tmp_path / "nowhere"),
                           "--warehouse", str(tmp_path / "wh.duckdb")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "nowhere" in proc.stderr
