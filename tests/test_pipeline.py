"""The Dagster assets end to end on real reports: tables, checks, incremental and idempotent runs, sensor."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import SEEDS

from pipelines import store
from pipelines.defs.assets import analyst_views, core_layer, published_warehouse, raw_layer
from pipelines.defs.automation import raw_folder_sensor
from pipelines.defs.resources import WarehouseResource
from pipelines.extract.ingest import make_document
from pipelines.extract.sections import extract_sections
from pipelines.extract.terms import extract_terms
from pipelines.stages import Run

pytestmark = pytest.mark.slow
TABLES = ("raw_documents", "rejected_files", "reports", "sections", "quantities", "indicators", "section_terms",
          "terms")


def run(raw: Path, wh: Path) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        [raw_layer, core_layer, analyst_views, published_warehouse],
        resources={"warehouse": WarehouseResource(raw_dir=str(raw), warehouse=str(wh), workers=1), "run": Run()},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def snapshot(wh: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        con.close()


def checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
            for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def test_build_is_idempotent_and_checks_pass(raw, tmp_path):
    wh = tmp_path / "wh" / "reports.duckdb"
    first = run(raw, wh)
    snap = snapshot(wh)
    assert len(snap["reports"]) == len(SEEDS)
    assert not snap["rejected_files"]
    c = checks(first)
    assert c["raw_documents_key_unique"] and c["indicators_have_evidence"] and c["published_matches_build"]
    assert c["every_document_extracted"] and c["section_spans_valid"] and c["indicator_values_plausible"]
    run(raw, wh)
    assert snapshot(wh) == snap  # same folder, identical tables


def test_keys_are_enforced_by_the_schema():
    # no asset check repeats these: the schema refuses a duplicate key at insert
    con = duckdb.connect()
    try:
        store.apply_schema(con)
        keys = dict(con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                                "WHERE constraint_type = 'PRIMARY KEY'").fetchall())
        assert keys["reports"] == ["report_id"] and keys["sections"] == ["report_id", "position"]
        assert keys["quantities"] == ["report_id", "position"] and keys["indicators"] == ["report_id", "fact_no"]
        row = "('r1', 1, 1, NULL, '一、', '总体情况', NULL, '', 0, 10, NULL, DEFAULT)"
        con.execute(f"INSERT INTO sections VALUES {row}")
        with pytest.raises(duckdb.ConstraintException):
            con.execute(f"INSERT INTO sections VALUES {row}")
    finally:
        con.close()


def test_region_year_facts_has_a_column_per_indicator_of_the_dictionary(monkeypatch):
    """The view's indicator columns are dim_indicator's: an indicator added to the dictionary is a
    column, named with its stored unit (money _yuan, a ratio _pct, a count bare)."""
    from pipelines.extract import indicators

    real = indicators.load_toml

    def with_parks(name: str) -> dict:
        data = real(name)
        if name == "indicator_cues.toml":
            data["indicator"].append({"name": "science_parks", "label": "科技园区", "kind": "count",
                                      "display": {"unit": "个", "per": 1}, "max_level": 1e4, "units": ["个"]})
        return data

    monkeypatch.setattr(indicators, "load_toml", with_parks)
    con = duckdb.connect()
    try:
        store.apply_schema(con)
        store.apply_views(con)
        dims = con.execute("SELECT indicator, unit FROM dim_indicator").fetchall()
        columns = [r[0] for r in con.execute("DESCRIBE region_year_facts").fetchall()]
    finally:
        con.close()
    assert columns[:4] == ["region", "province", "admin_level", "year"]
    suffix = {"yuan": "_yuan", "percent": "_pct"}
    assert sorted(columns[4:]) == sorted(ind + suffix.get(unit, "") for ind, unit in dims)
    assert "science_parks" in columns and {"rd_intensity_pct", "tech_contract_value_yuan", "tech_smes"} <= set(columns)


def test_terms_view_gives_back_the_extracted_counts(raw, tmp_path):
    wh = tmp_path / "wh" / "reports.duckdb"
    run(raw, wh)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        for path in SEEDS[:2]:
            rid, text = con.execute("SELECT report_id, raw_text FROM raw_documents WHERE source_file = ?",
                                    [path.name]).fetchone()
            doc, _ = make_document(path.name, text)
            want = [(t.section_position, t.term, t.count) for t in extract_terms(doc, extract_sections(doc))]
            got = sorted(con.execute("SELECT section_position, term, count FROM terms WHERE report_id = ?",
                                     [rid]).fetchall(), key=repr)
            assert got == sorted(want, key=repr) and len(got) > 100
            # one row per section in the table itself
            n, distinct = con.execute("SELECT count(*), count(DISTINCT coalesce(section_position, -1)) "
                                      "FROM section_terms WHERE report_id = ?", [rid]).fetchone()
            assert n == distinct == len({w[0] for w in want})
    finally:
        con.close()


def test_warehouse_mirrors_the_folder(raw, tmp_path):
    wh = tmp_path / "wh" / "reports.duckdb"
    run(raw, wh)
    # a copy under another name loads once and is recorded as a duplicate
    shutil.copy(raw / SEEDS[0].name, raw / "copy_of_first.txt")
    # a changed file replaces its rows
    changed = raw / SEEDS[1].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("科技特派员", "科技特派人员"), encoding="utf-8")
    # a removed file's rows go
    (raw / SEEDS[2].name).unlink()
    run(raw, wh)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        files = {r[0] for r in con.execute("SELECT source_file FROM reports").fetchall()}
        assert files == {p.name for p in SEEDS} - {SEEDS[2].name}
        dup = con.execute("SELECT source_file, reason, duplicate_of FROM rejected_files").fetchall()
        assert dup == [("copy_of_first.txt", "duplicate", SEEDS[0].name)]
        text = con.execute("SELECT clean_text FROM report_texts JOIN reports USING (report_id) WHERE source_file = ?",
                           [SEEDS[1].name]).fetchone()[0]
        assert "科技特派人员" in text
        orphans = con.execute("SELECT count(*) FROM sections WHERE report_id NOT IN (SELECT report_id FROM reports)"
                              ).fetchone()[0]
        assert orphans == 0
    finally:
        con.close()


def test_sensor_fires_on_change_only(raw, monkeypatch):
    monkeypatch.setenv("GOVREPORTS_RAW_DIR", str(raw))
    ctx = dg.build_sensor_context()
    first = raw_folder_sensor(ctx)
    assert isinstance(first, dg.RunRequest)
    ctx2 = dg.build_sensor_context(cursor=ctx.cursor)
    assert isinstance(raw_folder_sensor(ctx2), dg.SkipReason)
    (raw / "new.txt").write_text(SEEDS[0].read_text(encoding="utf-8")[:3000], encoding="utf-8")
    ctx3 = dg.build_sensor_context(cursor=ctx.cursor)
    again = raw_folder_sensor(ctx3)
    assert isinstance(again, dg.RunRequest) and again.run_key != first.run_key


def test_definitions_load_with_everything():
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    assert {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()} >= {
        "raw_documents", "rejected_files", "reports", "sections", "quantities", "indicators", "section_terms",
        "analyst_views", "published_warehouse"}
    assert repo.has_job("build_warehouse")
    assert [s.name for s in repo.schedule_defs] == ["daily_build"]
    assert [s.name for s in repo.sensor_defs] == ["raw_folder_sensor"]
