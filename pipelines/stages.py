"""The pipeline's steps as plain functions over a build file (see store.py).

Dagster assets (``pipelines/defs``) call these; tests and benchmarks can too. Each step is
incremental and idempotent: it compares what is in the raw folder (by content hash) with
what the build file holds and does only the difference, so re-running on an
unchanged folder changes nothing and costs little.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import duckdb
import polars as pl

from pipelines import store
from pipelines.extract.clean import clean_text, looks_truncated
from pipelines.extract.dictionaries import DICTIONARIES
from pipelines.extract.ingest import Rejection, SourceRecord, read_file, scan_raw_files, sha256
from pipelines.store import CORE_TABLES as TABLES
from pipelines.store import connect, insert_frame, set_state
from pipelines.tables import SCHEMAS, frame
from pipelines.timing import timed

Progress = Callable[[str], None]

def _quiet(msg: str) -> None:
    pass


# ---------------------------------------------------------------------------------------- ingest
@dataclass
class IngestSummary:
    files: int = 0
    files_unchanged: int = 0
    documents: int = 0
    added: int = 0
    removed: int = 0
    rejected: int = 0
    duplicates: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


INGEST_BATCH = 500  # records decoded and inserted at a time: memory stays flat in the corpus size


Listing = list[tuple[str, os.stat_result]]


@timed("decode")
def ingest(con: duckdb.DuckDBPyConnection, raw_dir: Path, progress: Progress = _quiet,
           files: Listing | None = None) -> IngestSummary:
    """Bring ``raw_documents`` and ``rejected_files`` in line with the raw folder.

    ``files``: the folder's listing (``scan_raw_files``) if the caller already made it.
    """
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist (set GOVREPORTS_RAW_DIR)")
    summary = IngestSummary()
    # Files whose bytes are unchanged since the last run keep their rows: no decoding again.
    known = {(p.split(":")[0] if f == "jsonl" else p, h) for p, h, f in con.execute(
        "SELECT source_path, file_sha256, format FROM raw_documents").fetchall()}
    known |= {(p.split(":")[0], h) for p, h in con.execute(
        "SELECT source_path, file_sha256 FROM rejected_files WHERE reason <> 'duplicate'").fetchall()}
    # size and mtime as of the last run: a file with both unchanged keeps its hash unread
    stats = {p: (size, mtime, h) for p, size, mtime, h in con.execute(
        "SELECT source_path, size_bytes, mtime_ns, file_sha256 FROM raw_files").fetchall()}
    files = scan_raw_files(raw_dir) if files is None else files
    summary.files = len(files)
    keep_paths: set[str] = set()
    changed: list[Path] = []
    restat: list[tuple[str, int, int, str]] = []  # raw_files rows that are new or differ
    for rel, st in files:
        last = stats.get(rel)
        if last is not None and last[0] == st.st_size and last[1] == st.st_mtime_ns:
            fsha = last[2]
        else:
            try:
                # hashed now, read again below only if changed: holding the bytes of every
                # changed file until then would make memory grow with the corpus
                fsha = sha256((raw_dir / rel).read_bytes())
            except OSError:
                continue  # gone since the listing
            restat.append((rel, st.st_size, st.st_mtime_ns, fsha))
        if (rel, fsha) in known:
            keep_paths.add(rel)
        else:
            changed.append(raw_dir / rel)
    summary.files_unchanged = len(keep_paths)
    listed = {rel for rel, _ in files}
    # files whose rows go: changed or no longer in the folder (duplicates are re-derived below)
    gone = sorted({p for p, _ in known if p not in keep_paths})
    unlisted = [p for p in stats if p not in listed]

    con.execute("BEGIN")
    try:
        # raw_files changes by its difference only: rewriting it whole cost O(folder) per run
        if restat or unlisted:
            con.execute("DELETE FROM raw_files WHERE source_path IN (SELECT unnest(?::VARCHAR[]))",
                        [[r[0] for r in restat] + unlisted])
            insert_frame(con, "raw_files", pl.DataFrame(restat, orient="row", schema=SCHEMAS["raw_files"]))
        before = con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
        con.execute("CREATE OR REPLACE TEMP TABLE _gone AS SELECT unnest(?::VARCHAR[]) AS path", [gone])
        if gone:
            where = "FROM raw_documents WHERE split_part(source_path, ':', 1) IN (SELECT path FROM _gone)"
            record_changes(con, f"SELECT report_id {where}")
            con.execute(f"DELETE {where}")
        dropped = con.execute("DELETE FROM rejected_files WHERE reason = 'duplicate' "
                              "OR split_part(source_path, ':', 1) IN (SELECT path FROM _gone)").fetchone()[0]
        con.execute("DROP TABLE _gone")
        summary.removed = before - con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
        seen = dict(con.execute("SELECT report_id, source_file FROM raw_documents").fetchall())
        names = set(seen.values())
        docs: list[dict] = []
        rejected: list[dict] = []

        def flush() -> None:
            if not docs and not rejected:
                return
            insert_frame(con, "raw_documents", frame("raw_documents", docs))
            record_changes(con, [d["report_id"] for d in docs])
            insert_frame(con, "rejected_files", frame("rejected_files", rejected))
            summary.added += len(docs)
            docs.clear()
            rejected.clear()
            # one transaction per batch: DuckDB keeps a transaction's new rows in memory, so a
            # single one made the load grow with the corpus (3 GB at 100,000 reports). A run
            # killed half way keeps what it committed; the next run reads only the rest.
            mark_changed(con)
            con.execute("COMMIT")
            con.execute("BEGIN")

        for n, path in enumerate(changed, 1):
            for rec in read_file(path, raw_dir):
                if isinstance(rec, Rejection):
                    rejected.append(_rejection_row(rec))
                    continue
                rid = rec.content_sha256[:16]
                if rid in seen:
                    summary.duplicates += 1
                    rejected.append({"source_file": rec.source_file, "source_path": rec.source_path,
                                     "reason": "duplicate", "detail": "same text as an earlier file",
                                     "duplicate_of": seen[rid], "file_sha256": rec.file_sha256})
                    continue
                if rec.source_file in names:
                    rejected.append(_rejection_row(Rejection(
                        rec.source_file, rec.source_path, "name collision",
                        "another file with this name was loaded first", rec.file_sha256)))
                    continue
                seen[rid] = rec.source_file
                names.add(rec.source_file)
                docs.append(_document_row(rid, rec))
            if len(docs) + len(rejected) >= INGEST_BATCH:
                flush()
            if n % 2000 == 0:
                progress(f"raw: read {n}/{len(changed)} new or changed files")
        flush()
        if changed or summary.removed or dropped:
            mark_changed(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    summary.documents = con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
    for reason, n in con.execute("SELECT reason, count(*) FROM rejected_files GROUP BY 1").fetchall():
        summary.reasons[reason] = n
    summary.rejected = sum(summary.reasons.values())
    return summary


def folder_changed(files: Listing, warehouse: Path) -> bool:
    """Whether any file was added, removed or touched since ``warehouse`` was built (by stat)."""
    try:
        with connect(warehouse, read_only=True) as con:
            last = {p: (size, mtime) for p, size, mtime in con.execute(
                "SELECT source_path, size_bytes, mtime_ns FROM raw_files").fetchall()}
    except (duckdb.Error, RuntimeError, OSError):
        return True  # no warehouse yet, or an older one
    return len(last) != len(files) or any(last.get(rel) != (st.st_size, st.st_mtime_ns) for rel, st in files)


def _rejection_row(r: Rejection) -> dict:
    return {"source_file": r.source_file, "source_path": r.source_path, "reason": r.reason, "detail": r.detail,
            "duplicate_of": None, "file_sha256": r.file_sha256}


def _document_row(rid: str, rec: SourceRecord) -> dict:
    clean = clean_text(rec.raw_text).text
    return {
        "report_id": rid, "source_file": rec.source_file, "source_path": rec.source_path,
        "format": rec.fmt, "encoding": rec.encoding, "content_sha256": rec.content_sha256,
        "file_sha256": rec.file_sha256, "url": rec.url, "title_hint": rec.title,
        "published_on_hint": rec.published_on, "n_chars": len(clean), "raw_n_chars": len(rec.raw_text),
        "truncated": looks_truncated(clean), "raw_text": rec.raw_text, "clean_text": clean,
    }


# --------------------------------------------------------------------------------------- extract
def extractor_version() -> str:
    """A hash of the extraction code and dictionaries: when it changes, everything is re-extracted."""
    h = hashlib.sha256()
    roots = [Path(__file__).parent / "extract", DICTIONARIES]
    for path in sorted(p for root in roots for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update((Path(__file__).parent / "rows.py").read_bytes())
    return h.hexdigest()[:16]


@dataclass
class ExtractSummary:
    extracted: int = 0
    removed: int = 0
    full_rebuild: bool = False
    rows: dict[str, int] = field(default_factory=dict)


BATCH = 200  # documents per worker task and per commit: a killed run loses at most this much


@timed("extract")
def extract(con: duckdb.DuckDBPyConnection, progress: Progress = _quiet, workers: int | None = None) -> ExtractSummary:
    """Extract every document of ``raw_documents`` that the core tables do not hold yet."""
    summary = ExtractSummary()
    version = extractor_version()
    stored = con.execute("SELECT value FROM pipeline_state WHERE key = 'extractor_version'").fetchone()
    con.execute("BEGIN")
    if stored is None or stored[0] != version:
        summary.full_rebuild = stored is not None
        record_changes(con, "SELECT report_id FROM reports")
        for t in TABLES:
            con.execute(f'DELETE FROM "{t}"')
        set_state(con, "extractor_version", version)
    # rows of reports whose text is gone, or now comes from a file of another name (a rename:
    # same report_id, and the report is extracted again under its new name)
    con.execute("""CREATE OR REPLACE TEMP TABLE _stale AS
        SELECT r.report_id, d.report_id IS NULL AS gone FROM reports r LEFT JOIN raw_documents d USING (report_id)
        WHERE d.report_id IS NULL OR d.source_file <> r.source_file""")
    summary.removed, stale = con.execute("SELECT count(*) FILTER (gone), count(*) FROM _stale").fetchone()
    if stale:  # (core rows exist only for reports in `reports`: none stale, nothing to scan)
        record_changes(con, "SELECT report_id FROM _stale")
        for t in TABLES:
            con.execute(f'DELETE FROM "{t}" WHERE report_id IN (SELECT report_id FROM _stale)')
    con.execute("DROP TABLE _stale")
    if stale or summary.full_rebuild or stored is None:
        mark_changed(con)
    con.execute("COMMIT")

    pending = "FROM raw_documents WHERE report_id NOT IN (SELECT report_id FROM reports)"
    n_todo, first_build = con.execute(f"SELECT count(*), min(build_no) {pending}").fetchone()
    if not n_todo:
        pool = _take_pool()
        if pool is not None:  # warmed for files that turned out to be duplicates or rejects
            pool.shutdown(cancel_futures=True)
        progress("extract: nothing new")
        return summary
    workers = workers or min(os.cpu_count() or 1, 4)
    batch = max(1, min(BATCH, -(-n_todo // workers)))
    progress(f"extract: {n_todo} documents in batches of {batch} on {workers} worker(s)")
    # One streaming scan on a second cursor, batch after batch: looking each batch's texts up
    # by id re-read the text column every time (quadratic: 100,000 reports would take hours).
    # The filter on build_no lets DuckDB skip the row groups of older builds by their min/max
    # without reading their texts (the anti-join alone read every text: 3 s at 100,000).
    # DuckDB on one thread while the workers use the cores: the same inserts cost ~half
    # the CPU and less wall clock than on its default two (benchmarks/README.md)
    con.execute("SET threads = 1")
    with contextlib.closing(store.cursor(con)) as reader:
        stream = reader.execute("SELECT report_id, source_file, raw_text, url, title_hint, published_on_hint, "
                                f"content_sha256, truncated {pending} AND build_no >= {int(first_build)}"
                                ).to_arrow_reader(batch)
        batches = (rb.to_pylist() for rb in stream)

        done = 0
        for rows in _run_batches(batches, -(-n_todo // batch), workers):
            con.execute("BEGIN")
            try:
                # reports last: a report row means all its other rows are there
                for t in ("sections", "quantities", "indicators", "section_terms", "reports"):
                    summary.rows[t] = summary.rows.get(t, 0) + insert_frame(con, t, rows[t])
                record_changes(con, rows["reports"]["report_id"].to_list())
                mark_changed(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            done += rows["reports"].height
            progress(f"extract: {done}/{n_todo} documents")
    con.execute("RESET threads")
    summary.extracted = done
    return summary


def mark_changed(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the warehouse content changed: the next publish puts this build in place."""
    set_state(con, "content_id", os.urandom(8).hex())


def record_changes(con: duckdb.DuckDBPyConnection, report_ids: list[str] | str) -> None:
    """Add reports (a list, or a query returning ``report_id``) to this build's delta."""
    if isinstance(report_ids, str):
        con.execute(f"INSERT INTO pipeline_changes {report_ids}")
    elif report_ids:
        con.execute("INSERT INTO pipeline_changes SELECT unnest(?::VARCHAR[])", [report_ids])


def _extract_batch(items: list[dict]) -> dict[str, pl.DataFrame]:
    # imported here: the extractors (jieba, the gazetteer) load only where documents are extracted,
    # so a run with nothing new starts in a fraction of the time
    from pipelines.rows import extract_batch

    return extract_batch(items)


_pool: ProcessPoolExecutor | None = None  # started early by warm_up(), used by the next extract()


def _warm() -> None:
    from pipelines.rows import warm_up

    warm_up()


def warm_up(workers: int | None = None) -> None:
    """Start an extraction worker now and have it load the extractors and dictionaries (~1.5 s).

    Called at the start of a run whose raw folder changed, so the loading overlaps the
    raw step instead of delaying the first extraction; a run with nothing new never pays it.
    """
    global _pool
    if _pool is None:
        workers = workers or min(os.cpu_count() or 1, 4)
        # forkserver: a clean child per worker, not a fork of a process that runs Dagster's
        # threads; workers start on demand, so this starts one
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver"))
        _pool.submit(_warm)


_listing: tuple[Path, Listing] | None = None  # made by prepare(), taken by the run's raw step


def prepare(raw_dir: Path, warehouse: Path) -> None:
    """Before the Dagster run starts (the CLI calls this): list the raw folder and, if it
    changed since ``warehouse`` was built, start the extraction worker's loading now.

    Dagster's own start (imports, instance, run record: ~2 s) then hides the worker's ~2 s
    of loading; the raw step takes the listing instead of scanning and comparing again.
    """
    global _listing
    _listing = None  # never one left by an earlier run that stopped before its raw step
    files = listing(raw_dir, warehouse)
    _listing = None if files is None else (raw_dir, files)


@timed("scan")
def listing(raw_dir: Path, warehouse: Path, workers: int | None = None) -> Listing | None:
    """The folder's listing for this run (None: no folder); warms the extraction worker up
    if the folder changed since ``warehouse`` was built, unless :func:`prepare` did both."""
    global _listing
    if _listing is not None and _listing[0] == raw_dir:
        files, _listing = _listing[1], None
        return files
    if not raw_dir.is_dir():
        return None
    files = scan_raw_files(raw_dir)
    if files and folder_changed(files, warehouse):
        # start loading the extractors in a worker now: it overlaps the rest of the raw step
        warm_up(workers)
    return files


def _take_pool() -> ProcessPoolExecutor | None:
    global _pool
    pool, _pool = _pool, None
    return pool


def _run_batches(batches: Iterator[list[dict]], n_batches: int, workers: int) -> Iterator[dict[str, pl.DataFrame]]:
    """Extract batch after batch, at most two batches per worker in flight (bounded memory)."""
    pool = _take_pool()
    if pool is None and (workers <= 1 or n_batches <= 1):
        for items in batches:  # one batch: no worker is worth starting for it
            yield _extract_batch(items)
        return
    with pool or ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver")) as pool:
        pending: deque = deque()
        for items in batches:
            pending.append(pool.submit(_extract_batch, items))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
