"""Check results readable where people look: named columns in the Dagster UI (a Markdown table),
and the CLI's warning line names the reports and says how to list them."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from conftest import build_warehouse
from test_charts import insert

from pipelines.defs import checks

REPO = Path(__file__).resolve().parent.parent


def test_check_result_has_a_table_with_named_columns_and_its_query():
    con = duckdb.connect()
    for sql in sorted((REPO / "warehouse" / "schema").glob("*.sql")):
        con.execute(sql.read_text(encoding="utf-8"))
    for name, reason, detail in (("a|b.txt", "empty", None), ("big.txt", "too large for one report", "x" * 500)):
        insert(con, "rejected_files", {"source_file": name, "source_path": name, "file_path": name,
                                       "reason": reason, "detail": detail})
    check = next(c for c in checks.CHECKS if c.name == "no_rejected_files")
    result = checks.evaluate(con, check)
    assert not result.passed and result.metadata["problems"].value == 2
    table = result.metadata["examples"]
    assert isinstance(table, dg.MarkdownMetadataValue)
    lines = table.md_str.splitlines()
    assert lines[0] == "| source_file | reason | detail |" and lines[1] == "|---|---|---|"
    assert "a\\|b.txt" in lines[2]  # a pipe in a value does not split the cell
    assert max(len(line) for line in lines) < 200  # long values are cut
    assert result.metadata["first"].value == "a|b.txt, big.txt"  # ordered by reason
    assert "FROM rejected_files" in result.metadata["sql"].md_str
    # passing checks carry the query and no table
    con.execute("DELETE FROM rejected_files")
    ok = checks.evaluate(con, check)
    assert ok.passed and "examples" not in ok.metadata and ok.metadata["problems"].value == 0


def test_cli_warning_names_the_reports_and_how_to_list_them(raw, tmp_path, dagster_home):
    (raw / "empty.txt").write_bytes(b"")
    proc = build_warehouse(raw, tmp_path / "wh.duckdb", dagster_home)
    line = next(x for x in proc.stdout.splitlines() if "check no_rejected_files" in x)
    assert line.strip() == "check no_rejected_files on rejected_files: warning: 1 rows (e.g. empty.txt)"
    listing = proc.stdout.splitlines()[proc.stdout.splitlines().index(line) + 1]
    assert listing.strip().startswith("list them: make sql, then SELECT") and "rejected_files" in listing
