"""The charts of the analyst notebooks, and their export to PNG + standalone HTML.

Loaders take a DuckDB connection and return small Polars frames; chart functions take those
frames and return Altair charts. Neither writes anything. When a frame has nothing to draw a
chart function returns a "no data yet" chart (see ``is_placeholder``) instead of failing, so a
notebook runs top to bottom on a warehouse that is still filling in.

    python -m pipelines.charts export DIR [--warehouse FILE]   # every chart as DIR/<name>.png/.html
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import duckdb
import polars as pl

from pipelines.config import REPO
from pipelines.fonts import FONT_FAMILY

# code -> (Chinese label, unit shown on the axis); money is shown in 亿元 (value / 1e8)
INDICATORS: dict[str, tuple[str, str]] = {
    "high_tech_enterprises": ("高新技术企业", "家"),
    "tech_smes": ("科技型中小企业", "家"),
    "tech_enterprises": ("科技型企业", "家"),
    "tech_contract_count": ("技术合同登记", "份"),
    "tech_contract_value": ("技术合同成交额", "亿元"),
    "rd_expenditure": ("研发投入", "亿元"),
    "rd_intensity": ("研发投入强度", "%"),
    "incubators": ("科技企业孵化器", "家"),
    "foreign_work_permits": ("外国人来华工作许可", "件"),
    "tech_commissioners": ("科技特派员", "人"),
}
MONEY = frozenset({"tech_contract_value", "rd_expenditure"})
YUAN_PER_YI = 1e8
MEASURES: dict[str, str] = {"level": "总量", "new": "当年新增", "growth_pct": "同比增长"}
ENTERPRISE_INDICATORS = ("high_tech_enterprises", "tech_smes", "tech_enterprises")
CONTRACT_INDICATORS = ("tech_contract_count", "tech_contract_value")
CATEGORY_LABELS: dict[str, str] = {"problems": "存在的问题", "next_steps": "下一步工作"}
ADMIN_LEVELS: dict[str, str] = {"province": "省级", "prefecture": "地级", "county": "县级"}
# spread (max / min of positive values) from which a log axis is used
LOG_SPREAD = 100.0
ALL = "全部"
NO_DATA_META = {"govreports": "no-data"}


# --- warehouse -------------------------------------------------------------------------------

def warehouse_path() -> Path:
    """$GOVREPORTS_WAREHOUSE, else warehouse/reports.duckdb; a relative path is taken from the
    repo root (as `make run` takes it), not from the notebook's folder."""
    env = os.environ.get("GOVREPORTS_WAREHOUSE")
    path = Path(env) if env else Path("warehouse") / "reports.duckdb"
    return path if path.is_absolute() else REPO / path


def open_warehouse(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only: analysts never write to it."""
    wh = Path(path) if path else warehouse_path()
    if not wh.is_file():
        raise FileNotFoundError(f"no warehouse at {wh}: build it with `make run` "
                                "(or point GOVREPORTS_WAREHOUSE at one)")
    return duckdb.connect(str(wh), read_only=True)


def setup_notebook() -> None:
    """Draw charts with Altair's Jupyter renderer: each chart is a widget (JupyterChart, anywidget)
    that JupyterLab 4 and VS Code render in its own module scope, so every chart of every open
    notebook draws, and the selector and tooltips work. Offline: the Vega JavaScript comes from
    vl-convert, not a CDN, and reaches the page once per chart through the kernel, not through the
    saved notebook (an output is a widget reference of a few hundred bytes). SVG, not canvas:
    crisp at any zoom, and the marks are elements a test (and a screen reader) can find.

    (Altair's "html" renderer with the inline template declares its variables at the top level of
    a script, which JupyterLab runs in one shared scope: only the first chart of a page draws.
    JupyterLab 4.6 renders Vega-Lite v3-v5 mime types, not Altair 6's v6.)"""
    alt.renderers.enable("jupyter", offline=True, embed_options={"renderer": "svg"})


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


def load_indicator_trends(con: duckdb.DuckDBPyConnection, indicators: Sequence[str] | None = None) -> pl.DataFrame:
    """indicator_trends rows (one value per region × year × indicator × measure)."""
    where, params = "", []
    if indicators:
        where, params = "WHERE indicator IN (SELECT unnest(?))", [list(indicators)]
    return query(con, f"""
        SELECT region, province, admin_level, year, indicator, measure, value, unit,
               n_sources, values_disagree, evidence, source_file
        FROM indicator_trends {where} ORDER BY indicator, measure, region, year""", params)


def load_growth_checks(con: duckdb.DuckDBPyConnection, indicators: Sequence[str] | None = None) -> pl.DataFrame:
    where, params = "", []
    if indicators:
        where, params = "WHERE indicator IN (SELECT unnest(?))", [list(indicators)]
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


# --- charts ----------------------------------------------------------------------------------

def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    # one font list for the browser and for vl-convert (which gets the CJK font from fonts.py)
    return chart.configure(font=FONT_FAMILY).configure_axis(labelFontSize=11, titleFontSize=12)


def no_data_chart(message: str, title: str = "暂无数据 · no data yet") -> alt.TopLevelMixin:
    """A chart that says there is nothing to draw yet (the warehouse is still filling in)."""
    chart = (alt.Chart(pl.DataFrame({"message": [message]}), title=title)
             .mark_text(fontSize=14, color="#777")
             .encode(text="message:N")
             .properties(width=520, height=60, usermeta=NO_DATA_META))
    return _finish(chart)


def is_placeholder(chart: alt.TopLevelMixin) -> bool:
    return chart.to_dict().get("usermeta") == NO_DATA_META


def label(indicator: str) -> str:
    return INDICATORS.get(indicator, (indicator, ""))[0]


def _unit(indicator: str, measure: str) -> str:
    return "%" if measure == "growth_pct" else INDICATORS.get(indicator, ("", ""))[1]


def _use_log(values: pl.Series) -> bool:
    pos = values.filter(values > 0)
    return pos.len() > 1 and pos.min() > 0 and pos.max() / pos.min() >= LOG_SPREAD


def _shown(df: pl.DataFrame, indicator: str, measure: str) -> pl.DataFrame:
    """Rows of one indicator and measure with the value in display units."""
    sub = df.filter((pl.col("indicator") == indicator) & (pl.col("measure") == measure) & pl.col("year").is_not_null())
    scale = YUAN_PER_YI if indicator in MONEY and measure != "growth_pct" else 1.0
    return sub.with_columns(shown=pl.col("value") / scale)


def _axis_title(indicator: str, measure: str, log: bool) -> str:
    unit = _unit(indicator, measure)
    return f"{label(indicator)} {MEASURES.get(measure, measure)}（{unit}）" + ("，对数坐标" if log else "")


def _tooltip() -> list[alt.Tooltip]:
    return [alt.Tooltip("region:N", title="地区"), alt.Tooltip("year:O", title="年份"),
            alt.Tooltip("shown:Q", title="数值", format=",.4~f"), alt.Tooltip("unit:N", title="单位(原始)"),
            alt.Tooltip("evidence:N", title="原文"), alt.Tooltip("source_file:N", title="来源文件")]


def _region_dropdown(regions: list[str]) -> alt.Parameter:
    return alt.selection_point(
        name="region_pick", fields=["region"],
        bind=alt.binding_select(options=[None, *regions], labels=[ALL, *regions], name="地区 "))


def indicator_chart(trends: pl.DataFrame, indicator: str, measure: str = "level",
                    log: bool | None = None) -> alt.TopLevelMixin:
    """One line per region over the years, a point on every value (a region with a single year
    is a point), a dropdown to pick a region, the source sentence in the tooltip. log=None: log
    axis when the values span two orders of magnitude or more."""
    sub = _shown(trends, indicator, measure)
    name = f"{label(indicator)}（{MEASURES.get(measure, measure)}）"
    if sub.is_empty():
        return no_data_chart(f"{name}: 仓库里还没有这个指标的数据 (no {indicator}/{measure} facts yet)")
    if log is None:
        log = measure != "growth_pct" and _use_log(sub["shown"])
    if log:
        sub = sub.filter(pl.col("shown") > 0)  # log axis cannot show zero
    regions = sorted(sub["region"].unique().to_list())
    pick = _region_dropdown(regions)
    y = alt.Y("shown:Q", title=_axis_title(indicator, measure, log),
              scale=alt.Scale(type="log") if log else alt.Scale(zero=measure == "growth_pct"))
    color = alt.Color("region:N", title="地区",
                      legend=alt.Legend(columns=2, symbolLimit=40) if len(regions) <= 40 else None)
    opacity = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.12))
    base = alt.Chart(sub).encode(x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)), y=y, color=color,
                                 tooltip=_tooltip())
    lines = base.mark_line(strokeWidth=2).encode(opacity=opacity)
    points = base.mark_point(filled=True, size=70).encode(opacity=opacity).add_params(pick)
    n_years = sub["year"].n_unique()
    subtitle = f"{len(regions)} 个地区，{n_years} 个年份；下拉框选择地区，悬停查看原文"
    chart = alt.layer(lines, points).properties(
        width=max(320, 90 * n_years), height=320,
        title=alt.Title(f"{name} · 按地区与年份", subtitle=subtitle))
    return _finish(chart)


def indicator_small_multiples(trends: pl.DataFrame, indicator: str, measure: str = "level",
                              columns: int = 5, max_regions: int = 60) -> alt.TopLevelMixin:
    """One small panel per region, each with its own y scale (regions of very different size stay
    readable), ordered by the latest value."""
    sub = _shown(trends, indicator, measure)
    name = f"{label(indicator)}（{MEASURES.get(measure, measure)}）"
    if sub.is_empty():
        return no_data_chart(f"{name}: 仓库里还没有这个指标的数据 (no {indicator}/{measure} facts yet)")
    order = (sub.sort("year").group_by("region").agg(pl.col("shown").last())
             .sort("shown", descending=True)["region"].to_list())
    shown_regions = order[:max_regions]
    sub = sub.filter(pl.col("region").is_in(shown_regions))
    base = alt.Chart().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("shown:Q", title=None, scale=alt.Scale(zero=False, nice=True)),
        tooltip=_tooltip())
    # the value beside each point: a one-year panel has no axis range to read it from
    values = base.mark_text(dy=-9, fontSize=10, color="#333").encode(text=alt.Text("shown:Q", format=",.4~r"))
    layered = alt.layer(base.mark_line(color="#4c78a8"), base.mark_point(filled=True, size=45, color="#4c78a8"),
                        values, data=sub).properties(width=130, height=90)
    more = f"（只画值最大的 {max_regions} 个，共 {len(order)} 个）" if len(order) > max_regions else ""
    chart = (layered.facet(facet=alt.Facet("region:N", sort=shown_regions, title=None,
                                           header=alt.Header(labelFontSize=12)), columns=columns)
             .resolve_scale(y="independent")
             .properties(title=alt.Title(f"{name} · 每个地区一格（{_unit(indicator, measure)}）",
                                         subtitle=f"各格纵轴独立，按最新值排序{more}")))
    return _finish(chart)


def growth_check_chart(checks: pl.DataFrame, tolerance_pp: float = 2.0) -> alt.TopLevelMixin:
    """Stated growth (circle) beside growth computed from consecutive levels (diamond), joined by a
    bar; red where they differ by more than tolerance_pp percentage points."""
    if checks.is_empty():
        return no_data_chart("没有可核对的增速：需要同一地区连续两年的总量和当年的同比增速 "
                             "(no region has a stated growth and two consecutive levels yet)")
    df = checks.with_columns(
        case=pl.format("{} {} {}", pl.col("region"), pl.col("year"),
                       pl.col("indicator").replace_strict(
                           {k: v[0] for k, v in INDICATORS.items()}, default=pl.col("indicator"))),
        verdict=pl.when(pl.col("difference_pp").abs() > tolerance_pp).then(pl.lit("不一致"))
        .otherwise(pl.lit("一致")))
    order = df.sort("difference_pp", descending=True)["case"].to_list()
    long = df.unpivot(index=["case", "verdict", "evidence", "previous_level", "level", "difference_pp"],
                      on=["stated_growth_pct", "computed_growth_pct"], variable_name="kind", value_name="growth")
    long = long.with_columns(kind=pl.col("kind").replace_strict(
        {"stated_growth_pct": "报告所述增速", "computed_growth_pct": "由相邻两年总量算出"}))
    y = alt.Y("case:N", title=None, sort=order)
    colors = alt.Scale(domain=["一致", "不一致"], range=["#4c78a8", "#e45756"])
    tip = [alt.Tooltip("case:N", title="地区/年份/指标"), alt.Tooltip("difference_pp:Q", title="差 (百分点)"),
           alt.Tooltip("previous_level:Q", title="上年总量"), alt.Tooltip("level:Q", title="当年总量"),
           alt.Tooltip("evidence:N", title="原文")]
    bar = alt.Chart(df).mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("stated_growth_pct:Q", title="同比增长（%）"), x2="computed_growth_pct:Q",
        color=alt.Color("verdict:N", title="核对结果", scale=colors), tooltip=tip)
    dots = alt.Chart(long).mark_point(filled=True, size=90).encode(
        y=y, x="growth:Q", shape=alt.Shape("kind:N", title="增速来源",
                                           scale=alt.Scale(range=["circle", "diamond"])),
        color=alt.Color("verdict:N", scale=colors),
        tooltip=[alt.Tooltip("kind:N", title="来源"), alt.Tooltip("growth:Q", title="增速 %"), *tip])
    chart = alt.layer(bar, dots).properties(
        width=460, height=max(60, 24 * len(order)),
        title=alt.Title("报告所述增速 vs 由总量算出的增速", subtitle=f"相差超过 {tolerance_pp:g} 个百分点标红"))
    return _finish(chart)


def value_per_contract_chart(contracts: pl.DataFrame) -> alt.TopLevelMixin:
    """Average value of one technology contract (万元) per region and year, where a report gives
    both the count and the value."""
    sub = contracts.filter(pl.col("per_contract_wan").is_not_null())
    if sub.is_empty():
        return no_data_chart("还没有同时给出合同数和成交额的地区 (no region with both count and value yet)")
    log = _use_log(sub["per_contract_wan"])
    chart = alt.Chart(sub).mark_point(filled=True, size=90).encode(
        x=alt.X("per_contract_wan:Q", title="每份技术合同平均成交额（万元/份）" + ("，对数坐标" if log else ""),
                scale=alt.Scale(type="log") if log else alt.Scale(zero=True)),
        y=alt.Y("region:N", title=None, sort="-x"),
        color=alt.Color("year:O", title="年份"),
        tooltip=[alt.Tooltip("region:N", title="地区"), alt.Tooltip("year:O", title="年份"),
                 alt.Tooltip("count:Q", title="合同数（份）", format=",.0f"),
                 alt.Tooltip("value_yi:Q", title="成交额（亿元）", format=",.2f"),
                 alt.Tooltip("per_contract_wan:Q", title="万元/份", format=",.1f"),
                 alt.Tooltip("value_evidence:N", title="原文")],
    ).properties(width=420, height=max(60, 26 * sub["region"].n_unique()),
                 title=alt.Title("每份技术合同的平均成交额", subtitle="成交额 ÷ 登记合同数"))
    return _finish(chart)


def contract_ranking_chart(contracts: pl.DataFrame, year: int | None = None,
                           each_latest: bool = False) -> alt.TopLevelMixin:
    """Regions ranked by technology-contract value (亿元) in one year (default: the latest year
    that has any value), with the contract count in the label. each_latest: rank every region
    by its own latest figure instead (the year is in the label): reports of different regions
    cover different years, so one year alone may hold few regions."""
    have = contracts.filter(pl.col("value_yi").is_not_null())
    if have.is_empty():
        return no_data_chart("还没有技术合同成交额的数据 (no tech_contract_value facts yet)")
    if each_latest:
        sub = have.sort("year").group_by("region").last()
        title = "各地区最近一年的技术合同成交额排名"
        subtitle = f"{len(sub)} 个地区，各取有数据的最近一年（标签中注明年份）"
    else:
        year = year if year is not None else int(have["year"].max())
        sub = have.filter(pl.col("year") == year)
        title = f"{year} 年各地区技术合同成交额排名"
        subtitle = f"{len(sub)} 个地区有 {year} 年数据；其余地区见“各取最近一年”的排名"
    if sub.is_empty():
        return no_data_chart(f"{year} 年没有技术合同成交额的数据 (no contract value for {year})")
    sub = sub.with_columns(
        text=pl.format("{} 亿元", pl.col("value_yi").round(2))
        + pl.when(pl.col("count").is_not_null()).then(pl.format(" · {} 份", pl.col("count").cast(pl.Int64)))
        .otherwise(pl.lit(""))
        + (pl.format("（{}年）", pl.col("year")) if each_latest else pl.lit("")))
    log = _use_log(sub["value_yi"])
    x = alt.X("value_yi:Q", title="技术合同成交额（亿元）" + ("，对数坐标" if log else ""),
              scale=alt.Scale(type="log") if log else alt.Scale(zero=True))
    y = alt.Y("region:N", title=None, sort="-x")
    base = alt.Chart(sub).encode(y=y, tooltip=[alt.Tooltip("region:N", title="地区"),
                                               alt.Tooltip("value_yi:Q", title="成交额（亿元）", format=",.2f"),
                                               alt.Tooltip("count:Q", title="合同数（份）", format=",.0f"),
                                               alt.Tooltip("value_evidence:N", title="原文")])
    # dots, not bars: a bar's length means nothing on a log axis
    stems = base.mark_rule(color="#bbb").encode(x=x, x2=alt.datum(sub["value_yi"].min() if log else 0))
    dots = base.mark_circle(size=110, color="#4c78a8").encode(x=x)
    text = base.mark_text(align="left", dx=8, fontSize=11).encode(x=x, text="text:N")
    chart = alt.layer(stems, dots, text).properties(
        width=460, height=max(60, 26 * len(sub)),
        title=alt.Title(title, subtitle=subtitle))
    return _finish(chart)


def category_labels() -> dict[str, str]:
    """Canonical section category -> short Chinese label, from the pipeline's dictionary."""
    import re
    import tomllib

    from pipelines.extract.dictionaries import load_toml

    labels = dict(CATEGORY_LABELS)
    try:
        cats = load_toml("section_categories.toml").get("category", [])
    except (OSError, tomllib.TOMLDecodeError):
        return labels  # the dictionary is optional here: fall back to the built-in labels
    for cat in cats:
        if cat.get("name") and cat.get("label") and cat["name"] not in labels:
            labels[cat["name"]] = re.split(r"[、，（(]", cat["label"])[0]
    return labels


def section_category_chart(categories: pl.DataFrame, top: int = 20) -> alt.TopLevelMixin:
    """How many reports have a top-level section of each canonical category, by doc type."""
    if categories.is_empty():
        return no_data_chart("还没有抽取到章节 (the sections table is empty)")
    names = category_labels()
    categories = categories.with_columns(category=pl.format(
        "{} {}", pl.col("category"), pl.col("category").replace_strict(names, default=pl.lit(""))).str.strip_chars())
    keep = (categories.group_by("category").agg(pl.col("n_reports").sum())
            .sort("n_reports", descending=True).head(top)["category"].to_list())
    sub = categories.filter(pl.col("category").is_in(keep))
    chart = alt.Chart(sub).mark_bar().encode(
        x=alt.X("n_reports:Q", title="含此类一级章节的报告数", stack="zero"),
        y=alt.Y("category:N", title="章节类别", sort=keep),
        color=alt.Color("doc_type:N", title="报告类型"),
        tooltip=[alt.Tooltip("category:N", title="类别"), alt.Tooltip("doc_type:N", title="报告类型"),
                 alt.Tooltip("n_reports:Q", title="报告数"), alt.Tooltip("n_sections:Q", title="章节数")],
    ).properties(width=420, height=max(60, 22 * len(keep)), title="各报告的一级章节类别")
    return _finish(chart)


def top_terms_chart(top_terms: pl.DataFrame, by: str = "report_year") -> alt.TopLevelMixin:
    """Top terms of each category (rows) per year or admin level (columns)."""
    by_label = "报告年份" if by == "report_year" else "行政级别"
    if top_terms.is_empty():
        return no_data_chart(f"「存在的问题」「下一步」章节还没有词频 (no terms by {by} yet)")
    df = top_terms.with_columns(
        category=pl.col("category").replace_strict(CATEGORY_LABELS, default=pl.col("category")),
        grp=pl.col("grp").replace_strict(ADMIN_LEVELS, default=pl.col("grp")))
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("count:Q", title="出现次数"),
        y=alt.Y("term:N", title=None, sort="-x"),
        color=alt.Color("category:N", title="章节", legend=None),
        tooltip=[alt.Tooltip("term:N", title="词"), alt.Tooltip("count:Q", title="次数"),
                 alt.Tooltip("n_reports:Q", title="报告数"), alt.Tooltip("grp:N", title=by_label)],
    ).properties(width=150, height=alt.Step(14)).facet(
        row=alt.Row("category:N", title=None, header=alt.Header(labelFontSize=13, labelAngle=0)),
        column=alt.Column("grp:N", title=by_label, header=alt.Header(labelFontSize=12)),
    ).resolve_scale(y="independent", x="independent").properties(
        title=f"「存在的问题」与「下一步」章节的高频词（按{by_label}）")
    return _finish(chart)


def term_trend_chart(trends: pl.DataFrame) -> alt.TopLevelMixin:
    """Frequency per 1,000 terms of each year for the most frequent terms; a dropdown picks a term."""
    if trends.is_empty():
        return no_data_chart("还没有按年份的词频 (no term counts with a report year yet)")
    terms = sorted(trends["term"].unique().to_list())
    pick = alt.selection_point(name="term_pick", fields=["term"],
                               bind=alt.binding_select(options=[None, *terms], labels=[ALL, *terms], name="词 "))
    opacity = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.1))
    base = alt.Chart(trends).encode(
        x=alt.X("year:O", title="报告年份", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("per_mille:Q", title="每千词出现次数（‰）"),
        color=alt.Color("term:N", title="词"), opacity=opacity,
        tooltip=[alt.Tooltip("term:N", title="词"), alt.Tooltip("year:O", title="年份"),
                 alt.Tooltip("count:Q", title="次数"), alt.Tooltip("n_reports:Q", title="含此词的报告数"),
                 alt.Tooltip("terms_in_year:Q", title="当年总词数"), alt.Tooltip("per_mille:Q", title="‰")])
    chart = alt.layer(base.mark_line(), base.mark_point(filled=True, size=60).add_params(pick)).properties(
        width=max(320, 90 * trends["year"].n_unique()), height=300,
        title=alt.Title("高频词的年度变化", subtitle="「存在的问题」「下一步」章节；按当年总词数归一"))
    return _finish(chart)


def coverage_grid_chart(grid: pl.DataFrame) -> alt.TopLevelMixin:
    """Regions × report years: how many reports, which doc types, how many carry facts."""
    if grid.is_empty():
        return no_data_chart("仓库里还没有报告 (the reports table is empty)")
    regions = grid["region"].n_unique()
    grid = grid.with_columns(status=pl.when(pl.col("n_with_facts") > 0).then(pl.lit("含指标数字"))
                             .otherwise(pl.lit("仅有报告")))
    base = alt.Chart(grid).encode(
        x=alt.X("year:O", title="报告年份", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("region:N", title=None, sort="ascending"))
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("status:N", title="", scale=alt.Scale(domain=["含指标数字", "仅有报告"],
                                                              range=["#2f6eb5", "#a9c6e8"])),
        tooltip=[alt.Tooltip("region:N", title="地区"), alt.Tooltip("year:N", title="年份"),
                 alt.Tooltip("n_reports:Q", title="报告数"), alt.Tooltip("doc_types:N", title="报告类型"),
                 alt.Tooltip("n_with_facts:Q", title="含指标数字的报告")])
    marks = base.mark_text(fontSize=10, color="white").encode(text=alt.Text("n_reports:Q"))
    chart = alt.layer(cells, marks).properties(
        width=max(200, 50 * grid["year"].n_unique()), height=alt.Step(16),
        title=alt.Title("覆盖范围：地区 × 年份",
                        subtitle=f"{regions} 个地区；数字=报告数，深色=其中有报告含指标数字"))
    return _finish(chart)


def coverage_chart(coverage: pl.DataFrame) -> alt.TopLevelMixin:
    """Reports by doc type and admin level, and how many of them carry indicator facts."""
    if coverage.is_empty():
        return no_data_chart("仓库里还没有报告 (the reports table is empty)")
    df = coverage.with_columns(admin_level=pl.col("admin_level").replace_strict(ADMIN_LEVELS,
                                                                               default=pl.col("admin_level")))
    long = df.with_columns(without=pl.col("n_reports") - pl.col("n_with_facts")).unpivot(
        index=["doc_type", "admin_level"], on=["n_with_facts", "without"], variable_name="kind", value_name="n")
    long = long.with_columns(kind=pl.col("kind").replace_strict({"n_with_facts": "含指标数字", "without": "不含"}))
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("n:Q", title="报告数", stack="zero", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("admin_level:N", title=None),
        color=alt.Color("kind:N", title="", scale=alt.Scale(domain=["含指标数字", "不含"],
                                                            range=["#4c78a8", "#c7c7c7"])),
        row=alt.Row("doc_type:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=[alt.Tooltip("doc_type:N", title="报告类型"), alt.Tooltip("admin_level:N", title="级别"),
                 alt.Tooltip("kind:N", title=""), alt.Tooltip("n:Q", title="报告数")],
    ).properties(width=360, title="报告类型 × 行政级别").resolve_scale(y="independent")
    return _finish(chart)


def evidence_chart(status: pl.DataFrame) -> alt.TopLevelMixin:
    """Facts per indicator by whether their source sentence and figure span are there."""
    if status.is_empty():
        return no_data_chart("还没有抽取到指标数字 (the indicators table is empty)")
    df = status.with_columns(label=pl.col("indicator").replace_strict(
        {k: v[0] for k, v in INDICATORS.items()}, default=pl.col("indicator")))
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("n_facts:Q", title="指标数字个数", stack="zero"),
        y=alt.Y("label:N", title=None, sort="-x"),
        color=alt.Color("status:N", title="可追溯性"),
        tooltip=[alt.Tooltip("label:N", title="指标"), alt.Tooltip("status:N", title="状态"),
                 alt.Tooltip("n_facts:Q", title="个数")],
    ).properties(width=420, height=alt.Step(20), title="每个数字都能找到原文吗？")
    return _finish(chart)


def rejections_chart(rejections: pl.DataFrame) -> alt.TopLevelMixin:
    if rejections.is_empty():
        return no_data_chart("没有被拒收的文件 (no rejected files)", title="被拒收的文件")
    chart = alt.Chart(rejections).mark_bar(color="#e45756").encode(
        x=alt.X("n_files:Q", title="文件数"), y=alt.Y("reason:N", title="原因", sort="-x"),
        tooltip=[alt.Tooltip("reason:N", title="原因"), alt.Tooltip("n_files:Q", title="文件数"),
                 alt.Tooltip("examples:N", title="例子")],
    ).properties(width=420, height=alt.Step(22), title="被拒收的文件及原因")
    return _finish(chart)


# --- every chart, and the export ---------------------------------------------------------------

def build_all(con: duckdb.DuckDBPyConnection) -> dict[str, alt.TopLevelMixin]:
    """Every chart of the notebooks, by file name (placeholders included, so a missing one shows)."""
    trends = load_indicator_trends(con)
    charts: dict[str, alt.TopLevelMixin] = {}
    for ind in ENTERPRISE_INDICATORS:
        for measure in MEASURES:
            charts[f"01_{ind}_{measure}"] = indicator_chart(trends, ind, measure)
        charts[f"01_{ind}_by_region"] = indicator_small_multiples(trends, ind)
    charts["01_growth_checks"] = growth_check_chart(load_growth_checks(con, ENTERPRISE_INDICATORS))
    contracts = contracts_frame(trends)
    for ind in CONTRACT_INDICATORS:
        charts[f"02_{ind}"] = indicator_chart(trends, ind)
    charts["02_value_per_contract"] = value_per_contract_chart(contracts)
    charts["02_ranking_latest_year"] = contract_ranking_chart(contracts)
    charts["02_ranking_each_latest"] = contract_ranking_chart(contracts, each_latest=True)
    charts["03_section_categories"] = section_category_chart(load_section_categories(con))
    charts["03_top_terms_by_year"] = top_terms_chart(load_top_terms(con, "report_year"), "report_year")
    charts["03_top_terms_by_level"] = top_terms_chart(load_top_terms(con, "admin_level"), "admin_level")
    charts["03_term_trends"] = term_trend_chart(load_term_trends(con))
    charts["04_coverage_grid"] = coverage_grid_chart(load_coverage_grid(con))
    charts["04_coverage"] = coverage_chart(load_coverage(con))
    charts["04_evidence"] = evidence_chart(load_evidence_status(con))
    charts["04_rejections"] = rejections_chart(load_rejections(con))
    return charts


def export(charts: dict[str, alt.TopLevelMixin], out_dir: str | os.PathLike, scale: float = 2.0) -> list[Path]:
    """Write <name>.png (vl-convert, with the CJK font registered) and a standalone <name>.html
    (Vega JavaScript inlined, opens without internet) for every chart."""
    import vl_convert

    from pipelines.fonts import register_cjk_font

    register_cjk_font()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, chart in charts.items():
        png, page = out / f"{name}.png", out / f"{name}.html"
        png.write_bytes(vl_convert.vegalite_to_png(chart.to_dict(), scale=scale))
        chart.save(str(page), format="html", inline=True)
        written += [png, page]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.charts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write every chart as PNG and standalone HTML into DIR")
    ex.add_argument("dir")
    ex.add_argument("--warehouse", help="default: $GOVREPORTS_WAREHOUSE or warehouse/reports.duckdb")
    args = parser.parse_args(argv)
    con = open_warehouse(args.warehouse)
    try:
        charts = build_all(con)
    finally:
        con.close()
    written = export(charts, args.dir)
    empty = [n for n, c in charts.items() if is_placeholder(c)]
    print(f"wrote {len(written)} files for {len(charts)} charts to {args.dir}"
          + (f"; no data yet for {len(empty)}: {', '.join(empty)}" if empty else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
