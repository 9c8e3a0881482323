"""Asset checks: the warehouse's promises, visible in the Dagster UI after every run.

Each check runs one query from ``warehouse/checks/*.sql``-style SQL kept here beside it
because it is short; a check fails (ERROR) when a promise is broken and warns (WARN) when
data needs an analyst's attention but the load itself is sound.
"""


import dagster as dg

from pipelines import store
from pipelines.defs.resources import WarehouseResource

# Plausible bounds per unit: a value outside is almost surely an extraction error.
BOUNDS_SQL = """
SELECT indicator, measure, value, unit, evidence FROM indicators
WHERE value < 0 AND measure <> 'growth_pct'
   OR (measure = 'growth_pct' AND (value < -100 OR value > 10000))
   OR (unit = 'yuan' AND value > 1e14)
   OR (unit = 'percent' AND measure <> 'growth_pct' AND value > 100)
   OR (unit NOT IN ('yuan', 'percent') AND value > 1e7)
   OR (year IS NOT NULL AND (year < 1978 OR year > extract(year FROM current_date) + 1))
LIMIT 20
"""


def _query(warehouse: WarehouseResource, sql: str) -> list[tuple]:
    with store.connect(warehouse.paths.work_db, read_only=False) as con:
        return con.execute(sql).fetchall()


def _unique_check(asset: str, cols: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name=f"{asset}_key_unique", description=f"({cols}) is unique in {asset}.")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        dups = _query(warehouse, f'SELECT {cols}, count(*) FROM "{asset}" GROUP BY ALL HAVING count(*) > 1 LIMIT 5')
        return dg.AssetCheckResult(passed=not dups, metadata={"duplicate_keys": str(dups)})

    return _check


@dg.asset_check(asset="reports", description="Every report has a region and a report year, or is listed here.")
def reports_have_region_and_year(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _query(warehouse, "SELECT source_file, region IS NULL, report_year IS NULL FROM reports "
                             "WHERE region IS NULL OR report_year IS NULL ORDER BY 1")
    return dg.AssetCheckResult(
        passed=not rows, severity=dg.AssetCheckSeverity.WARN,
        metadata={"flagged": len(rows), "examples": ", ".join(r[0] for r in rows[:20])})


@dg.asset_check(asset="indicators", description="Indicator values and years are in plausible ranges.")
def indicator_values_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _query(warehouse, BOUNDS_SQL)
    return dg.AssetCheckResult(passed=not rows, metadata={"implausible": len(rows),
                                                          "examples": "\n".join(map(str, rows[:5]))})


@dg.asset_check(asset="indicators", description="Every fact carries its evidence sentence and a valid span.")
def indicators_have_evidence(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _query(warehouse, """
        SELECT i.report_id, i.fact_no FROM indicators i JOIN raw_documents d USING (report_id)
        WHERE coalesce(i.evidence, '') = '' OR i.char_start < 0 OR i.char_end > length(d.clean_text)
           OR i.char_end <= i.char_start OR i.raw_char_end > length(d.raw_text)
        LIMIT 20""")
    return dg.AssetCheckResult(passed=not rows, metadata={"without_evidence": len(rows)})


@dg.asset_check(asset="sections", description="Section spans lie inside their report's text.")
def section_spans_valid(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _query(warehouse, """
        SELECT s.report_id, s.position FROM sections s JOIN raw_documents d USING (report_id)
        WHERE s.char_start < 0 OR s.char_end > length(d.clean_text) OR s.char_end < s.char_start LIMIT 20""")
    return dg.AssetCheckResult(passed=not rows, metadata={"bad_spans": len(rows)})


@dg.asset_check(asset="rejected_files", description="Files that were not loaded (a warning, not a failure).")
def no_rejected_files(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _query(warehouse, "SELECT reason, count(*) FROM rejected_files GROUP BY 1 ORDER BY 2 DESC")
    return dg.AssetCheckResult(passed=not rows, severity=dg.AssetCheckSeverity.WARN,
                               metadata={r[0]: r[1] for r in rows})


@dg.asset_check(asset="reports", description="Every document in raw_documents has been extracted.")
def every_document_extracted(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _query(warehouse, "SELECT source_file FROM raw_documents "
                             "WHERE report_id NOT IN (SELECT report_id FROM reports) LIMIT 20")
    return dg.AssetCheckResult(passed=not rows, metadata={"missing": ", ".join(r[0] for r in rows)})


@dg.asset_check(asset="published_warehouse", description="The published file opens read-only and matches the build.")
def published_matches_build(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    tables = ("raw_documents", "rejected_files", *store.CORE_TABLES)
    built = store.table_counts(warehouse.paths.work_db, tables)
    published = store.table_counts(warehouse.paths.warehouse, tables)
    return dg.AssetCheckResult(passed=built == published, metadata={"built": str(built), "published": str(published)})


CHECKS = [
    _unique_check("reports", "report_id"),
    _unique_check("sections", "report_id, position"),
    _unique_check("indicators", "report_id, fact_no"),
    _unique_check("raw_documents", "source_file"),
    reports_have_region_and_year,
    indicator_values_plausible,
    indicators_have_evidence,
    section_spans_valid,
    no_rejected_files,
    every_document_extracted,
    published_matches_build,
]
