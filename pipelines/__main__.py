"""Command line: ``python -m pipelines build`` runs the main job through Dagster.

    python -m pipelines build [--raw DIR] [--warehouse FILE]
    python -m pipelines watch [--raw DIR] [--warehouse FILE] [--interval S]   (make watch)

Uses the same definitions as the UI (``pipelines.definitions``) and records the run in the
Dagster instance of $DAGSTER_HOME (default ``.dagster_home/``), so it shows in `make dev`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from pipelines.config import REPO


def ensure_dagster_home() -> str:
    home = os.environ.setdefault("DAGSTER_HOME", str(REPO / ".dagster_home"))
    os.makedirs(home, exist_ok=True)
    cfg = os.path.join(home, "dagster.yaml")
    src = REPO / "dagster.yaml"
    if not os.path.exists(cfg) or Path(cfg).read_bytes() != src.read_bytes():
        shutil.copyfile(src, cfg)
    return home


def _point_at(raw: str | None, warehouse: str | None):
    """The run's folder and warehouse (the options override the environment), Dagster's home ready."""
    if raw:
        os.environ["GOVREPORTS_RAW_DIR"] = raw
    if warehouse:
        os.environ["GOVREPORTS_WAREHOUSE"] = warehouse
    ensure_dagster_home()
    from pipelines.config import Paths

    return Paths.from_env()


INTERRUPTED = 130  # the exit code of a build stopped by Ctrl-C or SIGTERM
RETRY_SECONDS = 60.0  # a watch tries a failed build again after this long, the folder unchanged


def _execute(instance, run, paths, t0: float) -> int:
    """Run the main job in this process with ``run`` (the workers, the listing made before it)
    and report: failed checks, the error of a failed step, the time of each phase."""
    from pipelines import timing
    from pipelines.definitions import defs

    result = defs.resolve_job_def("build_warehouse").execute_in_process(
        instance=instance, raise_on_error=False, resources={"run": run},
        # progress lines (INFO) on the console; Dagster's per-step DEBUG events stay in the UI
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    elapsed = time.perf_counter() - t0
    failed_checks = [e.asset_check_evaluation_data for e in result.all_events
                     if e.event_type_value == "ASSET_CHECK_EVALUATION"
                     and not e.asset_check_evaluation_data.passed]
    for ev in failed_checks:
        meta = {k: getattr(v, "value", getattr(v, "md_str", v)) for k, v in ev.metadata.items()}
        n, first = meta.get("problems", "?"), meta.get("first", "")
        print(f"  check {ev.check_name} on {ev.asset_key.to_user_string()}: "
              f"{'warning' if ev.severity.value == 'WARN' else 'FAILED'}: {n} rows"
              + (f" (e.g. {first})" if first else ""), flush=True)
        sql = str(meta.get("sql", "")).removeprefix("```sql\n").removesuffix("\n```")
        if sql:
            print(f"    list them: make sql, then {sql}", flush=True)
    if not result.success:
        errors = [e.step_failure_data.error for e in result.all_events
                  if e.event_type_value == "STEP_FAILURE" and e.step_failure_data.error]
        for err in errors:  # the cause, not only "FAILED": a busy warehouse, a full disk ...
            cause = err.cause or err
            print(f"  error: {cause.message.strip()}", file=sys.stderr)
        print(f"govreports: build FAILED after {elapsed:.1f}s (run {result.run_id}); "
              "the published warehouse was left as it was", file=sys.stderr)
        # an interrupt shows as the step's error or as its cause, by class name or in the message
        said = " ".join(f"{e.cls_name} {e.message}" for err in errors for e in (err, err.cause) if e)
        return INTERRUPTED if "DagsterExecutionInterruptedError" in said or "KeyboardInterrupt" in said else 1
    print(f"govreports: done in {elapsed:.1f}s -> {paths.warehouse}", flush=True)
    # the benchmark reads this line: the time of each phase, Dagster's and Python's the rest
    phases = {k: round(v, 2) for k, v in timing.totals().items()}
    phases["dagster"] = round(elapsed - sum(phases.values()), 2)
    print(f"govreports: phases {json.dumps(phases)}", flush=True)
    return 0


def build(raw: str | None, warehouse: str | None) -> int:
    paths = _point_at(raw, warehouse)
    from pipelines import stages

    print(f"govreports: building {paths.warehouse} from {paths.raw_dir}", flush=True)
    t0 = time.perf_counter()
    try:
        stages.check_raw_dir(paths.raw_dir)
    except OSError as exc:
        print(f"govreports: {exc}", file=sys.stderr)
        return 1
    from pipelines import store

    run = stages.prepare(paths.raw_dir, paths.warehouse)  # before Dagster's ~2 s of start-up: see there
    try:
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            return _execute(instance, run, paths, t0)
    finally:
        # every exit path: no worker or forkserver outlives the run (they hold its stdout)
        run.workers.close()
        store.release_build_lock(paths)


def watch(raw: str | None, warehouse: str | None, interval: float, runs: int | None = None) -> int:
    """Build whenever the raw folder changes, in one warm process (``runs``: stop after that many).

    What a cold ``build`` pays at every start is paid once here: Python's and Dagster's imports,
    the Dagster instance, the extractors and their dictionaries (loaded in this process, which
    extracts a handful of new reports itself; more go to the workers, kept between runs). Each
    build is the same Dagster job as ``build``'s, recorded in the same instance. The folder is
    listed every ``interval`` seconds and compared with the listing the last build started
    from (in memory: the warehouse is read only at the start).
    """
    paths = _point_at(raw, warehouse)
    from pipelines import stages, store, timing
    from pipelines.extract.ingest import scan_folder
    from pipelines.workers import Workers

    try:
        stages.check_raw_dir(paths.raw_dir)
    except OSError as exc:
        print(f"govreports: {exc}", file=sys.stderr)
        return 1
    import dagster as dg

    from pipelines.rows import warm_up

    warm_up()

    # Ctrl-C or a service manager's stop (SIGTERM) ends the watch: between builds within a
    # tenth of a second; during one, Dagster interrupts the build (the published warehouse
    # stays as it was) and the watch ends after it. Our handler only notes the signal (an
    # exception raised from it was lost whenever it landed in a garbage collector's callback,
    # sqlalchemy's, at 100,000 files). While it runs a job, Dagster swaps in a handler of its
    # own that may note a signal and forget it: every signal is also written to a socket
    # (``set_wakeup_fd``, whatever handler is in place), read after each build.
    import socket

    stopping: list[str] = []
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)

    def stop(signum, _frame):
        stopping.append(signal.Signals(signum).name)

    def own_signals() -> bool:
        """Our handlers in place again; True if a stop was asked for since the last call."""
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        with contextlib.suppress(BlockingIOError):
            if {signal.SIGTERM, signal.SIGINT} & set(wake_r.recv(4096)):
                stopping.append("a signal during the last build")
        return bool(stopping)

    steps = max(1, round(interval / 0.1))
    list_folder = timing.timed("scan")(scan_folder)
    workers = Workers(keep=True)
    last: tuple | None = None  # (path, size, mtime, ctime) of every entry the last build listed
    retry_at: float | None = None  # after a failed build: when to try again, the folder unchanged
    missing = False  # the folder could not be listed at the last look
    polls, failed = 0, 0
    print(f"govreports: watching {paths.raw_dir} (every {interval:g} s) -> {paths.warehouse}; "
          "Ctrl-C stops", flush=True)
    try:
        with dg.DagsterInstance.get() as instance:
            while runs is None or polls < runs:
                if own_signals():
                    break
                polls += 1
                t0 = time.perf_counter()
                timing.reset()
                try:
                    scan = list_folder(paths.raw_dir)
                except OSError as exc:  # moved away, unmounted: said once, then waited for
                    if not missing:
                        print(f"govreports: cannot list {paths.raw_dir} ({exc}); waiting for it", flush=True)
                    missing, last = True, None
                    scan = None
                if scan is not None:
                    missing = False
                    # ctime too: a chmod makes an unreadable file readable without touching its mtime
                    listed = tuple((rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns) for rel, st in scan[0])
                    due = (last is None and stages.folder_changed(scan[0], paths.warehouse)) or (
                        last is not None and listed != last) or not paths.warehouse.exists() or (
                        retry_at is not None and time.monotonic() >= retry_at)
                    if due and not own_signals():
                        print(f"govreports: {paths.raw_dir} changed: building", flush=True)
                        try:
                            code = _execute(instance, stages.Run(workers=workers, scan=(paths.raw_dir, scan)),
                                            paths, t0)
                        finally:
                            store.release_build_lock(paths)
                        if code == INTERRUPTED or own_signals():
                            break
                        failed += code
                        # a failed build (a busy warehouse, a full disk) is tried again in a minute
                        retry_at = time.monotonic() + RETRY_SECONDS if code else None
                    last = listed
                for _ in range(steps):  # the interval in tenths: a stop is seen within one
                    if stopping or (runs is not None and polls >= runs):
                        break
                    time.sleep(interval / steps)
        print("govreports: stopped watching", flush=True)
    except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError):
        print("govreports: stopped watching", flush=True)
    finally:
        signal.set_wakeup_fd(-1)
        wake_r.close()
        wake_w.close()
        workers.close()
        store.release_build_lock(paths)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the warehouse from the raw folder (the main job)")
    b.add_argument("--raw", help="raw folder (default $GOVREPORTS_RAW_DIR or raw/)")
    b.add_argument("--warehouse", help="warehouse file (default $GOVREPORTS_WAREHOUSE or warehouse/reports.duckdb)")
    w = sub.add_parser("watch", help="build whenever the raw folder changes, in one warm process (Ctrl-C stops)")
    w.add_argument("--raw", help="raw folder (default $GOVREPORTS_RAW_DIR or raw/)")
    w.add_argument("--warehouse", help="warehouse file (default $GOVREPORTS_WAREHOUSE or warehouse/reports.duckdb)")
    w.add_argument("--interval", type=float, default=5.0, help="seconds between two listings of the folder (5)")
    w.add_argument("--runs", type=int, help="stop after this many listings (tests, benchmarks)")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        return build(args.raw, args.warehouse)
    if args.cmd == "watch":
        if args.interval <= 0:
            ap.error("--interval must be positive")
        return watch(args.raw, args.warehouse, args.interval, args.runs)
    return 2


if __name__ == "__main__":
    code = main()
    # Everything is closed and flushed by now (the Dagster instance, DuckDB, the worker pool);
    # tearing down the interpreter's ~3,000 modules would add ~0.6 s to every run.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
