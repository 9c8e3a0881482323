"""Altair charts of the analyst notebooks: each function takes the small frames of
pipelines.analysis.queries and returns a chart; when a frame has nothing to draw it returns a
"no data yet" chart (see ``is_placeholder``) instead of failing, so a notebook runs top to bottom
on a warehouse that is still filling in."""

from __future__ import annotations

import altair as alt
import polars as pl

from pipelines.analysis.labels import (
    ADMIN_LEVELS,
    CATEGORY_LABELS,
    INDICATORS,
    MEASURES,
    MONEY,
    YUAN_PER_YI,
    category_labels,
    label,
    unit,
)
from pipelines.fonts import FONT_FAMILY

# spread (max / min of positive values) from which a log axis is used
LOG_SPREAD = 100.0
ALL = "全部"
NO_DATA_META = {"govreports": "no-data"}


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


def _use_log(values: pl.Series) -> bool:
    pos = values.filter(values > 0)
    return pos.len() > 1 and pos.min() > 0 and pos.max() / pos.min() >= LOG_SPREAD


def _shown(df: pl.DataFrame, indicator: str, measure: str) -> pl.DataFrame:
    """Rows of one indicator and measure with the value in display units."""
    sub = df.filter((pl.col("indicator") == indicator) & (pl.col("measure") == measure) & pl.col("year").is_not_null())
    scale = YUAN_PER_YI if indicator in MONEY and measure != "growth_pct" else 1.0
    return sub.with_columns(shown=pl.col("value") / scale)


def _axis_title(indicator: str, measure: str, log: bool) -> str:
    shown = unit(indicator, measure)
    return f"{label(indicator)} {MEASURES.get(measure, measure)}（{shown}）" + ("，对数坐标" if log else "")


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
        # slanted: seven or more years side by side do not fit a 130-pixel panel level
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=-45, labelFontSize=9)),
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
             .properties(title=alt.Title(f"{name} · 每个地区一格（{unit(indicator, measure)}）",
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
