"""Seconds per MB of each extraction stage, in one process, on real texts.

    python -m benchmarks.extract_stages [FOLDER ...] [--repeat N] [--dump FILE] [--compare FILE]

Reads every report under the folders (default ``raw/``), then times each stage over all of
them: cleaning (``make_document``), metadata, sections, quantities, indicators, terms
(segmentation and counting, 200 reports at a time as the pipeline does), and all of
``pipelines.rows.extract_batch`` (rows and frames too). One process, no Dagster, no DuckDB, so the
figures are those of the extraction code alone and can be compared before and after a
change on a busy machine: they are CPU seconds of the process (``time.process_time``;
Polars' threads included), which other processes on the machine disturb much less than
the wall clock.

``--dump`` writes every table's rows (the frames ``rows.extract_batch`` returns) to a
file; ``--compare`` reads such a file and reports, table by table, the rows that differ,
so a speed change can be checked to give the same output.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _items(folders: list[Path]) -> list[dict]:
    from pipelines.extract.clean import looks_truncated
    from pipelines.extract.ingest import SourceRecord, make_document, read_folder

    items = []
    for folder in folders:
        for rec in read_folder(folder):
            if not isinstance(rec, SourceRecord):
                continue
            doc, _ = make_document(rec.source_file, rec.raw_text)
            items.append({"report_id": rec.content_sha256[:16], "source_file": rec.source_file,
                          "raw_text": rec.raw_text, "url": rec.url, "title_hint": rec.title,
                          "published_on_hint": rec.published_on, "content_sha256": rec.content_sha256,
                          "truncated": looks_truncated(doc.text)})
    return items


def stage_times(items: list[dict], repeat: int = 1) -> dict[str, float]:
    """CPU seconds spent in each stage over ``items`` (best of ``repeat`` passes)."""
    from pipelines.extract import terms
    from pipelines.extract.document import Document
    from pipelines.extract.indicators import extract_indicators
    from pipelines.extract.ingest import make_document
    from pipelines.extract.metadata import extract_metadata
    from pipelines.extract.quantities import extract_quantities
    from pipelines.extract.sections import extract_sections
    from pipelines.rows import extract_batch, warm_up

    warm_up()
    best: dict[str, float] = {}
    for _ in range(repeat):
        t: Counter[str] = Counter()
        # the whole batch first, as a worker meets the reports: caches (a pattern per region,
        # a category per heading) cold. Timed after the stages, it hid what they had warmed
        t0 = time.process_time()
        for i in range(0, len(items), 200):
            extract_batch(items[i:i + 200])
        t["extract_batch (all of it, with rows and frames)"] = time.process_time() - t0
        texts = []
        for it in items:
            t0 = time.process_time()
            doc, _ = make_document(it["source_file"], it["raw_text"], it["url"], it["title_hint"],
                                   it["published_on_hint"])
            t1 = time.process_time()
            meta = extract_metadata(doc)
            t2 = time.process_time()
            secs = extract_sections(doc)
            t3 = time.process_time()
            qs = extract_quantities(doc, secs)
            t4 = time.process_time()
            extract_indicators(doc, meta, secs, qs)
            t5 = time.process_time()
            for k, a, b in (("clean", t0, t1), ("metadata", t1, t2), ("sections", t2, t3),
                            ("quantities", t3, t4), ("indicators", t4, t5)):
                t[k] += b - a
            texts.append((doc.simplified, secs))
        t0 = time.process_time()
        if hasattr(terms, "count_terms"):
            # as the pipeline counts them: a batch of 200 at a time; the segmentation apart
            tokens = [terms.segment(text) for text, _ in texts]
            t1 = time.process_time()
            for i in range(0, len(texts), 200):
                toks = iter(tokens[i:i + 200])
                terms.count_terms(texts[i:i + 200], lambda _text, toks=toks: next(toks))
            t["terms: segmentation (rjieba)"] += t1 - t0
            t["terms: counting"] += time.process_time() - t1
        else:  # the code before rjieba, for comparisons: jieba, per document
            for text, secs in texts:
                terms.extract_terms(Document(source_file="", text=text, simplified=text), secs)
            t["terms (jieba, per document)"] += time.process_time() - t0
        for k, v in t.items():
            best[k] = min(best.get(k, v), v)
    return best


def dump(items: list[dict]) -> dict[str, list[dict]]:
    from pipelines.rows import extract_batch

    frames = extract_batch(items)
    return {t: f.to_dicts() for t, f in frames.items()}


def compare(old: dict[str, list[dict]], new: dict[str, list[dict]]) -> int:
    """Print the rows that differ, table by table; returns how many differ."""
    n_diff = 0
    for table in sorted(set(old) | set(new)):
        a = Counter(repr(sorted(r.items())) for r in old.get(table, []))
        b = Counter(repr(sorted(r.items())) for r in new.get(table, []))
        gone, added = a - b, b - a
        n_diff += sum(gone.values()) + sum(added.values())
        print(f"{table}: {sum(a.values())} rows before, {sum(b.values())} after; "
              f"{sum(gone.values())} only before, {sum(added.values())} only after")
        for r in list(gone)[:3]:
            print("   -", r[:400])
        for r in list(added)[:3]:
            print("   +", r[:400])
    return n_diff


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, default=[REPO / "raw"])
    ap.add_argument("--repeat", type=int, default=1, help="passes over the texts; the best is kept")
    ap.add_argument("--dump", type=Path, help="write every table's rows to this file")
    ap.add_argument("--compare", type=Path, help="compare every table's rows with this earlier dump")
    ap.add_argument("--no-times", action="store_true", help="only --dump / --compare")
    args = ap.parse_args(argv)
    items = _items(args.folders)
    mb = sum(len(it["raw_text"].encode()) for it in items) / 2**20
    print(f"{len(items)} reports, {mb:.2f} MB")
    if not args.no_times:
        times = stage_times(items, args.repeat)
        total = sum(v for k, v in times.items() if not k.startswith("extract_batch"))
        for k, v in times.items():
            share = f"{100 * v / total:5.1f} %" if not k.startswith("extract_batch") else "       "
            print(f"{k:>50}: {v:7.2f} s  {share}  {mb / v if v else 0:6.2f} MB/s")
        print(f"{'sum of the stages':>50}: {total:7.2f} s           {mb / total:6.2f} MB/s")
    rows = dump(items) if args.dump or args.compare else None
    if args.dump:
        args.dump.write_bytes(pickle.dumps(rows))
    if args.compare:
        return 1 if compare(pickle.loads(args.compare.read_bytes()), rows) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
