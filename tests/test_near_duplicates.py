"""Near duplicates (issue 13, item 11): the same report from two mirrors loads once; its
copy is listed with the report kept and the similarity, and loads when the kept one goes."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import opencc
from conftest import SEEDS

from pipelines import stages, store
from pipelines.config import Paths
from pipelines.extract.ingest import make_document
from pipelines.extract.neardup import Member, estimate, jaccard, near_duplicates, shingles, sketch
from pipelines.extract.report import extract_document
from pipelines.rows import extract_rows
from pipelines.workers import Workers

TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]


def mirror(text: str) -> str:
    """What a mirror site makes of a report: its own chrome, other punctuation and spacing,
    traditional characters."""
    body = opencc.OpenCC("s2t").convert(text).replace("，", ", ").replace("。", ". ").replace("\n", "\n\n")
    return "首頁 > 政務公開 > 法治政府建設\n【字體：大 中 小】 打印本頁 關閉窗口\n" + body + "\n分享到：微信 微博\n"


def test_similarity_of_a_mirror_and_of_another_report():
    a, b = shingles(TEXTS[0]), shingles(mirror(TEXTS[0]))
    assert jaccard(a, b) >= 0.9
    assert jaccard(a, shingles(TEXTS[1])) < 0.2
    # another year of the same bureau, or an edited draft, is not a copy
    half = TEXTS[0][: len(TEXTS[0]) // 2] + TEXTS[1][len(TEXTS[1]) // 2:]
    assert jaccard(a, shingles(half)) < 0.8


def test_the_sketches_estimate_the_similarity():
    texts = [*TEXTS, mirror(TEXTS[0]), TEXTS[0][: len(TEXTS[0]) // 2] + TEXTS[1][len(TEXTS[1]) // 2:]]
    exact = [shingles(t) for t in texts]
    sketches = [sketch(t) for t in texts]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            assert abs(estimate(sketches[i], sketches[j]) - jaccard(exact[i], exact[j])) < 0.15
    assert estimate(sketches[0], sketches[-2]) >= 0.85  # the mirror
    # a text of fewer 5-grams than a sketch holds is its whole set: the estimate is exact
    short_a, short_b = "全市高新技术企业达到1200家。", "全市高新技术企业达到1300家。"
    assert estimate(sketch(short_a), sketch(short_b)) == jaccard(shingles(short_a), shingles(short_b))
    assert sketch("") == () and estimate((), ()) == 1.0 == jaccard(frozenset(), frozenset())


def _group(named: dict[str, str]) -> list[Member]:
    return [Member(name, (name, 0), sketch(text)) for name, text in named.items()]


def test_the_first_copy_in_folder_order_is_kept_whatever_the_order_given():
    named = {"b.txt": mirror(TEXTS[0]), "a.txt": TEXTS[0], "c.txt": TEXTS[2]}
    members = _group(named)
    got = near_duplicates(members, named.__getitem__)
    assert set(got) == {"b.txt"} and got["b.txt"][0] == "a.txt"
    assert got["b.txt"][1] == round(jaccard(shingles(named["a.txt"]), shingles(named["b.txt"])), 4)
    assert near_duplicates(reversed(members), named.__getitem__) == got


def test_only_the_pairs_the_sketches_leave_possible_are_read():
    named = {f"{i}.txt": t for i, t in enumerate(TEXTS)} | {"z.txt": mirror(TEXTS[1])}
    asked: list[str] = []

    def text_of(name: str) -> str:
        asked.append(name)
        return named[name]

    got = near_duplicates(_group(named), text_of)
    assert got == {"z.txt": ("1.txt", got["z.txt"][1])} and got["z.txt"][1] >= 0.9
    assert sorted(set(asked)) == ["1.txt", "z.txt"]  # the other reports of the group: never read


def _plain_near_duplicates(members: list[Member], text_of, threshold: float) -> dict[str, tuple[str, float]]:
    """The rule as the docstring states it: every kept report's sketch estimate, then the exact test."""
    kept: list[Member] = []
    out = {}
    for m in sorted(members, key=lambda m: m.order):
        for k in kept:
            if estimate(m.sketch, k.sketch) >= min(0.5, threshold):
                sim = jaccard(shingles(text_of(m.name)), shingles(text_of(k.name)))
                if sim >= threshold:
                    out[m.name] = (k.name, round(sim, 4))
                    break
        else:
            kept.append(m)
    return out


def test_the_pairs_ruled_out_by_the_common_hashes_are_the_ones_the_estimate_rules_out():
    # reports spliced from two others at every tenth: similarities from ~0 to 1, many near
    # the sketch's cut-off, where a bound that dropped one pair too many would show
    a, b = TEXTS[0], TEXTS[1]
    named = {f"{i:02d}.txt": a[: len(a) * i // 10] + b[len(b) * i // 10:] for i in range(11)}
    named |= {f"m{i}.txt": mirror(t) for i, t in enumerate(TEXTS[:3])} | {f"s{i}.txt": t for i, t in enumerate(TEXTS)}
    members = _group(named)
    for threshold in (0.8, 0.6, 0.4, 0.2):
        got = near_duplicates(members, named.__getitem__, threshold)
        assert got == _plain_near_duplicates(members, named.__getitem__, threshold)
        assert got  # each threshold decides some copies: the comparison is not of two empty results
    # a similarity exactly at the cut-off: 7 common 5-grams of 25, where 0.28 * 25 rounds above 7
    shared, own_a, own_b = "春夏秋冬东南西北中上下", "甲乙丙丁戊己庚辛壬", "子丑寅卯辰巳午未申"
    pair = {"a.txt": shared + own_a, "b.txt": shared + own_b}
    assert jaccard(shingles(pair["a.txt"]), shingles(pair["b.txt"])) == 0.28
    assert near_duplicates(_group(pair), pair.__getitem__, 0.28) == {"b.txt": ("a.txt", 0.28)}


def test_a_body_pasted_twice_gives_each_fact_once():
    item = {"report_id": "r", "source_file": "r.txt", "url": None, "title_hint": None, "published_on_hint": None,
            "content_sha256": ""}
    once = extract_rows({**item, "raw_text": TEXTS[0]})[0]["indicators"]
    twice = extract_rows({**item, "raw_text": TEXTS[0] + "\n" + TEXTS[0]})[0]["indicators"]
    key = [(f["indicator"], f["measure"], f["value"], f["year"]) for f in once]
    assert len(once) >= 5 and [(f["indicator"], f["measure"], f["value"], f["year"]) for f in twice] == key
    # the rule is the extraction's, so the in-memory scorer (evaluate --raw) counts the same facts
    doc, _ = make_document("r.txt", TEXTS[0] + "\n" + TEXTS[0])
    facts = extract_document(doc, with_terms=False).indicators
    assert [(f.indicator, f.measure, f.value, f.year) for f in facts] == key


def _build(raw: Path, wh: Path) -> None:
    paths = Paths(raw, wh)
    store.prepare_work_db(paths)
    with store.connect(paths.work_db) as con:
        stages.ingest(con, raw)
        stages.extract(con, workers=Workers(1))


def _state(wh: Path) -> dict[str, list]:
    con = duckdb.connect(str(Paths(wh.parent, wh).work_db), read_only=True)
    try:
        return {
            "reports": sorted(con.execute("SELECT source_file, near_duplicate_of FROM reports").fetchall(), key=repr),
            "facts": sorted(con.execute("SELECT r.source_file, indicator, measure, value FROM indicators "
                                        "JOIN reports r USING (report_id)").fetchall(), key=repr),
            "rejected": sorted(con.execute("SELECT source_file, reason, duplicate_of, round(similarity, 2) "
                                           "FROM rejected_files").fetchall(), key=repr),
        }
    finally:
        con.close()


def test_mirror_copy_loads_once_and_comes_back_when_the_kept_one_goes(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh" / "reports.duckdb"
    (raw / "mirror").mkdir(parents=True)
    shutil.copy(SEEDS[0], raw / "a.txt")
    shutil.copy(SEEDS[1], raw / "other.txt")
    _build(raw, wh)
    alone = _state(wh)
    (raw / "mirror" / "a.txt").write_text(mirror(TEXTS[0]), encoding="utf-8")
    _build(raw, wh)
    got = _state(wh)
    assert ("mirror/a.txt", "a.txt") in got["reports"]  # the copy first in folder order is kept
    [(name, reason, kept, sim)] = got["rejected"]
    assert (name, reason, kept) == ("mirror/a.txt", "near duplicate", "a.txt") and sim >= 0.9
    assert got["facts"] == alone["facts"]  # each fact once: the mirror adds none
    for _ in range(3):
        _build(raw, wh)
        assert _state(wh) == got
    fresh = tmp_path / "fresh" / "reports.duckdb"
    _build(raw, fresh)
    assert _state(fresh) == got
    (raw / "a.txt").unlink()  # the kept one goes: the mirror is the report now
    _build(raw, wh)
    now = _state(wh)
    assert ("mirror/a.txt", None) in now["reports"] and now["rejected"] == []
    fresh2 = tmp_path / "fresh2" / "reports.duckdb"
    _build(raw, fresh2)
    assert _state(fresh2) == now
