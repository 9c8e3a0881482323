"""The pipeline's steps as plain functions over the working database.

Dagster assets (``pipelines/defs``) call these; tests and benchmarks can too. Each step is
incremental and idempotent: it compares what is in the raw folder (by content hash) with
what the working database holds and does only the difference, so re-running on an
unchanged folder changes nothing and costs little.
"""

from __future__ import annotations

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

from pipelines.extract.clean import clean_text, looks_truncated
from pipelines.extract.dictionaries import DICTIONARIES
from pipelines.extract.ingest import Rejection, SourceRecord, list_raw_files, read_file, sha256
from pipelines.store import CORE_TABLES as TABLES
from pipelines.store import insert_frame, set_state
from pipelines.tables import frame

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


def ingest(con: duckdb.DuckDBPyConnection, raw_dir: Path, progress: Progress = _quiet) -> IngestSummary:
    """Bring ``raw_documents`` and ``rejected_files`` in line with the raw folder (one transaction)."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist (set GOVREPORTS_RAW_DIR)")
    summary = IngestSummary()
    # Files whose bytes are unchanged since the last run keep their rows: no decoding again.
    known = {(p.split(":")[0] if f == "jsonl" else p, h) for p, h, f in con.execute(
        "SELECT source_path, file_sha256, format FROM raw_documents").fetchall()}
    known |= {(p.split(":")[0], h) for p, h in con.execute(
        "SELECT source_path, file_sha256 FROM rejected_files WHERE reason <> 'duplicate'").fetchall()}
    paths = list_raw_files(raw_dir)
    summary.files = len(paths)
    keep_paths: list[str] = []
    changed: list[Path] = []
    for path in paths:
        rel = str(path.relative_to(raw_dir))
        try:
            # hashed now, read again below only if changed: holding the bytes of every changed
            # file until then would make memory grow with the corpus
            fsha = sha256(path.read_bytes())
        except OSError:
            fsha = None
        if (rel, fsha) in known:
            keep_paths.append(rel)
        else:
            changed.append(path)
    summary.files_unchanged = len(keep_paths)

    con.execute("BEGIN")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _keep(path VARCHAR)")
        if keep_paths:
            insert_frame(con, "_keep", pl.DataFrame({"path": keep_paths}))
        before = con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
        # drop the rows of files that changed or went away; duplicates are re-derived below
        con.execute("DELETE FROM raw_documents WHERE split_part(source_path, ':', 1) NOT IN (SELECT path FROM _keep)")
        dropped = con.execute("DELETE FROM rejected_files WHERE reason = 'duplicate' "
                              "OR split_part(source_path, ':', 1) NOT IN (SELECT path FROM _keep)").fetchone()[0]
        con.execute("DROP TABLE _keep")
        summary.removed = before - con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
        seen = dict(con.execute("SELECT report_id, source_file FROM raw_documents").fetchall())
        names = set(seen.values())
        docs: list[dict] = []
        rejected: list[dict] = []

        def flush() -> None:
            insert_frame(con, "raw_documents", frame("raw_documents", docs))
            insert_frame(con, "rejected_files", frame("rejected_files", rejected))
            summary.added += len(docs)
            docs.clear()
            rejected.clear()

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


def extract(con: duckdb.DuckDBPyConnection, progress: Progress = _quiet, workers: int | None = None) -> ExtractSummary:
    """Extract every document of ``raw_documents`` that the core tables do not hold yet."""
    summary = ExtractSummary()
    version = extractor_version()
    stored = con.execute("SELECT value FROM pipeline_state WHERE key = 'extractor_version'").fetchone()
    con.execute("BEGIN")
    if stored is None or stored[0] != version:
        summary.full_rebuild = stored is not None
        for t in TABLES:
            con.execute(f'DELETE FROM "{t}"')
        set_state(con, "extractor_version", version)
    summary.removed = con.execute(
        "SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM raw_documents)").fetchone()[0]
    for t in TABLES:
        con.execute(f'DELETE FROM "{t}" WHERE report_id NOT IN (SELECT report_id FROM raw_documents)')
    if summary.removed or summary.full_rebuild or stored is None:
        mark_changed(con)
    con.execute("COMMIT")

    todo = [r[0] for r in con.execute(
        "SELECT report_id FROM raw_documents WHERE report_id NOT IN (SELECT report_id FROM reports) "
        "ORDER BY source_path").fetchall()]
    if not todo:
        progress("extract: nothing new")
        return summary
    workers = workers or min(os.cpu_count() or 1, 4)
    batch = max(1, min(BATCH, -(-len(todo) // workers)))
    progress(f"extract: {len(todo)} documents in batches of {batch} on {workers} worker(s)")

    def fetch(ids: list[str]) -> list[dict]:
        return con.execute("""
            SELECT report_id, source_file, raw_text, url, title_hint, published_on_hint, content_sha256, truncated
            FROM raw_documents WHERE report_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY source_path""",
                           [ids]).pl().to_dicts()

    done = 0
    for rows in _run_batches([todo[i:i + batch] for i in range(0, len(todo), batch)], fetch, workers):
        con.execute("BEGIN")
        try:
            # reports last: a report row means all its other rows are there
            for t in ("sections", "quantities", "indicators", "terms", "reports"):
                summary.rows[t] = summary.rows.get(t, 0) + insert_frame(con, t, rows[t])
            mark_changed(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        done += rows["reports"].height
        progress(f"extract: {done}/{len(todo)} documents")
    summary.extracted = done
    return summary


def mark_changed(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the warehouse content changed, so the next publish copies it."""
    set_state(con, "content_id", os.urandom(8).hex())


def _extract_batch(items: list[dict]) -> dict[str, pl.DataFrame]:
    # imported here: the extractors (jieba, the gazetteer) load only where documents are extracted,
    # so a run with nothing new starts in a fraction of the time
    from pipelines.rows import extract_batch

    return extract_batch(items)


def _run_batches(id_batches: list[list[str]], fetch: Callable[[list[str]], list[dict]],
                 workers: int) -> Iterator[dict[str, pl.DataFrame]]:
    """Extract batch after batch, at most two batches per worker in flight (bounded memory)."""
    if workers <= 1 or len(id_batches) <= 1:
        for ids in id_batches:
            yield _extract_batch(fetch(ids))
        return
    # forkserver: a clean child per worker, not a fork of a process that runs Dagster's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver")) as pool:
        pending: deque = deque()
        for ids in id_batches:
            pending.append(pool.submit(_extract_batch, fetch(ids)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
