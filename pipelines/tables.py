"""The columns and types of the warehouse tables, as Polars schemas, read from the DDL.

``warehouse/schema/*.sql`` is the one definition of a table: its columns, types, keys and the
comment that documents each column. The Polars schemas the extraction workers build their
frames with are derived from it here (an in-memory DuckDB runs the DDL once per process), so
adding a column is one line of DDL plus the code that fills it. Rows are turned into frames of
these types where they are made (in the extraction workers too), so the loading process only
inserts Arrow data.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.config import SQL_DIR

# written by DuckDB itself, never by a frame: the build that wrote a row
_DEFAULTED = frozenset({"build_no"})
# bookkeeping tables the pipeline writes by SQL only
_NOT_FRAMED = frozenset({"pipeline_state", "pipeline_changes", "pipeline_check_problems"})


def _from_ddl() -> dict[str, dict[str, pl.DataType]]:
    con = duckdb.connect()
    try:
        for path in sorted((SQL_DIR / "schema").glob("*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        out: dict[str, dict[str, pl.DataType]] = {}
        for t in tables:
            if t in _NOT_FRAMED:
                continue
            schema = con.sql(f'SELECT * FROM "{t}" LIMIT 0').pl().schema
            # dates travel as ISO text (the extractors' form); DuckDB casts them on insert
            out[t] = {c: (pl.String if dt == pl.Date else dt) for c, dt in schema.items() if c not in _DEFAULTED}
        return out
    finally:
        con.close()


SCHEMAS: dict[str, dict[str, pl.DataType]] = _from_ddl()


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """``rows`` as a frame of ``table``'s columns and types (keys not in the table are dropped)."""
    return pl.DataFrame(rows, schema=SCHEMAS[table])
