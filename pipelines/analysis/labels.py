"""Labels and display units of indicators, measures, section categories and admin levels: the one
place the notebooks, the charts and the exports take them from.

The indicator dictionary (pipelines/dictionaries/indicator_cues.toml) holds the wordings the
extraction reads, not display labels; when the warehouse has a ``dim_indicator`` table (indicator,
label, unit, ...), :func:`use_warehouse_labels` takes the labels and units from it instead.
"""

from __future__ import annotations

import re
import tomllib

import duckdb

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


def label(indicator: str) -> str:
    """The Chinese name of an indicator (its code when unknown)."""
    return INDICATORS.get(indicator, (indicator, ""))[0]


def unit(indicator: str, measure: str = "level") -> str:
    """The unit a value is shown in: % for a growth rate, 亿元 for money, else the count's unit."""
    return "%" if measure == "growth_pct" else INDICATORS.get(indicator, ("", ""))[1]


def use_warehouse_labels(con: duckdb.DuckDBPyConnection) -> bool:
    """Take labels and units from the warehouse's ``dim_indicator`` table when it has one
    (columns indicator, label, unit); True if it did. Money stays shown in 亿元."""
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dim_indicator'").fetchone()[0]
    if not has:
        return False
    cols = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() "
                                      "WHERE table_name = 'dim_indicator'").fetchall()}
    if not {"indicator", "label", "unit"} <= cols:
        return False
    for ind, lab, un in con.execute("SELECT indicator, label, unit FROM dim_indicator").fetchall():
        shown = "亿元" if ind in MONEY or un == "yuan" else ("%" if un == "percent" else un)
        INDICATORS[ind] = (lab or ind, shown or "")
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
