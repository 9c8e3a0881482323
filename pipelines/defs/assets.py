"""Assets: raw layer -> core layer -> out layer (views) -> the published warehouse file.

Assets don't pass data through Dagster's IO managers: each writes its tables into the
pipeline's DuckDB build file itself and returns counts as metadata. (The stock
DuckDB-Polars IO manager also breaks on DuckDB 2.0, and the event log grows with every
frame it stores.)
"""


import dagster as dg

from pipelines import stages, store
from pipelines.defs.checks import run_checks, specs_for
from pipelines.defs.resources import WarehouseResource

RAW = [dg.AssetSpec("raw_documents", group_name="raw", description="Decoded report texts, one per distinct text."),
       dg.AssetSpec("rejected_files", group_name="raw", description="Files and records not loaded, with the reason.")]
CORE = [dg.AssetSpec(t, group_name="core", deps=["raw_documents"], description=d) for t, d in (
    ("reports", "One row per report: doc type, issuer, region, province, admin level, years, dates."),
    ("sections", "The heading tree of every report with canonical categories."),
    ("quantities", "Every number with its unit, normalised, with sentence and span."),
    ("indicators", "Canonical indicator facts with year, cue, rule and evidence sentence."),
    ("section_terms", "Term counts per report section (rjieba; the view terms: one row per term)."),
)]


RAW_KEYS = ["raw_documents", "rejected_files"]
CORE_KEYS = [s.key.to_user_string() for s in CORE]


@dg.multi_asset(specs=RAW, check_specs=specs_for(RAW_KEYS), can_subset=False)
def raw_layer(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Scan the raw folder; decode new or changed files; record rejections and duplicates."""
    paths = warehouse.paths
    files = stages.listing(paths.raw_dir, paths.warehouse, warehouse.workers or None)
    how = store.prepare_work_db(paths)
    context.log.info(f"build file {paths.work_db.name}: {how}")
    with store.connect(paths.work_db) as con:
        s = stages.ingest(con, paths.raw_dir, context.log.info, files)
        checks = list(run_checks(con, RAW_KEYS))
    context.log.info(f"raw: {s.files} files ({s.files_unchanged} unchanged), {s.added} new documents, "
                     f"{s.removed} removed, {s.rejected} rejected")
    yield dg.MaterializeResult(asset_key="raw_documents", metadata={
        "documents": s.documents, "added": s.added, "removed": s.removed, "files": s.files,
        "files_unchanged": s.files_unchanged, "raw_dir": str(paths.raw_dir)})
    yield dg.MaterializeResult(asset_key="rejected_files", metadata={
        "rejected": s.rejected, "duplicates": s.duplicates, **{f"reason: {k}": v for k, v in s.reasons.items()}})
    yield from checks


@dg.multi_asset(specs=CORE, check_specs=specs_for(CORE_KEYS), can_subset=False)
def core_layer(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Extract metadata, sections, quantities, indicator facts and terms from new documents."""
    paths = warehouse.paths
    with store.connect(paths.work_db) as con:
        s = stages.extract(con, context.log.info, workers=warehouse.workers or None)
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in store.CORE_TABLES}
        checks = list(run_checks(con, CORE_KEYS, build_no=int(store.get_state(con, "build_no") or 0)))
    context.log.info(f"core: extracted {s.extracted} documents, removed {s.removed}"
                     + (" (extractor changed: full rebuild)" if s.full_rebuild else ""))
    for t in store.CORE_TABLES:
        yield dg.MaterializeResult(asset_key=t, metadata={
            "rows": counts[t], "rows_added": s.rows.get(t, 0), "documents_extracted": s.extracted})
    yield from checks


@dg.asset(group_name="out", deps=[spec.key for spec in CORE])
def analyst_views(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The analyst views of warehouse/views/*.sql (indicator_trends, region_year_facts, ...)."""
    with store.connect(warehouse.paths.work_db) as con:
        names = store.apply_views(con)
    context.log.info(f"views: {', '.join(names)}")
    return dg.MaterializeResult(metadata={"views": ", ".join(names)})


@dg.asset(group_name="out", deps=[analyst_views], check_specs=[dg.AssetCheckSpec(
    "published_matches_build", asset="published_warehouse",
    description="The published file opens read-only and holds the same rows as the build.")])
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The DuckDB file analysts open: this run's build file, linked in by an atomic rename."""
    paths = warehouse.paths
    work = paths.work_db  # before publishing: afterwards it is the published one
    copied = store.publish(paths)
    target = paths.warehouse
    tables = ("raw_documents", "rejected_files", *store.CORE_TABLES)
    built, published = store.table_counts(work, tables), store.table_counts(target, tables)
    context.log.info(f"published {target}: {published}" if copied else f"{target} already up to date: {published}")
    return dg.MaterializeResult(
        metadata={"path": str(target), "copied": copied, **published,
                  "size_mb": round(target.stat().st_size / 2**20, 2)},
        check_results=[dg.AssetCheckResult(check_name="published_matches_build", passed=built == published,
                                           metadata={"built": str(built), "published": str(published)})])
