"""The DuckDB side: apply the schema, replace a set of reports' rows, publish atomically.

The pipeline writes only to its working database (``Paths.work_db``). Publishing copies it
to a temporary file beside the warehouse and renames it over the old one: ``rename`` is
atomic on POSIX, so a reader sees the old file or the new one, never a half-written one,
and a reader holding the old file open keeps reading it undisturbed (DuckDB's lock is on
the old inode, which the pipeline never opens for writing).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import SQL_DIR

CORE_TABLES = ("reports", "sections", "quantities", "indicators", "terms")


def sql_files(kind: str) -> list[Path]:
    """The ``.sql`` files of ``warehouse/<kind>/`` in the order they apply."""
    return sorted((SQL_DIR / kind).glob("*.sql"))


@contextlib.contextmanager
def connect(db: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise RuntimeError(
                f"{db} is locked by another process: is another pipeline run going on? ({exc})"
            ) from exc
        raise
    try:
        yield con
    finally:
        con.close()


def schema_sha256() -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sql_files("schema"))).hexdigest()


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    for path in sql_files("schema"):
        con.execute(path.read_text(encoding="utf-8"))
    set_state(con, "schema_sha256", schema_sha256())


def prepare_work_db(db: Path) -> None:
    """Create the working database, or start it afresh when the table definitions changed.

    It is the pipeline's private cache of the build (the published file is untouched until the
    next publish), so a schema change rebuilds it rather than migrating it.
    """
    if db.exists():
        with connect(db) as con:
            tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            current = get_state(con, "schema_sha256") if "pipeline_state" in tables else None
        if current != schema_sha256():
            db.unlink()
            Path(f"{db}.wal").unlink(missing_ok=True)
    with connect(db) as con:
        apply_schema(con)


def apply_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the analyst views; returns their names."""
    before = set(_views(con))
    digest = hashlib.sha256()
    for path in sql_files("views"):
        sql = path.read_text(encoding="utf-8")
        digest.update(sql.encode())
        con.execute(sql)
    set_state(con, "views_sha256", digest.hexdigest())
    names = _views(con)
    return sorted(set(names) | before)


def _views(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'").fetchall()]


def get_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM pipeline_state WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def set_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO pipeline_state VALUES (?, ?)", [key, value])


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


def table_counts(db: Path, tables: tuple[str, ...]) -> dict[str, int]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


_STAMP = "SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM pipeline_state"


def publish(work_db: Path, warehouse: Path) -> bool:
    """Copy the working database over the published warehouse atomically.

    Skipped (returns False) when the published file already holds this content: a run on an
    unchanged folder then costs no copy of a warehouse that may be gigabytes.
    """
    with connect(work_db) as con:
        con.execute("CHECKPOINT")  # fold the WAL into the file so the copy is complete
        stamp = con.execute(_STAMP).fetchone()[0]
    if warehouse.exists():
        try:
            with connect(warehouse, read_only=True) as pub:
                if pub.execute(_STAMP).fetchone()[0] == stamp:
                    return False
        except (duckdb.Error, RuntimeError):
            pass  # unreadable or foreign: replace it
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = warehouse.with_name(f".{warehouse.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(work_db, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, warehouse)
    finally:
        tmp.unlink(missing_ok=True)
    # a stale WAL beside the published file would be replayed onto the new one
    Path(f"{warehouse}.wal").unlink(missing_ok=True)
    return True
