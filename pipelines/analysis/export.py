"""Every chart of the notebooks, built from a warehouse, and its export to PNG + standalone HTML.

    python -m pipelines.charts export DIR [--warehouse FILE]   # every chart as DIR/<name>.png/.html
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import duckdb

from pipelines.analysis.charts import (
    contract_ranking_chart,
    coverage_chart,
    coverage_grid_chart,
    evidence_chart,
    growth_check_chart,
    indicator_chart,
    indicator_small_multiples,
    is_placeholder,
    rejections_chart,
    section_category_chart,
    term_trend_chart,
    top_terms_chart,
    value_per_contract_chart,
)
from pipelines.analysis.labels import CONTRACT_INDICATORS, ENTERPRISE_INDICATORS, MEASURES
from pipelines.analysis.queries import (
    contracts_frame,
    load_coverage,
    load_coverage_grid,
    load_evidence_status,
    load_growth_checks,
    load_indicator_trends,
    load_rejections,
    load_section_categories,
    load_term_trends,
    load_top_terms,
    open_warehouse,
)


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
    charts["02_growth_checks"] = growth_check_chart(load_growth_checks(con, CONTRACT_INDICATORS))
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
