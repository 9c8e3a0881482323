"""Score extraction against a gold file (the rules of ``../shared/tools/score.py``).

    python -m pipelines.evaluate WAREHOUSE.duckdb GOLD.json [--verbose] [--json OUT]
    python -m pipelines.evaluate --raw RAW_DIR GOLD.json [--verbose]   # extract in memory

The first form reads a built warehouse (tables/views ``reports``, ``sections``,
``indicators``), the second runs the extractors directly on a raw folder: the quick loop
for whoever is tuning a rule. Both print the same lines as the shared scorer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

_PUNCT = re.compile(r"[\s\u3000,，。.、:：;；!！?？()（）\"“”'‘’《》<>\-—_/]+")
META_FIELDS = ("doc_type", "issuer", "region", "province", "admin_level", "report_year", "published_on",
               "signed_on")


def norm_text(s: object) -> str:
    return _PUNCT.sub("", str(s or ""))


def _norm_issuer(s: object) -> str:
    return norm_text(s).replace("科学技术局", "科技局")


def same_issuer(got: object, want: object) -> bool:
    """Equal, or equal but for the parent region's name in front (温州市龙湾区… = 龙湾区…)."""
    g, w = _norm_issuer(got), _norm_issuer(want)
    if not g or not w:
        return g == w
    short, long_ = sorted((g, w), key=len)
    return g == w or (len(short) >= 4 and long_.endswith(short))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(1e-9, 0.001 * abs(b))


def _field_ok(name: str, got: object, want: object, found: bool) -> bool:
    if name == "issuer":
        return found and same_issuer(got, want)
    if name in ("published_on", "signed_on"):
        return (None if got is None else str(got)[:10]) == want
    if name == "report_year":
        return got is None if want is None else got is not None and int(got) == int(want)  # type: ignore[arg-type]
    return (got or None) == want


@dataclass
class Score:
    reports_found: int = 0
    reports_gold: int = 0
    meta_ok: int = 0
    meta_n: int = 0
    sec_ok: int = 0
    sec_n: int = 0
    cat_ok: int = 0
    cat_n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    # tp/fp/fn per indicator, measure and doc type; why each gold fact was missed
    by: dict[str, list[int]] = field(default_factory=dict)
    causes: dict[str, int] = field(default_factory=dict)

    def count(self, keys: list[str], k: int) -> None:
        for key in keys:
            self.by.setdefault(key, [0, 0, 0])[k] += 1

    def breakdown(self) -> list[str]:
        """Precision and recall per indicator, measure and doc type; misses grouped by cause."""
        out = [f"{'':34} {'tp':>4} {'fp':>4} {'fn':>4}  precision recall"]
        for key in sorted(self.by):
            tp, fp, fn = self.by[key]
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            out.append(f"{key:34} {tp:4} {fp:4} {fn:4}  {p:9.3f} {r:6.3f}")
        if self.causes:
            out.append("missed facts by cause:")
            out += [f"  {n:4}  {c}" for c, n in sorted(self.causes.items(), key=lambda x: -x[1])]
        return out

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def metadata(self) -> float:
        return self.meta_ok / max(self.meta_n, 1)

    @property
    def sections(self) -> float:
        return self.sec_ok / max(self.sec_n, 1)

    def as_dict(self) -> dict:
        return {
            "reports_found": self.reports_found, "reports_gold": self.reports_gold,
            "metadata": [self.meta_ok, self.meta_n], "top_sections": [self.sec_ok, self.sec_n],
            "categories": [self.cat_ok, self.cat_n],
            "facts": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 3),
                      "recall": round(self.recall, 3), "f1": round(self.f1, 3)},
        }

    def lines(self) -> list[str]:
        return [
            f"reports  {self.reports_found}/{self.reports_gold} found",
            f"metadata {self.meta_ok}/{self.meta_n} fields right",
            f"sections {self.sec_ok}/{self.sec_n} top-level headings right, "
            f"{self.cat_ok}/{self.cat_n} categories right",
            f"facts    tp={self.tp} fp={self.fp} fn={self.fn}",
            f"precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f} "
            f"metadata={self.metadata:.3f} sections={self.sections:.3f}",
        ]


def _resolver(names: dict[str, object]):
    """Map a gold ``source_file`` to the warehouse's name for it.

    A warehouse names a report by its path in the raw folder (``series/x/2021.txt``): a gold
    name matches that path, or a path ending in it where only one does (the scorer's rule).
    """
    by_tail: dict[str, list[str]] = {}
    for key in names:
        by_tail.setdefault(str(key).replace("\\", "/").rsplit("/", 1)[-1], []).append(key)

    def resolve(name: str) -> str:
        if name in names:
            return name
        hits = [k for k in by_tail.get(name.rsplit("/", 1)[-1], []) if str(k).endswith(name)]
        return hits[0] if len(hits) == 1 else name

    return resolve


def _keys(f: dict, doc_type: object) -> list[str]:
    return [f"indicator={f['indicator']}", f"measure={f['measure']}", f"doc_type={doc_type}"]


def _cause(gf: dict, cands: list[dict]) -> str:
    """Why a gold fact was missed, from the candidates weighed for its figure."""
    near = [c for c in cands if c["value"] is not None and _close(float(c["value"]), float(gf["value"]))]
    if not near:
        return "no candidate: the wording names no indicator the cues know, or the figure was not read"
    for c in near:
        if c["accepted"] and c["indicator"] == gf["indicator"]:
            if c["measure"] != gf["measure"]:
                return f"wrong measure: {c['measure']} for {gf['measure']}"
            return "wrong year: " + ("the report's year is unknown" if c["year"] is None else "another year")
    for c in near:
        if c["accepted"]:
            return f"bound to another indicator: {c['indicator']}"
    return "rejected: " + str(near[0]["reason"] or "").split(":")[0]


def score(reports: list[dict], sections: list[dict], facts: list[dict], gold: list[dict],
          candidates: list[dict] | None = None) -> Score:
    """Score rows keyed by ``source_file`` against gold reports.

    ``sections`` rows need source_file, level, position, heading, category; ``facts`` rows
    source_file, indicator, measure, value, year; ``candidates`` (optional: the misses are then
    grouped by cause) source_file, indicator, measure, value, year, accepted, reason.
    """
    by_file = {r["source_file"]: r for r in reports}
    resolve = _resolver(by_file)
    gold_files = {resolve(g["source_file"]) for g in gold}
    s = Score(reports_gold=len(gold_files), reports_found=sum(1 for n in gold_files if n in by_file))
    tops_by: dict[str, list[dict]] = {}
    for sec in sorted(sections, key=lambda x: (x["source_file"], x["position"])):
        if sec["level"] == 1:
            tops_by.setdefault(sec["source_file"], []).append(sec)
    facts_by: dict[str, list[dict]] = {}
    for f in facts:
        facts_by.setdefault(f["source_file"], []).append(f)
    cands_by: dict[str, list[dict]] = {}
    for c in candidates or []:
        cands_by.setdefault(c["source_file"], []).append(c)

    for g in gold:
        name = resolve(g["source_file"])
        r = by_file.get(name)
        for f in META_FIELDS:
            if f not in g:
                continue
            s.meta_n += 1
            got = None if r is None else r.get(f)
            ok = _field_ok(f, got, g[f], r is not None)
            s.meta_ok += ok
            if not ok:
                s.misses.append(f"{name} {f}: got {got!r} want {g[f]!r}")
        tops = tops_by.get(name, [])
        want_tops = g.get("top_sections")
        if want_tops is None:  # the gold leaves this report's sections out: ambiguous, not scored
            want_tops, tops = [], []
        got_heads = [norm_text(t["heading"]) for t in tops]
        s.sec_n += len(want_tops)
        for i, h in enumerate(want_tops):
            ok = i < len(got_heads) and got_heads[i] == norm_text(h)
            s.sec_ok += ok
            if not ok:
                got_h = got_heads[i] if i < len(got_heads) else None
                s.misses.append(f"{name} top section {i + 1}: got {got_h!r} want {h!r}")
        if len(got_heads) > len(want_tops):
            s.misses.append(f"{name}: {len(got_heads) - len(want_tops)} extra top-level sections")
            s.sec_n += len(got_heads) - len(want_tops)
        for cat, pos in g.get("section_categories", {}).items():
            s.cat_n += 1
            ok = pos - 1 < len(tops) and tops[pos - 1]["category"] == cat
            s.cat_ok += ok
            if not ok:
                s.misses.append(f"{name}: section {pos} should be category {cat}")
        mine = facts_by.get(name, [])
        used: set[int] = set()
        for gf in g.get("facts", []):
            hit = next((j for j, f in enumerate(mine) if j not in used
                        and f["indicator"] == gf["indicator"] and f["measure"] == gf["measure"]
                        and f["value"] is not None and f["year"] is not None
                        and _close(float(f["value"]), float(gf["value"])) and int(f["year"]) == int(gf["year"])),
                       None)
            doc_type = (r or {}).get("doc_type")
            if hit is None:
                s.fn += 1
                s.count(_keys(gf, doc_type), 2)
                cause = _cause(gf, cands_by.get(name, [])) if candidates is not None else "unknown"
                s.causes[cause] = s.causes.get(cause, 0) + 1
                s.misses.append(f"{name} missed fact {gf}" + (f"  ({cause})" if candidates is not None else ""))
            else:
                used.add(hit)
                s.tp += 1
                s.count(_keys(gf, doc_type), 0)
        ignore = g.get("ignore", [])
        for j, f in enumerate(mine):
            if j in used:
                continue
            if any(f["indicator"] == ig["indicator"] and f["value"] is not None
                   and _close(float(f["value"]), float(ig["value"])) for ig in ignore):
                continue
            s.fp += 1
            s.count(_keys(f, (r or {}).get("doc_type")), 1)
            s.misses.append(f"{name} extra fact {f['indicator']} {f['measure']} {f['value']} {f['year']}"
                            + (f"  <- {f['evidence'][:80]}" if f.get("evidence") else ""))
    return s


def _rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def score_warehouse(warehouse: str | Path, gold: list[dict]) -> Score:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reports = _rows(con, "SELECT * FROM reports")
        sections = _rows(con, "SELECT r.source_file, s.level, s.position, s.heading, s.category "
                              "FROM sections s JOIN reports r USING (report_id)")
        facts = _rows(con, "SELECT r.source_file, i.indicator, i.measure, i.value, i.year, i.evidence "
                           "FROM indicators i JOIN reports r USING (report_id)")
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        candidates = _rows(con, "SELECT r.source_file, c.indicator, c.measure, c.value, c.year, c.accepted, "
                                "c.reason FROM indicator_candidates c JOIN reports r USING (report_id)"
                           ) if "indicator_candidates" in tables else None
    finally:
        con.close()
    return score(reports, sections, facts, gold, candidates)


def score_raw(raw_dir: str | Path, gold: list[dict]) -> Score:
    """Extract every report under ``raw_dir`` in memory and score it (no warehouse)."""
    from dataclasses import asdict

    from pipelines.extract.ingest import load_documents
    from pipelines.extract.report import extract_document
    from pipelines.rows import candidate_row

    reports, sections, facts, candidates = [], [], [], []
    for doc in load_documents(raw_dir):
        ex = extract_document(doc, with_terms=False)
        reports.append({"source_file": doc.source_file, **asdict(ex.meta)})
        sections += [{"source_file": doc.source_file, **asdict(x)} for x in ex.sections]
        facts += [{"source_file": doc.source_file, **asdict(x)} for x in ex.indicators]
        candidates += [{"source_file": doc.source_file, **candidate_row(c)} for c in ex.candidates]
    return score(reports, sections, facts, gold, candidates)


def load_gold(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["reports"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", help="a warehouse .duckdb file, or with --raw a raw folder")
    ap.add_argument("gold")
    ap.add_argument("--raw", action="store_true", help="extract from a raw folder in memory")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--breakdown", action="store_true",
                    help="precision/recall per indicator, measure and doc type; misses by cause")
    args = ap.parse_args(argv)
    gold = load_gold(args.gold)
    result = score_raw(args.source, gold) if args.raw else score_warehouse(args.source, gold)
    if args.verbose:
        for m in result.misses:
            print("  " + m)
    if args.breakdown:
        print("\n".join(result.breakdown()))
    print("\n".join(result.lines()))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
