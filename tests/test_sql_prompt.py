"""The README's SQL prompt (`make sql`: the DuckDB CLI) reads the warehouse the pipeline writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow


def test_duckdb_cli_reads_the_published_warehouse(raw_warehouse):
    cli = Path(sys.executable).parent / "duckdb"
    out = subprocess.run(
        [str(cli), "-readonly", "-csv", str(raw_warehouse), "-c",
         "SELECT count(*) AS n FROM reports; SELECT count(*) AS v FROM duckdb_views() WHERE NOT internal;"],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    con = duckdb.connect(str(raw_warehouse), read_only=True)
    try:  # every shipped report, as the library reads the same file
        n = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        con.close()
    assert lines[0] == "n" and int(lines[1]) == n and n >= 250
    assert lines[2] == "v" and int(lines[3]) >= 6  # the analyst views
