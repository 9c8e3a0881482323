"""Asset checks: the warehouse's promises, shown in the Dagster UI after every run.

Each check is a query over the build file; tests can run them directly with
:func:`evaluate`. The assets declare them as ``check_specs`` and evaluate them at the end
of their own step: one step per check would add ~80 ms of Dagster overhead each to every
run, and a run on an unchanged folder should be near-instant. ERROR = a promise is broken;
WARN = data an analyst should look at, the load itself is sound.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb

WARN, ERROR = dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR


@dataclass(frozen=True)
class Check:
    asset: str
    name: str
    description: str
    sql: str  # rows returned = problems found
    severity: dg.AssetCheckSeverity = ERROR


def _unique(table: str, cols: str) -> Check:
    return Check(table, f"{table}_key_unique", f"({cols}) is unique in {table}.",
                 f'SELECT {cols}, count(*) AS n FROM "{table}" GROUP BY ALL HAVING count(*) > 1')


# The keys of reports, sections, quantities and indicators are PRIMARY KEYs: DuckDB refuses a
# duplicate at insert, so no check repeats them (grouping 1.8 M sections took 0.4 s a run at
# 100,000 reports). A file name is not a key: two files may hold one text.
CHECKS: list[Check] = [
    _unique("raw_documents", "source_file"),
    Check("rejected_files", "no_rejected_files", "Files and records that were not loaded, with the reason.",
          "SELECT source_file, reason, detail FROM rejected_files ORDER BY reason, source_file", WARN),
    Check("reports", "reports_have_region_and_year", "Every report has a region and a report year, or is listed.",
          "SELECT source_file, region, report_year FROM reports WHERE region IS NULL OR report_year IS NULL "
          "ORDER BY 1", WARN),
    Check("reports", "every_document_extracted", "Every document of raw_documents has its row in reports.",
          "SELECT source_file FROM raw_documents WHERE report_id NOT IN (SELECT report_id FROM reports)"),
    Check("sections", "section_spans_valid", "Section spans lie inside their report's text.", """
          SELECT s.report_id, s.position FROM sections s JOIN raw_documents d USING (report_id)
          WHERE s.char_start < 0 OR s.char_end > d.n_chars OR s.char_end < s.char_start"""),
    Check("indicators", "indicator_values_plausible", "Indicator values and years are in plausible ranges.", """
          SELECT indicator, measure, value, unit, year, evidence FROM indicators
          WHERE (value < 0 AND measure <> 'growth_pct')
             OR (measure = 'growth_pct' AND (value < -100 OR value > 10000))
             OR (unit = 'yuan' AND value > 1e14)
             OR (unit = 'percent' AND measure <> 'growth_pct' AND value > 100)
             OR (unit NOT IN ('yuan', 'percent') AND value > 1e7)
             OR (year IS NOT NULL AND (year < 1978 OR year > extract(year FROM current_date) + 1))"""),
    Check("indicators", "indicators_have_evidence",
          "Every fact carries its evidence sentence and a span inside its report's text.", """
          SELECT i.report_id, i.fact_no FROM indicators i JOIN raw_documents d USING (report_id)
          WHERE coalesce(i.evidence, '') = '' OR i.char_start < 0 OR i.char_end > d.n_chars
             OR i.char_end <= i.char_start OR i.raw_char_end > d.raw_n_chars"""),
]


def specs_for(assets: list[str]) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(c.name, asset=c.asset, description=c.description) for c in CHECKS if c.asset in assets]


def evaluate(con: duckdb.DuckDBPyConnection, check: Check) -> dg.AssetCheckResult:
    rows = con.execute(f"SELECT * FROM ({check.sql}) LIMIT 20").fetchall()
    n = con.execute(f"SELECT count(*) FROM ({check.sql})").fetchone()[0] if len(rows) == 20 else len(rows)
    return dg.AssetCheckResult(asset_key=check.asset, check_name=check.name, passed=not rows, severity=check.severity,
                               metadata={"problems": n, "examples": "\n".join(map(str, rows[:10]))})


def run_checks(con: duckdb.DuckDBPyConnection, assets: list[str]) -> Iterator[dg.AssetCheckResult]:
    for check in CHECKS:
        if check.asset in assets:
            yield evaluate(con, check)
