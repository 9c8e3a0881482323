"""Shared fixtures: the real sample reports, and warehouses built the way `make run` builds them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
GOLD = REPO / "eval" / "gold"
SEEDS = sorted((RAW / "seeds").glob("*.txt"))


@pytest.fixture()
def raw(tmp_path) -> Path:
    """A raw folder holding a copy of the seed reports, for tests that change it."""
    d = tmp_path / "raw"
    d.mkdir()
    for p in SEEDS:
        shutil.copy(p, d / p.name)
    return d


def build_warehouse(raw_dir: Path, warehouse: Path, dagster_home: Path) -> subprocess.CompletedProcess:
    """Run the main job exactly as `make run` does, in a child process."""
    env = {**os.environ, "GOVREPORTS_RAW_DIR": str(raw_dir), "GOVREPORTS_WAREHOUSE": str(warehouse),
           "DAGSTER_HOME": str(dagster_home)}
    proc = subprocess.run([sys.executable, "-m", "pipelines", "build"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="session")
def dagster_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_bytes((REPO / "dagster.yaml").read_bytes())
    return home


@pytest.fixture(scope="session")
def raw_warehouse(tmp_path_factory, dagster_home) -> Path:
    """A warehouse built from the whole shipped raw/ folder."""
    wh = tmp_path_factory.mktemp("wh_raw") / "reports.duckdb"
    build_warehouse(RAW, wh, dagster_home)
    return wh


def _set_warehouse(name: str):
    """A session fixture: the warehouse built from ``raw/<name>`` (one of the scored sets)."""

    @pytest.fixture(scope="session")
    def built(tmp_path_factory, dagster_home) -> Path:
        wh = tmp_path_factory.mktemp(f"wh_{name}") / "reports.duckdb"
        build_warehouse(RAW / name, wh, dagster_home)
        return wh

    return built


seeds_warehouse = _set_warehouse("seeds")
corpus_warehouse = _set_warehouse("corpus")
corpus2_warehouse = _set_warehouse("corpus2")
cities_warehouse = _set_warehouse("cities")


def stop(proc: subprocess.Popen) -> None:
    """End a server a test started: politely, then for good."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
