"""Labels and display units of indicators, measures, section categories and admin levels: the one
place the notebooks, the charts and the exports take them from.

The indicator dictionary (pipelines/dictionaries/indicator_cues.toml) owns labels and units; the
warehouse's ``dim_indicator`` table is built from it. :func:`use_warehouse_labels`, called by
``open_warehouse``, takes them from the warehouse being read; until then (or for a warehouse
built without the table) they are the dictionary's own.
"""

from __future__ import annotations

import re
import tomllib

import duckdb


def _dictionary() -> tuple[dict[str, tuple[str, str]], frozenset[str]]:
    from pipelines.extract.indicators import indicator_dimension

    dims = indicator_dimension()
    return ({d["indicator"]: (d["label"], d["display_unit"]) for d in dims},
            frozenset(d["indicator"] for d in dims if d["kind"] == "money"))


# code -> (Chinese label, unit shown on the axis); money (MONEY) is shown in 亿元 (value / 1e8)
INDICATORS, MONEY = _dictionary()
YUAN_PER_YI = 1e8
MEASURES: dict[str, str] = {"level": "总量", "new": "当年新增", "growth_pct": "同比增长"}
ENTERPRISE_INDICATORS = ("high_tech_enterprises", "tech_smes", "tech_enterprises")
CONTRACT_INDICATORS = ("tech_contract_count", "tech_contract_value")
CATEGORY_LABELS: dict[str, str] = {"problems": "存在的问题", "next_steps": "下一步工作"}
ADMIN_LEVELS: dict[str, str] = {"national": "全国", "province": "省级", "prefecture": "地级", "county": "县级"}


def label(indicator: str) -> str:
    """The Chinese name of an indicator (its code when unknown)."""
    return INDICATORS.get(indicator, (indicator, ""))[0]


def unit(indicator: str, measure: str = "level") -> str:
    """The unit a value is shown in: % for a growth rate, 亿元 for money, else the count's unit."""
    return "%" if measure == "growth_pct" else INDICATORS.get(indicator, ("", ""))[1]


def use_warehouse_labels(con: duckdb.DuckDBPyConnection) -> bool:
    """Take labels and display units from the warehouse's ``dim_indicator`` table (built from the
    indicator dictionary) when it has one; True if it did. A warehouse without it (built by an
    older version) keeps the labels above."""
    cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() "
                                      "WHERE table_name = 'dim_indicator'").fetchall()}
    if not {"indicator", "label"} <= cols:
        return False
    shown = "display_unit" if "display_unit" in cols else "unit"
    for ind, lab, un in con.execute(f"SELECT indicator, label, {shown} FROM dim_indicator").fetchall():
        if ind in MONEY or un == "yuan":
            un = "亿元"  # the charts divide money by YUAN_PER_YI
        INDICATORS[ind] = (lab or ind, "%" if un == "percent" else (un or ""))
    return True


def category_labels() -> dict[str, str]:
    """Canonical section category -> short Chinese label, from the pipeline's dictionary."""
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
