"""The chart functions of pipelines.charts on small hand-made frames and warehouses, and the
PNG + HTML export with the CJK font registered."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import charts, store
from pipelines.fonts import ensure_cjk_font

REPO = Path(__file__).resolve().parent.parent

TREND_COLS = ["region", "year", "indicator", "measure", "value", "unit", "evidence", "source_file"]


def trends(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=TREND_COLS, orient="row")


def spec(chart) -> dict:
    return chart.to_dict()


def layer_values(chart) -> list[dict]:
    """The data rows a (layered, faceted) chart carries."""
    d = spec(chart)
    return [row for ds in d.get("datasets", {}).values() for row in ds]


def marks(d: dict) -> list[str]:
    found = []
    if "mark" in d:
        m = d["mark"]
        found.append(m["type"] if isinstance(m, dict) else m)
    for key in ("layer", "concat", "hconcat", "vconcat"):
        for sub in d.get(key, []):
            found += marks(sub)
    if "spec" in d:
        found += marks(d["spec"])
    return found


def y_scale_types(d: dict) -> list[str | None]:
    types = []
    enc = d.get("encoding", {})
    if "y" in enc:
        types.append(enc["y"].get("scale", {}).get("type"))
    for sub in d.get("layer", []):
        types += y_scale_types(sub)
    return types


ONE_REGION_ONE_YEAR = trends([("蒙自市", 2022, "high_tech_enterprises", "level", 9.0, "家",
                               "全市高新技术企业达9家", "seed_mengzi.txt")])

ACROSS_MAGNITUDES = trends([
    ("蒙自市", 2022, "tech_smes", "level", 12.0, "家", "科技型中小企业12家", "a.txt"),
    ("常德市", 2022, "tech_smes", "level", 480.0, "家", "科技型中小企业480家", "b.txt"),
    ("常德市", 2023, "tech_smes", "level", 629.0, "家", "科技型中小企业629家", "b.txt"),
    ("重庆市", 2023, "tech_smes", "level", 5600.0, "家", "科技型中小企业5600家", "c.txt"),
    ("江苏省", 2025, "tech_smes", "level", 94000.0, "家", "科技型中小企业9.4万家", "d.txt"),
])


def test_one_region_one_year_is_drawn_as_a_point():
    chart = charts.indicator_chart(ONE_REGION_ONE_YEAR, "high_tech_enterprises")
    assert not charts.is_placeholder(chart)
    assert "point" in marks(spec(chart))  # a line needs two years: the point is what shows
    rows = layer_values(chart)
    assert [(r["region"], r["year"], r["shown"]) for r in rows] == [("蒙自市", 2022, 9.0)]
    # the evidence sentence travels with the point, for the tooltip
    assert rows[0]["evidence"] == "全市高新技术企业达9家"
    small = charts.indicator_small_multiples(ONE_REGION_ONE_YEAR, "high_tech_enterprises")
    assert not charts.is_placeholder(small) and "point" in marks(spec(small))


def test_missing_indicator_gives_a_no_data_chart_not_an_error():
    chart = charts.indicator_chart(ONE_REGION_ONE_YEAR, "tech_contract_value")
    assert charts.is_placeholder(chart)
    assert "tech_contract_value" in json.dumps(spec(chart), ensure_ascii=False)
    empty = ONE_REGION_ONE_YEAR.clear()
    for build in (lambda: charts.indicator_small_multiples(empty, "tech_smes"),
                  lambda: charts.growth_check_chart(pl.DataFrame()),
                  lambda: charts.contract_ranking_chart(charts.contracts_frame(empty)),
                  lambda: charts.value_per_contract_chart(charts.contracts_frame(empty)),
                  lambda: charts.term_trend_chart(pl.DataFrame()),
                  lambda: charts.rejections_chart(pl.DataFrame())):
        assert charts.is_placeholder(build())


def test_values_across_four_orders_of_magnitude_use_a_log_axis():
    chart = charts.indicator_chart(ACROSS_MAGNITUDES, "tech_smes")
    assert "log" in y_scale_types(spec(chart))
    assert {r["region"] for r in layer_values(chart)} == {"蒙自市", "常德市", "重庆市", "江苏省"}
    # close values keep a linear axis
    close = ACROSS_MAGNITUDES.filter(pl.col("region") == "常德市")
    assert "log" not in y_scale_types(spec(charts.indicator_chart(close, "tech_smes")))
    # small multiples: every region its own y scale
    small = spec(charts.indicator_small_multiples(ACROSS_MAGNITUDES, "tech_smes"))
    assert small["resolve"]["scale"]["y"] == "independent"
    assert small["facet"]["sort"][0] == "江苏省"  # largest latest value first


def test_region_dropdown_is_a_point_selection_bound_to_a_select():
    d = spec(charts.indicator_chart(ACROSS_MAGNITUDES, "tech_smes"))
    params = [p for p in d.get("params", []) + [p for lay in d["layer"] for p in lay.get("params", [])]
              if p.get("select", {}).get("type") == "point" or p.get("select") == "point"]
    assert params, "no point selection"
    bind = params[0]["bind"]
    assert bind["input"] == "select"
    assert set(bind["options"]) >= {"蒙自市", "常德市", "重庆市", "江苏省"}


def test_money_is_shown_in_yi_yuan():
    t = trends([("常德市", 2023, "tech_contract_value", "level", 29092000000.0, "yuan", "成交额290.92亿元", "s.txt"),
                ("常德市", 2023, "tech_contract_count", "level", 3023.0, "份", "登记3023份", "s.txt")])
    chart = charts.indicator_chart(t, "tech_contract_value")
    assert layer_values(chart)[0]["shown"] == pytest.approx(290.92)
    assert "亿元" in json.dumps(spec(chart), ensure_ascii=False)
    c = charts.contracts_frame(t)
    assert c["value_yi"][0] == pytest.approx(290.92)
    assert c["per_contract_wan"][0] == pytest.approx(29092000000 / 3023 / 1e4)
    ranking = charts.contract_ranking_chart(c)
    assert not charts.is_placeholder(ranking)
    assert "290.92 亿元 · 3023 份" in json.dumps(spec(ranking), ensure_ascii=False)


def test_ranking_latest_year_and_each_regions_latest():
    t = trends([("常德市", 2022, "tech_contract_value", "level", 1.9e10, "yuan", "s", "a.txt"),
                ("常德市", 2023, "tech_contract_value", "level", 2.9e10, "yuan", "s", "a.txt"),
                ("上海市", 2025, "tech_contract_value", "level", 6.5e11, "yuan", "s", "b.txt")])
    c = charts.contracts_frame(t)
    strict = {r["region"]: r["year"] for r in layer_values(charts.contract_ranking_chart(c))}
    assert strict == {"上海市": 2025}
    each = {r["region"]: r["year"] for r in layer_values(charts.contract_ranking_chart(c, each_latest=True))}
    assert each == {"上海市": 2025, "常德市": 2023}
    assert {r["region"]: r["year"] for r in layer_values(charts.contract_ranking_chart(c, year=2022))} == {
        "常德市": 2022}


def test_growth_checks_flag_disagreements():
    checks = pl.DataFrame({
        "region": ["常德市", "重庆市"], "indicator": ["tech_smes", "high_tech_enterprises"], "year": [2023, 2024],
        "stated_growth_pct": [31.0, 14.2], "computed_growth_pct": [20.0, 14.18],
        "difference_pp": [11.0, 0.02], "disagrees": [True, False],
        "previous_level": [480.0, 7565.0], "level": [576.0, 8638.0], "evidence": ["增长31%", "增长14.2%"]})
    rows = layer_values(charts.growth_check_chart(checks))
    verdicts = {(r["case"], r["verdict"]) for r in rows if "verdict" in r}
    assert ("常德市 2023 科技型中小企业", "不一致") in verdicts
    assert ("重庆市 2024 高新技术企业", "一致") in verdicts


# --- a small warehouse made from the project's own schema and views --------------------------

def insert(con: duckdb.DuckDBPyConnection, table: str, row: dict) -> None:
    """Insert the values of row that are columns of table (nothing if there is no such table), so
    the hand-made warehouse follows the schema as it changes."""
    cols = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ?",
                                      [table]).fetchall() if r[0] in row]
    if cols:
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [row[c] for c in cols])


def make_warehouse(path: Path) -> Path:
    """A warehouse with the real schema and views and a few hand-written reports."""
    con = duckdb.connect(str(path))
    store.apply_schema(con)
    store.apply_views(con)
    reports = [  # id, region, admin_level, year, doc_type
        ("r1", "常德市", "prefecture", 2022, "rule_of_law_report"),
        ("r2", "常德市", "prefecture", 2023, "rule_of_law_report"),
        ("r3", "蒙自市", "county", 2022, "rule_of_law_report"),
        ("r4", "江苏省", "province", 2025, "government_work_report"),
    ]
    facts = [  # report, indicator, measure, value, unit, year, figure as written
        ("r1", "tech_smes", "level", 480, "家", 2022, "480家"),
        ("r2", "tech_smes", "level", 629, "家", 2023, "629家"),
        ("r2", "tech_smes", "growth_pct", 31, "percent", 2023, "31%"),
        ("r3", "tech_smes", "level", 12, "家", 2022, "12家"),
        ("r4", "tech_smes", "level", 94000, "家", 2025, "9.4万家"),
        ("r2", "tech_contract_count", "level", 3023, "份", 2023, "3023份"),
        ("r2", "tech_contract_value", "level", 29092000000, "yuan", 2023, "290.92亿元"),
        ("r4", "tech_contract_value", "level", 300000000000, "yuan", 2025, "3000亿元"),
    ]
    for rid, region, level, year, doc_type in reports:
        sentences = [f"科技型指标{fig}。" for r, *_, fig in facts if r == rid]
        text = f"{region}{year}年报告。{''.join(sentences)}存在的问题：人才不足。下一步：加强创新。"
        row = {"report_id": rid, "source_file": f"{rid}.txt", "source_path": f"{rid}.txt", "file_path": f"{rid}.txt",
               "format": "txt", "encoding": "utf-8", "content_sha256": rid, "file_sha256": rid,
               "n_chars": len(text), "raw_n_chars": len(text), "truncated": False, "raw_text": text,
               "clean_text": text, "text_sketch": []}
        insert(con, "raw_documents", row)
        insert(con, "report_texts", row)  # where the cleaned text has a table of its own
        con.execute("INSERT INTO reports (report_id, source_file, doc_type, region, admin_level, report_year, "
                    "content_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [rid, f"{rid}.txt", doc_type, region, level, year, rid])
        # NULL: page (text without pages); DEFAULT: build_no, which the pipeline sets per build
        con.execute("INSERT INTO sections VALUES (?, 1, 1, NULL, '一、', '存在的问题', 'problems', '人才不足', 10, 20, "
                    "NULL, DEFAULT), (?, 2, 1, NULL, '二、', '下一步工作', 'next_steps', '加强创新', 20, 40, "
                    "NULL, DEFAULT)",
                    [rid, rid])
        con.execute("INSERT INTO section_terms VALUES (?, 1, [{'term': '人才', 'count': ?}], DEFAULT), "
                    "(?, 2, [{'term': '创新', 'count': 3}], DEFAULT)", [rid, year - 2020, rid])
        for no, (r, ind, measure, value, unit, fyear, fig) in enumerate(facts, 1):
            if r == rid:
                start = text.index(fig)
                con.execute("INSERT INTO indicators VALUES "
                            "(?, ?, ?, ?, ?, ?, ?, NULL, 'cue', 'rule', ?, 1, ?, ?, ?, ?, NULL, DEFAULT)",
                            [rid, no, ind, measure, value, unit, fyear, f"科技型指标{fig}。",
                             start, start + len(fig), start, start + len(fig)])
    insert(con, "rejected_files", {"source_file": "x.txt", "source_path": "x.txt", "file_path": "x.txt",
                                   "reason": "empty"})
    con.close()
    return path


@pytest.fixture
def small_warehouse(tmp_path) -> Path:
    return make_warehouse(tmp_path / "small.duckdb")


def test_build_all_on_a_small_warehouse(small_warehouse):
    con = charts.open_warehouse(small_warehouse)
    try:
        built = charts.build_all(con)
        growth = charts.load_growth_checks(con)
        lookup = charts.lookup_facts(con, region="常德市", indicator="tech_smes", year=2023)
    finally:
        con.close()
    drawn = {name for name, c in built.items() if not charts.is_placeholder(c)}
    # what the rows above support is drawn; what they do not is a placeholder
    assert {"01_tech_smes_level", "01_tech_smes_by_region", "01_growth_checks", "02_tech_contract_value",
            "02_ranking_latest_year", "02_value_per_contract", "03_section_categories", "03_top_terms_by_year",
            "03_term_trends", "04_coverage_grid", "04_evidence", "04_rejections"} <= drawn
    assert "01_high_tech_enterprises_level" not in drawn
    # 常德市 629 vs 480 is +31.04%: the stated 31% agrees
    row = growth.row(0, named=True)
    assert row["computed_growth_pct"] == pytest.approx(31.04, abs=0.01) and not row["disagrees"]
    assert set(lookup["measure"]) == {"level", "growth_pct"}
    assert set(lookup["figure_text"]) == {"629家", "31%"}
    assert "<mark>629家</mark>" in charts.evidence_html(lookup)


def test_export_writes_png_and_html_with_the_cjk_font(small_warehouse, tmp_path):
    font_dir = ensure_cjk_font()
    assert any(p.suffix.lower() in (".ttf", ".otf", ".ttc") for p in font_dir.iterdir())
    out = tmp_path / "exports"
    proc = subprocess.run([sys.executable, "-m", "pipelines.charts", "export", str(out),
                           "--warehouse", str(small_warehouse)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    pngs, pages = sorted(out.glob("*.png")), sorted(out.glob("*.html"))
    assert pngs and [p.stem for p in pngs] == [p.stem for p in pages]
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    page = (out / "01_tech_smes_level.html").read_text(encoding="utf-8")
    assert ("常德市" in page or json.dumps("常德市") in page) and "vegaEmbed" in page


def test_cjk_text_renders_with_glyphs_not_boxes():
    """The same Chinese title drawn with the registered font differs from missing-glyph boxes:
    each distinct character must give a distinct image."""
    import altair as alt
    import vl_convert

    from pipelines.fonts import register_cjk_font

    register_cjk_font()

    def render(text: str) -> bytes:
        c = alt.Chart(pl.DataFrame({"t": [text]})).mark_text(fontSize=30).encode(text="t:N").properties(
            width=120, height=40)
        return vl_convert.vegalite_to_png(charts._finish(c).to_dict())

    # with no CJK font both strings become the same row of tofu boxes
    assert render("高新技术") != render("科技合同")


def test_region_year_facts_puts_each_level_in_its_indicators_column(small_warehouse):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    try:
        row = con.execute("SELECT tech_smes, tech_contract_count, tech_contract_value_yuan, rd_expenditure_yuan "
                          "FROM region_year_facts WHERE region = '常德市' AND year = 2023").fetchone()
    finally:
        con.close()
    assert row == (629, 3023, 29092000000, None)  # the growth rate of tech_smes is no level


def test_labels_and_units_come_from_dim_indicator_when_the_warehouse_has_it(monkeypatch):
    from pipelines.analysis import labels

    monkeypatch.setattr(labels, "INDICATORS", dict(labels.INDICATORS))  # restored after the test
    con = duckdb.connect()
    assert not labels.use_warehouse_labels(con)  # no table: the built-in labels stay
    con.execute((REPO / "warehouse" / "schema" / "20_dims.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO dim_indicator VALUES ('tech_smes', '科技型中小企业（入库）', 'count', '家', '家', 1, "
                "false, 1e6), ('rd_expenditure', '研发经费', 'money', 'yuan', '亿元', 1e8, true, 1e13)")
    assert labels.use_warehouse_labels(con)
    assert labels.label("tech_smes") == "科技型中小企业（入库）" and labels.unit("tech_smes") == "家"
    assert labels.label("rd_expenditure") == "研发经费" and labels.unit("rd_expenditure") == "亿元"
    assert labels.unit("tech_smes", "growth_pct") == "%"


def test_labels_before_any_warehouse_are_the_indicator_dictionarys(monkeypatch):
    """No copy of the indicator list in the analysis layer: an indicator of the dictionary has its
    label and display unit in the charts, and the money ones are shown in 亿元."""
    from pipelines.analysis import labels
    from pipelines.extract.indicators import indicator_dimension

    fresh, money = labels._dictionary()
    monkeypatch.setattr(labels, "INDICATORS", fresh)
    dims = indicator_dimension()
    assert set(fresh) == {d["indicator"] for d in dims} and money == labels.MONEY
    for d in dims:
        assert labels.label(d["indicator"]) == d["label"] and labels.unit(d["indicator"]) == d["display_unit"]
        assert (d["indicator"] in money) == (d["kind"] == "money")
        assert d["kind"] != "money" or labels.unit(d["indicator"]) == "亿元"


def test_the_loaders_keep_the_indicators_asked_for(small_warehouse):
    con = charts.open_warehouse(small_warehouse)
    try:
        every = charts.load_indicator_trends(con)
        contracts = charts.load_indicator_trends(con, charts.CONTRACT_INDICATORS)
        smes, none = (charts.load_growth_checks(con, [ind]) for ind in ("tech_smes", "tech_contract_count"))
    finally:
        con.close()
    assert set(every["indicator"]) == {"tech_smes", "tech_contract_count", "tech_contract_value"}
    assert set(contracts["indicator"]) == {"tech_contract_count", "tech_contract_value"}
    assert set(smes["indicator"]) == {"tech_smes"} and none.is_empty()  # a growth rate only for tech_smes
