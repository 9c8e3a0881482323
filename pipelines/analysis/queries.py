"""Loaders: a read-only connection to the published warehouse, and small Polars frames for the
charts and the notebooks. Nothing here writes."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipelines.analysis.labels import INDICATORS, MEASURES, YUAN_PER_YI, use_warehouse_labels
from pipelines.config import Paths


def warehouse_path() -> Path:
    """The published warehouse: $GOVREPORTS_WAREHOUSE, else warehouse/reports.duckdb, as `make run`
    resolves it (pipelines.config)."""
    return Paths.from_env().warehouse


def open_warehouse(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only: analysts never write to it."""
    wh = Path(path) if path else warehouse_path()
    if not wh.is_file():
        raise FileNotFoundError(f"no warehouse at {wh}: build it with `make run` "
                                "(or point GOVREPORTS_WAREHOUSE at one)")
    con = duckdb.connect(str(wh), read_only=True)
    # no progress bar: in a notebook with ipywidgets DuckDB draws one as a widget output per slow query
    con.execute("SET enable_progress_bar = false")
    use_warehouse_labels(con)
    return con


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> pl.DataFrame:
    df = con.execute(sql, params or []).pl()
    # sum() gives DECIMAL/HUGEINT, which Altair cannot serialise to JSON
    return df.with_columns(
        [pl.col(n).cast(pl.Float64) for n, t in df.schema.items() if isinstance(t, pl.Decimal)]
        + [pl.col(n).cast(pl.Int64) for n, t in df.schema.items() if t in (pl.Int128, pl.UInt128)])


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table: the first thing to look at on a warehouse that is still filling in."""
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND table_name NOT LIKE 'pipeline\\_%' ESCAPE '\\' ORDER BY table_name").fetchall()]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _of_indicators(indicators: Sequence[str] | None) -> tuple[str, list]:
    """The WHERE clause and parameters that keep the rows of ``indicators`` (all when None)."""
    return ("WHERE indicator IN (SELECT unnest(?))", [list(indicators)]) if indicators else ("", [])


def load_indicator_trends(con: duckdb.DuckDBPyConnection, indicators: Sequence[str] | None = None) -> pl.DataFrame:
    """indicator_trends rows (one value per region × year × indicator × measure)."""
    where, params = _of_indicators(indicators)
    return query(con, f"""
        SELECT region, province, admin_level, year, indicator, measure, value, unit,
               n_sources, values_disagree, evidence, source_file
        FROM indicator_trends {where} ORDER BY indicator, measure, region, year""", params)


def load_growth_checks(con: duckdb.DuckDBPyConnection, indicators: Sequence[str] | None = None) -> pl.DataFrame:
    where, params = _of_indicators(indicators)
    return query(con, f"SELECT * FROM growth_checks {where} ORDER BY disagrees DESC, abs(difference_pp) DESC",
                 params)


def contracts_frame(trends: pl.DataFrame) -> pl.DataFrame:
    """Region × year with contract count, value (亿元) and value per contract (万元), from
    indicator_trends rows; a side may be null when a report gives only one figure."""
    lv = trends.filter(pl.col("measure") == "level")
    cols = ["region", "year", "value", "evidence"]
    count = (lv.filter(pl.col("indicator") == "tech_contract_count").select(cols)
             .rename({"value": "count", "evidence": "count_evidence"}))
    value = (lv.filter(pl.col("indicator") == "tech_contract_value").select(cols)
             .rename({"value": "value_yuan", "evidence": "value_evidence"}))
    out = count.join(value, on=["region", "year"], how="full", coalesce=True)
    return out.with_columns(
        value_yi=pl.col("value_yuan") / YUAN_PER_YI,
        # 万元 per contract: in 亿元 a typical contract would read 0.01
        per_contract_wan=pl.when(pl.col("count") > 0).then(pl.col("value_yuan") / pl.col("count") / 1e4),
    ).sort("region", "year")


def load_section_categories(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Top-level sections by canonical category and doc type: how many reports have each."""
    return query(con, """
        SELECT r.doc_type, coalesce(s.category, '(未归类)') AS category,
               count(*) AS n_sections, count(DISTINCT s.report_id) AS n_reports
        FROM sections s JOIN reports r USING (report_id)
        WHERE s.level = 1
        GROUP BY ALL ORDER BY n_reports DESC""")


def load_top_terms(con: duckdb.DuckDBPyConnection, by: str = "report_year",
                   categories: Sequence[str] = ("problems", "next_steps"), n: int = 10) -> pl.DataFrame:
    """The n most frequent terms per category and per value of `by` (report_year | admin_level)."""
    if by not in ("report_year", "admin_level"):
        raise ValueError(f"by must be report_year or admin_level, not {by!r}")
    return query(con, f"""
        WITH t AS (
            SELECT category, coalesce(CAST({by} AS VARCHAR), '未知') AS grp, term,
                   sum(count) AS count, max(n_reports) AS n_reports
            FROM term_trends WHERE category IN (SELECT unnest(?))
            GROUP BY ALL
        )
        SELECT * FROM t
        QUALIFY row_number() OVER (PARTITION BY category, grp ORDER BY count DESC, term) <= ?
        ORDER BY category, grp, count DESC""", [list(categories), n])


def load_term_trends(con: duckdb.DuckDBPyConnection, categories: Sequence[str] = ("problems", "next_steps"),
                     n_terms: int = 8) -> pl.DataFrame:
    """Yearly frequency (per 1,000 terms of those sections that year) of the n most frequent
    terms of the categories. Per 1,000 terms, not per report: a year with a few long government
    work reports would otherwise drown the years of short rule-of-law reports."""
    return query(con, """
        WITH scoped AS (SELECT * FROM term_trends
                        WHERE category IN (SELECT unnest(?)) AND report_year IS NOT NULL),
        per_year AS (SELECT report_year, sum(count) AS terms_in_year FROM scoped GROUP BY ALL),
        top AS (SELECT term FROM scoped GROUP BY term ORDER BY sum(count) DESC, term LIMIT ?),
        counted AS (SELECT report_year, term, sum(count) AS count, max(n_reports) AS n_reports
                    FROM scoped JOIN top USING (term) GROUP BY ALL)
        SELECT c.report_year AS year, c.term, c.count, c.n_reports, p.terms_in_year,
               round(1000.0 * c.count / p.terms_in_year, 2) AS per_mille
        FROM counted c JOIN per_year p USING (report_year)
        ORDER BY term, year""", [list(categories), n_terms])


def load_coverage_grid(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Reports per region × report year, with the doc types present."""
    return query(con, """
        SELECT coalesce(region, '(未识别地区)') AS region,
               coalesce(CAST(report_year AS VARCHAR), '未知') AS year,
               count(*) AS n_reports,
               string_agg(DISTINCT doc_type, ', ' ORDER BY doc_type) AS doc_types,
               count(DISTINCT i.report_id) AS n_with_facts
        FROM reports r LEFT JOIN (SELECT DISTINCT report_id FROM indicators) i USING (report_id)
        GROUP BY ALL ORDER BY region, year""")


def load_coverage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return query(con, """
        SELECT doc_type, coalesce(admin_level, '未知') AS admin_level,
               sum(n_reports) AS n_reports, sum(n_with_facts) AS n_with_facts
        FROM coverage GROUP BY ALL ORDER BY doc_type, admin_level""")


def load_evidence_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Facts per indicator, split by whether the sentence and the figure's span are there."""
    return query(con, """
        SELECT indicator,
               CASE WHEN coalesce(trim(evidence), '') = '' THEN '无原文句子'
                    WHEN coalesce(figure_text, '') = '' THEN '有句子，数字位置缺失'
                    ELSE '有原文句子与数字位置' END AS status,
               count(*) AS n_facts
        FROM fact_evidence GROUP BY ALL ORDER BY indicator, status""")


def load_rejections(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return query(con, """SELECT reason, n_files, array_to_string(examples, ', ') AS examples
                         FROM rejections_by_reason ORDER BY n_files DESC""")


def lookup_facts(con: duckdb.DuckDBPyConnection, region: str | None = None, indicator: str | None = None,
                 year: int | None = None, value: float | None = None) -> pl.DataFrame:
    """The sentence behind any number: fact_evidence rows matching every filter given."""
    conds, params = [], []
    for col, val in (("region", region), ("indicator", indicator), ("year", year)):
        if val is not None:
            conds.append(f"{col} = ?")
            params.append(val)
    if value is not None:
        conds.append("abs(value - ?) <= 1e-6 * greatest(abs(?), 1)")
        params += [value, value]
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    return query(con, f"""
        SELECT region, year, indicator, measure, value, unit, figure_text, evidence, source_file,
               report_id, fact_no, char_start, char_end, raw_char_start, raw_char_end
        FROM fact_evidence {where} ORDER BY region, indicator, year, measure""", params)


def evidence_html(facts: pl.DataFrame, limit: int = 20) -> str:
    """Facts as HTML lines with the figure marked inside its sentence."""
    lines = []
    for row in facts.head(limit).iter_rows(named=True):
        sentence, fig = row["evidence"] or "", row.get("figure_text") or ""
        body = html.escape(sentence)
        if fig and fig in sentence:
            body = body.replace(html.escape(fig), f"<mark>{html.escape(fig)}</mark>", 1)
        label = INDICATORS.get(row["indicator"], (row["indicator"], ""))[0]
        lines.append(f"<li><b>{html.escape(str(row['region']))} {row['year']} {html.escape(label)}"
                     f"（{MEASURES.get(row['measure'], row['measure'])}）= {row['value']:g} {row['unit']}</b><br>"
                     f"{body} <small>— {html.escape(str(row['source_file']))}</small></li>")
    return f"<ul>{''.join(lines)}</ul>" if lines else "<p>没有找到对应的数字 (no matching fact)</p>"
