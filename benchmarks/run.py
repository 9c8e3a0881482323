"""The scale benchmark: build a warehouse from a large realistic corpus through `make run`'s code path.

    python -m benchmarks.run [--reports N] [--large] [--keep] [--reuse-jieba] [--no-jieba] [--raw-only]

Writes ``benchmarks/results/latest.json`` (and a copy named after the corpus size) with
reports, mb, seconds, mb_per_s, phases, peak_rss_mb, rjieba_seconds, ratio_to_rjieba, jieba_seconds,
ratio_to_jieba, noop_seconds, incremental_add_seconds. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.synth import make_corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
ADDS = 5  # one-report adds timed after the full build
WARM_POLL = 0.2  # seconds between the warm watcher's listings of the folder

JIEBA_ALONE = """
import sys, time, jieba
from pathlib import Path
from pipelines.extract.ingest import list_raw_files
root = Path(sys.argv[1])
texts = [p.read_text(encoding="utf-8") for p in list_raw_files(root)]
jieba.setLogLevel(60)
jieba.initialize()
t0 = time.perf_counter()
n = 0
for t in texts:
    n += len(jieba.lcut(t))
print(time.perf_counter() - t0, n)
"""

# the pipeline's segmenter alone, the same way: one process, the same files, dictionary load excluded
RJIEBA_ALONE = """
import sys, time, rjieba
from pathlib import Path
from pipelines.extract.ingest import list_raw_files
root = Path(sys.argv[1])
texts = [p.read_text(encoding="utf-8") for p in list_raw_files(root)]
tok = rjieba.Jieba()
tok.cut("加载词典")
t0 = time.perf_counter()
n = 0
for t in texts:
    n += len(tok.cut(t))
print(time.perf_counter() - t0, n)
"""


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(d.name))
            rss[int(d.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total / 2**20


def _build_env(raw: Path, wh: Path, home: Path) -> dict[str, str]:
    """The environment of a build (or a watch) of ``raw`` into ``wh`` with Dagster's home ``home``."""
    return {**os.environ, "GOVREPORTS_RAW_DIR": str(raw), "GOVREPORTS_WAREHOUSE": str(wh), "DAGSTER_HOME": str(home)}


def warm_adds(raw: Path, wh: Path, home: Path, n: int) -> tuple[list[float], list[float], list[dict]]:
    """One report added at a time to a folder that ``python -m pipelines watch`` follows: per add,
    the watcher's own time for the build (from the listing that saw the file to the publish,
    its ``done in`` line), the time from the file's creation to that line (the polling's
    delay included), and its phases."""
    env = _build_env(raw, wh, home)
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "watch", "--interval", str(WARM_POLL)], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ready = threading.Event()
    got = threading.Condition()

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            with got:
                lines.append(line)
                got.notify_all()
            if "watching" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    own, seen, phases = [], [], []
    try:
        if not ready.wait(120):
            raise SystemExit("the watcher did not start:\n" + "".join(lines[-20:]))
        time.sleep(3 * WARM_POLL)  # its first listing (the folder unchanged: no build)
        for i in range(ADDS):
            print(f"warm: one new report ({i + 1} of {ADDS})", flush=True)
            # made aside, then moved in whole: the watcher never lists a half-written file
            staging = raw.parent / "warm-staging"
            shutil.rmtree(staging, ignore_errors=True)
            make_corpus(REPO / "raw", staging, 1, seed=199 + i, start=n + ADDS + i)
            with got:
                start = len(lines)
            t0 = time.perf_counter()
            for f in sorted(p for p in staging.rglob("*") if p.is_file()):
                dest = raw / "incremental" / f.relative_to(staging)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)
            with got:
                if not got.wait_for(lambda s=start: any("phases" in ln or "FAILED" in ln for ln in lines[s:]), 120):
                    raise SystemExit("the watcher built nothing:\n" + "".join(lines[-20:]))
            seen.append(time.perf_counter() - t0)
            out = "".join(lines[start:])
            if "FAILED" in out:
                raise SystemExit("a warm build failed:\n" + out)
            own.append(float(out.split("govreports: done in ", 1)[1].split("s", 1)[0]))
            phases.append(phases_of(out))
            time.sleep(2 * WARM_POLL)
    finally:
        proc.terminate()  # SIGTERM: the watcher stops as on Ctrl-C, its workers closed
        proc.wait(60)
    return own, seen, phases


RAW_ONLY = """
import sys
from pathlib import Path
from pipelines import stages, store
db = Path(sys.argv[2])
with store.connect(db) as con:
    store.apply_schema(con)
    print(stages.ingest(con, Path(sys.argv[1]), print))
"""


def timed_build(raw: Path, wh: Path, home: Path, argv: list[str] | None = None) -> tuple[float, float, str]:
    """Run `python -m pipelines build` (or ``argv``); returns (seconds, peak RSS of the process tree in MB, output)."""
    env = _build_env(raw, wh, home)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv or [sys.executable, "-m", "pipelines", "build"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0.0
    lines: list[str] = []

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if "extract:" in line or "raw:" in line or "published" in line:
                print("   ", line.rstrip().split(" - ")[-1], flush=True)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.25)
    reader.join()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit("build failed:\n" + "".join(lines[-40:]))
    return seconds, peak, "".join(lines)


def phases_of(output: str) -> dict[str, float]:
    """The build's time per phase, from the CLI's ``govreports: phases {...}`` line."""
    for line in output.splitlines():
        if line.startswith("govreports: phases "):
            return json.loads(line.removeprefix("govreports: phases "))
    return {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--large", action="store_true", help="100,000 reports")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and warehouse")
    ap.add_argument("--reuse-jieba", action="store_true",
                    help="take jieba_seconds from the last results for this corpus size instead of measuring again")
    ap.add_argument("--no-jieba", action="store_true",
                    help="skip jieba alone (minutes on a busy machine): jieba_seconds and ratio_to_jieba are null")
    ap.add_argument("--raw-only", action="store_true",
                    help="time and measure only the raw layer (read, decode, clean, load) into a scratch file")
    args = ap.parse_args(argv)
    n = 100_000 if args.large else args.reports

    work = HERE / "corpus" / f"n{n}"
    raw = work / "raw"
    if not (work / ".complete").exists():
        shutil.rmtree(work, ignore_errors=True)
        print(f"generating {n} reports from the real ones in raw/ ...", flush=True)
        make_corpus(REPO / "raw", raw, n)
        (work / ".complete").touch()
    shutil.rmtree(raw / "incremental", ignore_errors=True)  # left by an earlier --keep run
    mb = sum(p.stat().st_size for p in raw.rglob("*.txt")) / 2**20
    wh = work / "out" / "reports.duckdb"
    shutil.rmtree(work / "out", ignore_errors=True)
    home = work / "dagster_home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    subprocess.run([str(Path(sys.executable).parent / "dagster"), "instance", "migrate"],
                   env={**os.environ, "DAGSTER_HOME": str(home)}, check=True, capture_output=True)

    if args.raw_only:
        scratch = work / "raw_only" / "raw.duckdb"
        shutil.rmtree(scratch.parent, ignore_errors=True)
        scratch.parent.mkdir(parents=True)
        seconds, peak, _ = timed_build(raw, wh, home, [sys.executable, "-c", RAW_ONLY, str(raw), str(scratch)])
        result = {"reports": n, "mb": round(mb, 1), "raw_layer_seconds": round(seconds, 1),
                  "raw_layer_peak_rss_mb": round(peak), "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"raw_only_n{n}.json").write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result, indent=1))
        shutil.rmtree(scratch.parent, ignore_errors=True)
        return 0

    print(f"full build: {n} reports, {mb:.1f} MB", flush=True)
    seconds, peak, output = timed_build(raw, wh, home)
    phases = phases_of(output)
    print(f"  {seconds:.1f} s, peak RSS {peak:.0f} MB, phases {phases}", flush=True)

    # the first run after a full build also makes the second build file (a whole-file copy,
    # once); the second is what a daily run on an unchanged folder costs
    noops = []
    for i in range(2):
        print(f"no-op build, unchanged folder ({i + 1} of 2)", flush=True)
        noops.append(timed_build(raw, wh, home)[0])
    noop = noops[1]

    # one new report at a time, five times in a row: the first follows the no-op runs (which
    # made the second build file), the others are the steady state of daily runs (the previous
    # run's delta applied first). A run here varies by +-1 s from one run to the next (mostly
    # Dagster's own start and event writes), so the figure is the median, with every run kept.
    adds, add_phases = [], []
    for i in range(ADDS):
        print(f"incremental: one new report ({i + 1} of {ADDS})", flush=True)
        make_corpus(REPO / "raw", raw / "incremental", 1, seed=99 + i, start=n + i)
        add_seconds, _, add_output = timed_build(raw, wh, home)
        adds.append(add_seconds)
        add_phases.append(phases_of(add_output))
    median_add = add_phases[sorted(range(ADDS), key=adds.__getitem__)[ADDS // 2]]

    # the same adds to a warm process (python -m pipelines watch): a run without the start-up
    warm, warm_seen, warm_phases = warm_adds(raw, wh, home, n)
    median_warm = warm_phases[sorted(range(ADDS), key=warm.__getitem__)[ADDS // 2]]

    earlier = RESULTS / f"n{n}.json"
    # the corpus is generated deterministically from raw/: the same files as the earlier run
    # if it has the same size (raw/ itself may have grown since)
    reuse = args.reuse_jieba and earlier.exists() and json.loads(earlier.read_text()).get("mb") == round(mb, 1)
    jieba_seconds: float | None = None
    if args.no_jieba:
        print("jieba alone: skipped (--no-jieba)", flush=True)
    elif reuse:
        jieba_seconds = json.loads(earlier.read_text())["jieba_seconds"]
        print(f"jieba alone: {jieba_seconds} s, from {earlier.name}", flush=True)
    else:
        print("jieba alone on the same text, one process", flush=True)
        out = subprocess.run([sys.executable, "-c", JIEBA_ALONE, str(raw)], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.split()
        jieba_seconds = float(out[0])
    print("rjieba alone on the same text, one process", flush=True)
    out = subprocess.run([sys.executable, "-c", RJIEBA_ALONE, str(raw)], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split()
    rjieba_seconds = float(out[0])

    result = {
        "reports": n, "mb": round(mb, 1), "seconds": round(seconds, 1), "mb_per_s": round(mb / seconds, 2),
        "phases": phases, "peak_rss_mb": round(peak),
        "rjieba_seconds": round(rjieba_seconds, 1), "ratio_to_rjieba": round(seconds / rjieba_seconds, 2),
        "jieba_seconds": jieba_seconds and round(jieba_seconds, 1),
        "ratio_to_jieba": jieba_seconds and round(seconds / jieba_seconds, 2),
        "jieba_measured_now": not (reuse or args.no_jieba),
        "noop_seconds": round(noop, 1), "first_noop_seconds": round(noops[0], 1),
        "incremental_add_seconds": round(statistics.median(adds), 1),
        "incremental_add_max_seconds": round(max(adds), 1),
        "incremental_adds_seconds": [round(a, 1) for a in adds],
        "incremental_add_phases": median_add,
        "warm_add_seconds": round(statistics.median(warm), 1),
        "warm_adds_seconds": [round(a, 1) for a in warm],
        "warm_adds_seen_seconds": [round(a, 1) for a in warm_seen],
        "warm_add_phases": median_warm,
        "warehouse_mb": round(wh.stat().st_size / 2**20, 1), "cores": os.cpu_count(),
        "python": platform.python_version(), "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(result, indent=1)
    (RESULTS / "latest.json").write_text(text + "\n")
    (RESULTS / f"n{n}.json").write_text(text + "\n")
    print(text)
    if not args.keep:
        shutil.rmtree(work / "out", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
