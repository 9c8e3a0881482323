"""The DuckDB side: apply the schema, keep the build files, publish atomically.

The pipeline never writes the file analysts open. It keeps two build files in
``<warehouse dir>/.build/`` and the published warehouse is a hard link to one of them; a
run writes the other one, then links it in its place with ``rename`` (atomic on POSIX): a
reader sees the old warehouse or the new one, never a half-written one, and a reader holding
the old file keeps reading it undisturbed.

Before a run writes the stale build file it brings it level with the published one: the
reports the last build changed (``pipeline_changes``) are deleted and copied over through
``ATTACH``, the small bookkeeping tables wholesale. A run therefore costs its delta, not the
size of the warehouse; the whole file is copied only when the delta is large (a full
rebuild), the stale file is missing or diverged, or a reader still holds it open.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import SQL_DIR, Paths
from pipelines.timing import timed

CORE_TABLES = ("reports", "report_texts", "sections", "quantities", "indicators", "indicator_candidates",
               "section_terms")


def sql_files(kind: str) -> list[Path]:
    """The ``.sql`` files of ``warehouse/<kind>/`` in the order they apply."""
    return sorted((SQL_DIR / kind).glob("*.sql"))


# Rows per row group of the build files (DuckDB's default: 122,880). DuckDB rewrites the
# last, partly filled row group of a table at every checkpoint; with the default, adding one
# report rewrote the text of the last ~100,000 (0.4 s at 10,000 reports, growing with the
# warehouse). At 2,048 a run rewrites at most 2,048 rows per table, whatever the size.
ROW_GROUP_SIZE = 2048
MEMORY_LIMIT = "512MB"
CHECKPOINT_THRESHOLD = "64MB"
REPLAY_LIMIT = 8 << 20  # bytes of WAL a build file may be closed with (the next open replays them)


@contextlib.contextmanager
def connect(db: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        if read_only:
            con = duckdb.connect(str(db), read_only=True)
        else:
            # the row group size is a setting of the attached database, not of the file
            con = duckdb.connect()
            con.execute(f"ATTACH {_literal(db)} AS build (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
            con.execute("USE build")
            # a run opens its build file once per step: closing it would checkpoint each time
            # (~0.1-0.4 s each, growing with the tables' row-group counts); the WAL carries
            # the steps' writes to the next open instead, and publish() checkpoints once
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
            # DuckDB's default cache is 80 % of RAM: bounded, the load's memory stays flat in the
            # warehouse size (it evicts to the file, which holds everything anyway). At 1 GB the
            # build's process tree peaked at 3.2 GB at 100,000 reports; 512 MB took 0.4 GB off
            # the loading process at 10,000 with no slower build (benchmarks/README.md)
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            # where DuckDB spills beyond that limit: beside the build file (by default the
            # current directory, a user's checkout: 1.6 GB at 100,000 reports)
            con.execute(f"SET temp_directory = {_literal(str(db) + '.tmp')}")
            # DuckDB tries FSST on every string segment it writes and hardly ever keeps it for
            # this text (56 of 14,000 segments of quantities): the trial was ~25 % of the load's
            # CPU (inserts and commits of 10,000 reports' rows), for a file of the same size
            con.execute("SET disabled_compression_methods = 'fsst'")
            # a checkpoint per 64 MB of WAL rather than DuckDB's 16 MB: a batch of 200 reports
            # writes ~20 MB, so each commit checkpointed; ~10 % fewer load CPU seconds on 6,000
            # reports' frames, the file 1 % larger (benchmarks/README.md)
            con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise RuntimeError(
                f"{db} is locked by another process: is another pipeline run going on? ({exc})"
            ) from exc
        raise
    try:
        yield con
        if not read_only and _wal_bytes(db) > REPLAY_LIMIT:
            # a step that wrote much (the raw step, extraction) folds its WAL in now: left for
            # the next step, it was replayed by every later open of the run (0.3 s per open
            # at 40 MB) and written by publish's checkpoint all the same
            con.execute("CHECKPOINT build")
    finally:
        con.close()


def _wal_bytes(db: Path) -> int:
    try:
        return os.stat(f"{db}.wal").st_size
    except FileNotFoundError:
        return 0


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def schema_sha256() -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sql_files("schema"))).hexdigest()


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    for path in sql_files("schema"):
        con.execute(path.read_text(encoding="utf-8"))
    set_state(con, "schema_sha256", schema_sha256())


def _remove(db: Path) -> None:
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    shutil.rmtree(f"{db}.tmp", ignore_errors=True)  # DuckDB's spill files of a killed run


def _copy(src: Path, dst: Path) -> None:
    """``dst`` becomes a copy of ``src`` (a new inode: a reader of the old ``dst`` keeps it)."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(src, tmp)
        _remove(dst)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


# ------------------------------------------------------------------------------- one build at a time
class BuildBusy(RuntimeError):
    """Another build of the same warehouse is running."""


_locks: dict[Path, int] = {}  # lock file -> open descriptor holding the flock, in this process


def lock_path(paths: Paths) -> Path:
    return paths.builds[0].parent / f"{paths.warehouse.stem}.lock"


def acquire_build_lock(paths: Paths, timeout: float | None = None, progress=print) -> None:
    """Hold the warehouse's build lock (an exclusive ``flock``) until :func:`release_build_lock`.

    One build at a time per warehouse, from preparing the build file to publishing it: two
    builds at once corrupted each other's build file. A second build waits for the first
    (``GOVREPORTS_LOCK_TIMEOUT`` seconds, default 900; 0: fail at once) and then fails with
    :class:`BuildBusy`, naming the process that holds it. The kernel releases the lock when
    its process dies, so a killed build never leaves a stale lock behind. Re-entrant within
    a process (the steps of one run).
    """
    import fcntl
    import time

    lock = lock_path(paths)
    if lock in _locks:
        return
    if timeout is None:
        timeout = float(os.environ.get("GOVREPORTS_LOCK_TIMEOUT", "900"))
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            if time.monotonic() >= deadline:
                os.close(fd)
                raise BuildBusy(f"another build of {paths.warehouse} is running (pid {holder}); "
                                "try again when it has finished") from None
            if not told:
                progress(f"waiting for the build of {paths.warehouse} by pid {holder} to finish")
                told = True
            time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _locks[lock] = fd


def release_build_lock(paths: Paths) -> None:
    fd = _locks.pop(lock_path(paths), None)
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock


def discard_work_db(paths: Paths) -> None:
    """Remove this run's build file and its WAL after a failure that may have damaged them
    (a full disk, an I/O error): the next run starts from a copy of the published build
    instead of resuming a file it cannot replay. Never the published file."""
    db = paths.work_db
    if paths.published_build != db:
        _remove(db)


# a delta of more than MIN_DELTA reports and DELTA_SHARE of all is copied as a whole file
MIN_DELTA, DELTA_SHARE = 50, 0.05
WHOLE_TABLES = ("rejected_files", "pipeline_state", "pipeline_check_problems", "dim_indicator")  # small: copied whole
REPORT_TABLES = ("raw_documents", *CORE_TABLES)  # keyed by report_id: only the delta is copied
BUILD_NO_TABLES = (*REPORT_TABLES, "raw_files")  # rows carry the build that wrote them


@timed("publish")
def prepare_work_db(paths: Paths) -> str:
    """Make the build file of this run (``paths.work_db``) ready; returns how it was made.

    It becomes level with the published build (when there is one) and then carries this
    run's own delta. A schema change starts it afresh rather than migrating it.
    """
    db, published = paths.work_db, paths.published_build
    legacy = db.parent / f"{paths.warehouse.stem}.work.duckdb"  # the single build file of earlier versions
    if published is None and legacy.exists() and not db.exists():
        os.replace(legacy, db)
        Path(f"{legacy}.wal").unlink(missing_ok=True)
    if db.exists() and _schema_of(db) != schema_sha256():
        _remove(db)
    how = "new"
    outside = published is not None and changed_outside(paths)
    if outside:
        # an analyst's read-write session (the DuckDB CLI without -readonly) wrote the published
        # file, which is one of the two build files: levelling the other by the pipeline's delta
        # would flip that edit in and out on alternate builds. The published file is what
        # analysts read: the stale side becomes a whole copy of it, and the run says so.
        _remove(db)
    if published is not None and _schema_of(published) == schema_sha256():
        how = _level_with(db, published)
        if outside:
            how += (" (the published warehouse was changed outside the pipeline, by a read-write "
                    "session: the other build file was rebuilt from it)")
    with connect(db) as con:
        apply_schema(con)
        # every row this run writes carries its build number: the next run finds this run's
        # rows by it, and DuckDB's min/max per row group skips all older ones without reading
        build_no = int(get_state(con, "build_no") or 0) + 1
        set_state(con, "build_no", str(build_no))
        for t in BUILD_NO_TABLES:
            con.execute(f'ALTER TABLE "{t}" ALTER COLUMN build_no SET DEFAULT {build_no}')
    return how


def _schema_of(db: Path) -> str | None:
    """The schema hash a build file was made with; None if it has none or cannot be read.

    A file another process holds open for writing is not "unreadable": that error is raised,
    never taken as a reason to delete the file (a second build once deleted a live build's
    file and WAL that way; the build lock now keeps pipeline runs apart, and a read-write
    session an analyst left open is reported, not destroyed).
    """
    try:
        with connect(db, read_only=True) as con:
            tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            return get_state(con, "schema_sha256") if "pipeline_state" in tables else None
    except RuntimeError:
        raise  # locked by another process
    except duckdb.Error:
        return None  # unreadable (damaged, not DuckDB): treated as not reusable


def _level_with(db: Path, published: Path) -> str:
    """Bring the stale build file ``db`` level with ``published``: delta, or a whole copy."""
    with connect(published, read_only=True) as pub:
        target = get_state(pub, "content_id")
        base = get_state(pub, "base_content_id")
        n_changed = pub.execute("SELECT count(DISTINCT report_id) FROM pipeline_changes").fetchone()[0]
        n_reports = pub.execute("SELECT count(*) FROM raw_documents").fetchone()[0]
    if db.exists():
        try:
            with connect(db) as con:
                if target is not None and get_state(con, "base_content_id") == target:
                    return "resumed"  # an earlier attempt of this run already levelled it
                # the stale file is the build the published one started from: add its delta
                is_parent = base is not None and get_state(con, "content_id") == base
                if is_parent and n_changed <= max(MIN_DELTA, DELTA_SHARE * n_reports):
                    _apply_delta(con, published)
                    return f"delta of {n_changed} reports"
        except RuntimeError:
            pass  # a reader still holds this (formerly published) file: replace it below
    _copy(published, db)
    with connect(db) as con:
        _rebase(con, target)
    return "copied"


def _apply_delta(con: duckdb.DuckDBPyConnection, published: Path) -> None:
    # the published build's own rows are those written after this file's last build
    since = int(get_state(con, "build_no") or 0)
    con.execute(f"ATTACH {_literal(published)} AS published (READ_ONLY)")
    try:
        con.execute("BEGIN")
        con.execute("CREATE TEMP TABLE _delta AS SELECT DISTINCT report_id FROM published.pipeline_changes")
        # rows to replace exist only for reports this file holds: a delta of new reports (the
        # usual case) skips the scans of the large tables for them
        held = con.execute("SELECT count(*) FROM _delta WHERE report_id IN (SELECT report_id FROM raw_documents "
                           "UNION ALL SELECT report_id FROM reports)").fetchone()[0]
        for t in REPORT_TABLES:
            if held:
                con.execute(f'DELETE FROM "{t}" WHERE report_id IN (SELECT report_id FROM _delta)')
            # a changed report's core rows were all rewritten by the build that changed it; its
            # raw_documents row need not be (a near duplicate freed, an extractor change): it is
            # copied whatever build wrote it, or the report was lost from this file
            newer = "" if t == "raw_documents" else f"build_no > {since} AND "
            con.execute(f'INSERT INTO "{t}" SELECT * FROM published."{t}" '
                        f"WHERE {newer}report_id IN (SELECT report_id FROM _delta)")
        # raw_files (one row per file of the folder) is keyed by path: files gone, then files
        # the published build (re)wrote
        con.execute("DELETE FROM raw_files WHERE source_path NOT IN (SELECT source_path FROM published.raw_files)")
        news = f"FROM published.raw_files WHERE build_no > {since}"
        con.execute(f"DELETE FROM raw_files WHERE source_path IN (SELECT source_path {news})")
        con.execute(f"INSERT INTO raw_files SELECT * {news}")
        for t in WHOLE_TABLES:
            con.execute(f'DELETE FROM "{t}"')
            con.execute(f'INSERT INTO "{t}" SELECT * FROM published."{t}"')
        con.execute("DROP TABLE _delta")
        _rebase(con, get_state(con, "content_id"))
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    finally:
        con.execute("DETACH published")


def _rebase(con: duckdb.DuckDBPyConnection, content_id: str | None) -> None:
    """This file now equals the published build ``content_id``: its delta starts empty."""
    con.execute("DELETE FROM pipeline_changes")
    if content_id is not None:
        set_state(con, "base_content_id", content_id)


@timed("publish")
def apply_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the analyst views (unless these very definitions are in place) over an up-to-date
    ``dim_indicator``; returns the views' names."""
    dims = refresh_dimensions(con)
    before = set(_views(con))
    sqls = [view_sql(path.read_text(encoding="utf-8"), dims) for path in sql_files("views")]
    digest = hashlib.sha256("".join(sqls).encode()).hexdigest()
    if get_state(con, "views_sha256") != digest or not before:
        for sql in sqls:
            con.execute(sql)
        set_state(con, "views_sha256", digest)
    return sorted(set(_views(con)) | before)


# A level's stored unit in the name of its region_year_facts column (counts: the bare name).
_LEVEL_SUFFIX = {"yuan": "_yuan", "percent": "_pct"}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def view_sql(sql: str, dims: list[dict]) -> str:
    """A view's SQL with each line that holds ``{indicator}`` written once per indicator of
    ``dims`` (``dim_indicator``'s rows), ``{column}`` its column name: so a view that has a
    column per indicator has them from the indicator dictionary, not from a list of its own."""
    out = []
    for line in sql.splitlines(keepends=True):
        if "{indicator}" not in line:
            out.append(line)
            continue
        for d in dims:
            name = d["indicator"]
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"indicator name {name!r} cannot name a view column (a-z, 0-9, _)")
            column = name + _LEVEL_SUFFIX.get(d["unit"], "")
            out.append(line.replace("{indicator}", name).replace("{column}", column))
    return "".join(out)


def refresh_dimensions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """``dim_indicator`` as the indicator dictionary describes it (rewritten only when it changed);
    returns its rows in the dictionary's order."""
    from pipelines.extract.indicators import indicator_dimension
    from pipelines.tables import frame

    dims = indicator_dimension()
    digest = hashlib.sha256(repr(dims).encode()).hexdigest()
    if get_state(con, "dim_indicator_sha256") != digest:
        con.execute("DELETE FROM dim_indicator")
        insert_frame(con, "dim_indicator", frame("dim_indicator", dims))
        set_state(con, "dim_indicator_sha256", digest)
    return dims


def _views(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()]


def get_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM pipeline_state WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def set_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO pipeline_state VALUES (?, ?)", [key, value])


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is open, never masking the error that got us here.

    When DuckDB itself failed (a full disk), it has already ended the transaction, and a
    plain ROLLBACK raised "cannot rollback - no transaction is active" over the real error.
    """
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


@timed("load")
def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Append ``frame`` to ``table`` matching columns by name."""
    if frame.is_empty():
        return 0
    con.register("_incoming", frame.to_arrow())
    try:
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _incoming')
    finally:
        con.unregister("_incoming")
    return frame.height


def temp_values(con: duckdb.DuckDBPyConnection, table: str, /, **columns: list[str]) -> None:
    """A temporary table ``table`` holding the given text columns (equal lengths).

    For lists of paths or ids. As a query parameter (``unnest(?::VARCHAR[])``) a Python list
    costs ~0.4 ms an element, DuckDB testing each one against pandas and NumPy types (a failed
    import each time where they are not installed): 0.8 s for 2,000 paths, every run. One
    string of them all, split by DuckDB at NULs, costs ~1 µs an element.
    """
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"temp_values({table!r}): columns of lengths {sorted(lengths)}")
    if any("\0" in x for v in columns.values() for x in v):  # (a JSONL id may hold one): the slow way
        cols = ", ".join(f'unnest(?::VARCHAR[]) AS "{c}"' for c in columns)
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT {cols}', list(columns.values()))
        return
    if not lengths.pop():
        cols = ", ".join(f'NULL::VARCHAR AS "{c}"' for c in columns)
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT {cols} WHERE false')
        return
    cols = ", ".join(f'unnest(string_split(?, chr(0))) AS "{c}"' for c in columns)
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT {cols}', ["\0".join(v) for v in columns.values()])


def table_counts(db: Path, tables: tuple[str, ...]) -> dict[str, int]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


# what the content of a build is; where its last run started, the run's number and the last
# build each check read (checks.run_checks) are not
_STAMP = ("SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM pipeline_state "
          "WHERE key NOT IN ('base_content_id', 'build_no') AND NOT starts_with(key, 'checked_through:')")


@timed("publish")
def publish(paths: Paths) -> bool:
    """Put this run's build file in the published warehouse's place, atomically.

    Skipped (returns False) when the published file already holds this content: a run on an
    unchanged folder leaves readers on the same file.
    """
    work, warehouse = paths.work_db, paths.warehouse
    with connect(work) as con:
        con.execute("CHECKPOINT build")  # fold the WAL into the file: the published file is complete alone
        stamp = con.execute(_STAMP).fetchone()[0]
    if warehouse.exists() and not changed_outside(paths):
        try:
            with connect(warehouse, read_only=True) as pub:
                if pub.execute(_STAMP).fetchone()[0] == stamp:
                    return False
        except (duckdb.Error, RuntimeError):
            pass  # unreadable or foreign: replace it
    with open(work, "rb+") as fh:
        os.fsync(fh.fileno())  # the content is on disk before any name points to it
    tmp = warehouse.with_name(f".{warehouse.name}.{os.getpid()}.tmp")
    try:
        try:
            os.link(work, tmp)
        except OSError:  # a file system without hard links: publish a copy
            shutil.copyfile(work, tmp)
        os.replace(tmp, warehouse)
    finally:
        tmp.unlink(missing_ok=True)
    # a stale WAL beside the published file would be replayed onto the new one
    Path(f"{warehouse}.wal").unlink(missing_ok=True)
    _stamp_published(paths)
    return True


def _published_mark(paths: Paths) -> Path:
    return paths.builds[0].parent / f"{paths.warehouse.stem}.published"


def _file_id(path: Path) -> str:
    st = path.stat()
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns}"


def _stamp_published(paths: Paths) -> None:
    """Remember the published file as published (inode, size, mtime): any later write to it
    that was not this pipeline's shows as a difference (see :func:`changed_outside`)."""
    mark = _published_mark(paths)
    tmp = mark.with_name(mark.name + ".tmp")
    tmp.write_text(_file_id(paths.warehouse), encoding="utf-8")
    os.replace(tmp, mark)


def changed_outside(paths: Paths) -> bool:
    """Whether the published warehouse was written since the pipeline published it."""
    mark = _published_mark(paths)
    try:
        return mark.read_text(encoding="utf-8").strip() != _file_id(paths.warehouse) or Path(
            f"{paths.warehouse}.wal").exists()
    except FileNotFoundError:
        return False  # published before this check existed, or no warehouse: nothing to compare
