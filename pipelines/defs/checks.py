"""Asset checks: the warehouse's promises, shown in the Dagster UI after every run.

Each check is a query over the build file; tests can run them directly with
:func:`evaluate`. The assets declare them as ``check_specs`` and evaluate them at the end
of their own step: one step per check would add ~80 ms of Dagster overhead each to every
run, and a run on an unchanged folder should be near-instant. ERROR = a promise is broken;
WARN = data an analyst should look at, the load itself is sound.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import dagster as dg
import duckdb

from pipelines import store
from pipelines.timing import timed

WARN, ERROR = dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR


@dataclass(frozen=True)
class Check:
    asset: str
    name: str
    description: str
    sql: str  # rows returned = problems found
    severity: dg.AssetCheckSeverity = ERROR
    # A per-report check reads the rows of one report at a time: its SQL names the checked
    # table ``t``, returns ``report_id`` first and has a ``{scope}`` condition, ``{scope:x}`` for
    # another table ``x`` it joins (see problems_sql)
    per_report: bool = False
    # a check joining the texts: their table, and the alias its SQL gives it where a {slice}
    # condition stands. The query runs slice after slice of that table's rows (SLICE_ROWS):
    # a hash join over all the texts of 100,000 reports (2.2 GB) ran out of DuckDB's memory
    sliced: tuple[str, str] | None = None


SLICE_ROWS = 10_000  # texts per query of a sliced check (~0.2 GB of text)


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
          "SELECT t.report_id, t.source_file, t.region, t.report_year FROM reports t "
          "WHERE {scope} AND (t.region IS NULL OR t.report_year IS NULL)", WARN, per_report=True),
    Check("reports", "every_document_extracted", "Every document of raw_documents has its row in reports.",
          "SELECT t.report_id, t.source_file FROM raw_documents t "
          "WHERE {scope} AND t.report_id NOT IN (SELECT report_id FROM reports)", per_report=True),
    Check("sections", "section_spans_valid", "Section spans lie inside their report's text.", """
          SELECT t.report_id, t.position FROM sections t JOIN reports r USING (report_id)
          WHERE {scope} AND (t.char_start < 0 OR t.char_end > r.n_chars OR t.char_end < t.char_start)""",
          per_report=True),
    Check("indicators", "indicator_values_plausible", "Indicator values and years are in plausible ranges.", """
          SELECT t.report_id, indicator, measure, value, unit, year, evidence FROM indicators t
          WHERE {scope} AND (
                (value < 0 AND measure <> 'growth_pct')
             OR (measure = 'growth_pct' AND (value < -100 OR value > 10000))
             OR (unit = 'yuan' AND value > 1e14)
             OR (unit = 'percent' AND measure <> 'growth_pct' AND value > 100)
             OR (unit NOT IN ('yuan', 'percent') AND value > 1e7)
             OR (measure = 'level' AND value > (SELECT max_level FROM dim_indicator d WHERE d.indicator = t.indicator))
             OR (year IS NOT NULL AND (year < 1978 OR year > extract(year FROM current_date) + 1)))""",
          per_report=True),
    Check("indicators", "indicators_have_evidence",
          "Every fact carries its evidence sentence and a span inside its report's text.", """
          SELECT t.report_id, t.fact_no FROM indicators t JOIN reports r USING (report_id)
          JOIN raw_documents d USING (report_id)
          WHERE {scope} AND (coalesce(t.evidence, '') = '' OR t.char_start < 0 OR t.char_end > r.n_chars
             OR t.char_end <= t.char_start OR t.raw_char_end > d.raw_n_chars)""", per_report=True),
    # The spans index the cleaned text the extraction read. A cleaning stored apart from the
    # extraction (once, at ingest) went stale when clean.py changed: 15 of 22 seed spans read
    # the wrong text and every other check passed. Each fact's span must read its figure.
    Check("indicators", "fact_spans_read_their_figure",
          "Each fact's span in report_texts.clean_text reads the figure it was taken from, and lies "
          "in its evidence sentence.", """
          WITH ids AS (SELECT x.report_id FROM report_texts x WHERE {scope:x} AND {slice}),
          f AS (SELECT t.report_id, t.fact_no, t.char_start, t.char_end, t.evidence FROM indicators t
                WHERE {scope} AND t.report_id IN (SELECT report_id FROM ids)),
          q AS (SELECT q.report_id, q.char_start, q.char_end, q.number_text FROM quantities q
                WHERE {scope:q} AND q.report_id IN (SELECT report_id FROM ids)),
          s AS (SELECT f.*, substr(x.clean_text, f.char_start + 1, f.char_end - f.char_start) AS span_text
                FROM f JOIN report_texts x ON x.report_id = f.report_id AND {scope:x} AND {slice})
          SELECT s.report_id, s.fact_no, q.number_text, s.span_text FROM s
          LEFT JOIN q ON q.report_id = s.report_id AND q.char_start = s.char_start AND q.char_end = s.char_end
          WHERE q.number_text IS NULL OR s.span_text <> q.number_text OR position(s.span_text IN s.evidence) = 0""",
          per_report=True, sliced=("report_texts", "x")),
]


def specs_for(assets: list[str]) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(c.name, asset=c.asset, description=c.description) for c in CHECKS if c.asset in assets]


def problems_sql(check: Check, build_no: int | None = None, carried: bool = True,
                 rows: tuple[int, int] | None = None) -> str:
    """The check's query over the whole warehouse (``build_no`` None), or incrementally: over
    the rows written by build ``build_no`` and (``carried``) the reports with problems found
    earlier; of a sliced check, over the rowids ``rows`` (from, to) of its texts (None: all).

    Rows are never updated, only a report's rows replaced together, so a report whose rows
    are all older than this build and that had no problem then still has none: the
    incremental query finds every problem without reading the whole warehouse.
    """
    if check.sliced is not None:
        alias = check.sliced[1]
        cut = "TRUE" if rows is None else f"{alias}.rowid >= {int(rows[0])} AND {alias}.rowid < {int(rows[1])}"
        check = replace(check, sql=check.sql.replace("{slice}", cut), sliced=None)
    if not check.per_report:
        return check.sql
    if build_no is None:
        return _scoped(check.sql, lambda alias: "TRUE")

    def earlier(alias: str) -> str:
        return (f"{alias}.report_id IN (SELECT report_id FROM pipeline_check_problems "
                f"WHERE check_name = '{check.name}')")

    # two queries, not one OR: the build_no filter alone lets DuckDB skip older row groups
    sql = _scoped(check.sql, lambda alias: f"{alias}.build_no >= {int(build_no)}")
    # (the second reads its tables whole: a semi join; left out when there is nothing earlier)
    return f"SELECT * FROM ({sql}) UNION SELECT * FROM ({_scoped(check.sql, earlier)})" if carried else sql


# {scope} is the checked table t's condition; {scope:x} the same for another core table x of
# the query: a report's rows in the core tables are written together, with one build_no (not
# raw_documents': ingest numbers those). A join with the whole of report_texts read every
# text: 1 s a run at 2,000 reports.
_SCOPE = re.compile(r"\{scope(?::(\w+))?\}")


def _scoped(sql: str, condition: Callable[[str], str]) -> str:
    return _SCOPE.sub(lambda m: condition(m.group(1) or "t"), sql)


@timed("checks")
def evaluate(con: duckdb.DuckDBPyConnection, check: Check, build_no: int | None = None) -> dg.AssetCheckResult:
    carried = check.per_report and build_no is not None and con.execute(
        "SELECT count(*) > 0 FROM pipeline_check_problems WHERE check_name = ?", [check.name]).fetchone()[0]
    sql = problems_sql(check, build_no, carried)
    remember = check.per_report and build_no is not None
    if remember or check.sliced is not None:
        first, *rest = _slices(con, check)
        con.execute("CREATE OR REPLACE TEMP TABLE _problems AS " + problems_sql(check, build_no, carried, first))
        for rows in rest:
            con.execute("INSERT INTO _problems " + problems_sql(check, build_no, carried, rows))
        sql = "SELECT * FROM _problems"
    if remember:
        # remember which reports have problems: the next build reads these and its own rows
        con.execute("DELETE FROM pipeline_check_problems WHERE check_name = ?", [check.name])
        con.execute("INSERT INTO pipeline_check_problems SELECT DISTINCT ?, report_id FROM _problems", [check.name])
    cur = con.execute(f"SELECT * FROM ({sql}) LIMIT 20")
    columns, rows = [d[0] for d in cur.description], cur.fetchall()
    n = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0] if len(rows) == 20 else len(rows)
    # the whole-warehouse query, on one line
    listing = " ".join(problems_sql(check).split()).replace(" AND TRUE", "").replace("WHERE TRUE AND ", "WHERE ")
    # which reports: the file names where the rows have them (what a user can open), else the ids
    key = next((c for c in ("source_file", "report_id") if c in columns), columns[0] if columns else None)
    named = list(dict.fromkeys(str(r[columns.index(key)]) for r in rows)) if key else []
    metadata = {"problems": n, "sql": dg.MetadataValue.md(f"```sql\n{listing}\n```")}
    if rows:
        metadata["examples"] = dg.MetadataValue.md(markdown_table(columns, rows[:10]))
        metadata["first"] = ", ".join(named[:5])
    return dg.AssetCheckResult(asset_key=check.asset, check_name=check.name, passed=not rows, severity=check.severity,
                               metadata=metadata)


def _slices(con: duckdb.DuckDBPyConnection, check: Check) -> list[tuple[int, int] | None]:
    """The rowid ranges of a sliced check's texts, one query each; [None] (all) otherwise."""
    if check.sliced is None:
        return [None]
    end = con.execute(f'SELECT coalesce(max(rowid), -1) + 1 FROM "{check.sliced[0]}"').fetchone()[0]
    return [(lo, lo + SLICE_ROWS) for lo in range(0, end, SLICE_ROWS)] or [None]


def markdown_table(columns: list[str], rows: list[tuple], width: int = 80) -> str:
    """Rows as a Markdown table with named columns (the Dagster UI renders it); long cells cut."""
    def cell(v: object) -> str:
        text = "" if v is None else " ".join(str(v).split())
        return (text[: width - 1] + "…" if len(text) > width else text).replace("|", "\\|")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def run_checks(con: duckdb.DuckDBPyConnection, assets: list[str],
               build_no: int | None = None) -> Iterator[dg.AssetCheckResult]:
    """Evaluate the checks of ``assets``; with ``build_no`` (this build's), per-report checks
    read only the rows of the builds they have not checked yet and the reports with earlier
    problems (``pipeline_check_problems``).

    Not only this build's rows: an attempt killed after extracting and before its checks left
    rows of its own number, which the next attempt (resuming the file, with a new number)
    keeps. Each check records the last build it read (``checked_through:<name>``); a file
    without the record is checked whole once.
    """
    for check in CHECKS:
        if check.asset not in assets:
            continue
        if build_no is None or not check.per_report:
            yield evaluate(con, check, build_no)
            continue
        key = f"checked_through:{check.name}"
        done = store.get_state(con, key)
        result = evaluate(con, check, min(build_no, int(done) + 1) if done is not None else 0)
        store.set_state(con, key, str(build_no))  # after the problems are recorded
        yield result
