"""Assets: raw layer -> core layer -> out layer (views) -> the published warehouse file.

Assets don't pass data through Dagster's IO managers: each writes its tables into the
pipeline's DuckDB build file itself and returns counts as metadata. (An IO manager would
store every frame it hands over in the event log, which grows with the corpus, and the build
is incremental by content hash, which such frames know nothing of.)
"""


import contextlib
import errno

import dagster as dg
import duckdb

from pipelines import stages, store
from pipelines.defs.checks import run_checks, specs_for
from pipelines.defs.resources import WarehouseResource

RAW = [dg.AssetSpec("raw_documents", group_name="raw", description="Decoded report texts, one per distinct text."),
       dg.AssetSpec("rejected_files", group_name="raw", description="Files and records not loaded, with the reason.")]
CORE = [dg.AssetSpec(t, group_name="core", deps=["raw_documents"], description=d) for t, d in (
    ("reports", "One row per report: doc type, issuer, region, province, admin level, years, dates."),
    ("report_texts", "The cleaned text of every report (what the spans of the other tables index)."),
    ("sections", "The heading tree of every report with canonical categories."),
    ("quantities", "Every number with its unit, normalised, with sentence and span."),
    ("indicators", "Canonical indicator facts with year, cue, rule and evidence sentence."),
    ("indicator_candidates", "Every figure weighed as an indicator fact, accepted or not, with score and reason."),
    ("section_terms", "Term counts per report section (rjieba; the view terms: one row per term)."),
)]


@contextlib.contextmanager
def failing_safely(paths, log, run: stages.Run | None = None):
    """Every way out of a failed step: the worker pool stopped, the build lock released, and a
    build file a full disk or an I/O error may have damaged removed, so the next run starts
    from the published build instead of resuming a file it cannot replay. The error itself
    is raised unchanged ("No space left on device", not a secondary one)."""
    try:
        yield
    except BaseException as exc:
        if run is not None:
            run.workers.close()
        # (a lock conflict is a RuntimeError from store.connect: never a reason to remove a file)
        damaged = (isinstance(exc, duckdb.IOException | duckdb.FatalException)
                   or (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT))
                   or (isinstance(exc, duckdb.Error) and ("No space left" in str(exc) or "invalidated" in str(exc))))
        if damaged:
            store.discard_work_db(paths)
            log.error(f"build file {paths.work_db.name} removed after {type(exc).__name__}: {exc}; "
                      "the published warehouse is unchanged and the next run starts from it")
        store.release_build_lock(paths)
        raise


RAW_KEYS = ["raw_documents", "rejected_files"]
CORE_KEYS = [s.key.to_user_string() for s in CORE]


@dg.multi_asset(specs=RAW, check_specs=specs_for(RAW_KEYS), can_subset=False)
def raw_layer(context: dg.AssetExecutionContext, warehouse: WarehouseResource, run: dg.ResourceParam[stages.Run]):
    """Scan the raw folder; decode new or changed files; record rejections and duplicates."""
    paths = warehouse.paths
    with failing_safely(paths, context.log, run):
        store.acquire_build_lock(paths, progress=context.log.info)  # held until publish
        stages.check_raw_dir(paths.raw_dir)
        run.workers.resize(warehouse.workers)
        files = stages.listing(run, paths.raw_dir, paths.warehouse)
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
def core_layer(context: dg.AssetExecutionContext, warehouse: WarehouseResource, run: dg.ResourceParam[stages.Run]):
    """Extract metadata, sections, quantities, indicator facts and terms from new documents."""
    paths = warehouse.paths
    with failing_safely(paths, context.log, run), store.connect(paths.work_db) as con:
        store.acquire_build_lock(paths, progress=context.log.info)  # (a step run on its own)
        run.workers.resize(warehouse.workers)
        s = stages.extract(con, context.log.info, run.workers)
        store.refresh_dimensions(con)  # the checks read plausible ranges there
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
    with failing_safely(warehouse.paths, context.log), store.connect(warehouse.paths.work_db) as con:
        store.acquire_build_lock(warehouse.paths, progress=context.log.info)
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
    with failing_safely(paths, context.log):
        store.acquire_build_lock(paths, progress=context.log.info)
        copied = store.publish(paths)
    store.release_build_lock(paths)
    target = paths.warehouse
    tables = ("raw_documents", "rejected_files", *store.CORE_TABLES)
    built, published = store.table_counts(work, tables), store.table_counts(target, tables)
    context.log.info(f"published {target}: {published}" if copied else f"{target} already up to date: {published}")
    return dg.MaterializeResult(
        metadata={"path": str(target), "copied": copied, **published,
                  "size_mb": round(target.stat().st_size / 2**20, 2)},
        check_results=[dg.AssetCheckResult(check_name="published_matches_build", passed=built == published,
                                           metadata={"built": str(built), "published": str(published)})])
