"""Term counts: jieba with the genre's user dictionary, stop words, innermost-section attribution."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest
from conftest import RAW

from pipelines.extract.clean import to_simplified
from pipelines.extract.document import Document
from pipelines.extract.ingest import load_documents
from pipelines.extract.sections import extract_sections, innermost_section
from pipelines.extract.terms import (
    count_terms,
    extract_terms,
    reference_segment,
    segment,
    stopwords,
    tokenizer,
    user_terms,
)


def doc(text: str) -> Document:
    return Document(source_file="t.txt", text=text, simplified=to_simplified(text))


def totals(terms) -> Counter[str]:
    c: Counter[str] = Counter()
    for t in terms:
        c[t.term] += t.count
    return c


@pytest.fixture(scope="module")
def seed() -> Document:
    return next(d for d in load_documents(RAW / "seeds") if d.source_file.startswith("000_"))


def test_genre_compounds_are_one_term(seed):
    terms = extract_terms(seed, extract_sections(seed))
    c = totals(terms)
    assert c["法治政府建设"] == seed.simplified.count("法治政府建设")
    for word in ("科技型中小企业", "高新技术企业", "习近平法治思想", "技术合同登记", "技术合同交易额",
                 "外国人来华工作许可", "科技企业孵化器"):
        assert c[word] >= 1, word
    # the compound is not also counted as its pieces
    t = extract_terms(doc("全面推进法治政府建设,落实三重一大制度,深化放管服改革。"), [])
    got = {x.term for x in t}
    assert {"法治政府建设", "三重一大", "放管服改革"} <= got
    assert not {"法治", "政府"} & got


def test_stop_words_numbers_punctuation_and_single_characters_dropped(seed):
    terms = extract_terms(seed, extract_sections(seed))
    got = {t.term for t in terms}
    assert not got & stopwords()
    assert {"的", "一是", "二是", "进一步"}.isdisjoint(got)
    assert all(len(t) >= 2 for t in got)
    assert not any(t[0].isdigit() or not (t[0].isalnum() or t in user_terms()) for t in got)
    assert "290.92" not in got and "2023" not in got


def test_each_token_counted_once_in_its_innermost_section():
    text = ("某局法治政府建设报告\n"
            "一、主要举措和成效\n(一)强化组织领导\n成立法治政府建设领导小组。\n"
            "(二)深化普法宣传\n开展科技特派员普法活动。\n"
            "二、存在的问题\n科技特派员队伍不稳定。")
    d = doc(text)
    secs = extract_sections(d)
    pos = {s.heading: s.position for s in secs}
    terms = extract_terms(d, secs)
    where = {(t.term, t.section_position): t.count for t in terms}
    assert where[("法治政府建设", None)] == 1  # the title, before the first heading
    assert where[("法治政府建设", pos["强化组织领导"])] == 1
    assert where[("科技特派员", pos["深化普法宣传"])] == 1
    assert where[("科技特派员", pos["存在的问题"])] == 1
    assert ("组织领导", pos["主要举措和成效"]) not in where  # it sits in the child, not the parent
    assert sum(totals(terms).values()) == sum(where.values())


def test_counts_are_the_plain_count_of_the_segmenters_tokens():
    """count_terms (numpy runs, the tokens cut from each text's UTF-8 bytes, Polars counts) against
    the plain reading of its contract, a Python count of each token in the innermost section that
    holds its start: real reports, and a text of four-byte characters, Latin runs and emoji."""
    docs = list(load_documents(RAW / "corpus"))[:40]
    texts = [(d.simplified, extract_sections(d)) for d in docs]
    texts.append(("𠀀𠀀丽水市科技局推进“最多跑一次”改革😀😀,PM2.5浓度下降,𠀀𠀀。\n" * 3, []))
    texts.append(("", []))
    stop, keep = stopwords(), user_terms()
    expected: Counter = Counter()
    for i, (text, secs) in enumerate(texts):
        secs = sorted(secs, key=lambda s: (s.char_start, s.level))
        starts = [s.char_start for s in secs]
        pos = 0
        for tok in segment(text):
            if len(tok) >= 2 and tok not in stop and (tok[0].isalpha() or tok in keep):
                expected[(i, innermost_section(secs, starts, pos), tok)] += 1
            pos += len(tok)
    got = count_terms(texts)
    assert {(d, p, t): c for d, p, t, c in got.iter_rows()} == dict(expected)
    assert got.height == len(expected) > 5000
    # after the four-byte characters, the tokens are still cut where they begin
    assert {"丽水市", "最多跑一次", "浓度"} <= set(got.filter(pl.col("doc") == len(texts) - 2)["term"])
    # ordered by document, section (null first), count descending, term
    keys = [(d, -1 if p is None else p, -c, t) for d, p, t, c in got.iter_rows()]
    assert keys == sorted(keys)


def test_traditional_text_counts_in_simplified():
    terms = extract_terms(doc("堅持推進法治政府建設,支持高新技術企業發展。"), [])
    got = {t.term for t in terms}
    assert {"法治政府建设", "高新技术企业"} <= got
    assert all(t.section_position is None for t in terms)


def test_tokenizer_is_built_once():
    assert tokenizer() is tokenizer()
    assert "法治政府建设" in user_terms()
    assert tokenizer().has_word("法治政府建设")  # the user dictionary is loaded into rjieba


def test_one_segmenter_per_process():
    """The pipeline segments with rjieba only: regions' place-name test uses the same one,
    and nothing of an extraction imports the jieba package (the reference)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pipelines.rows import warm_up\n"
            "warm_up()\n"
            "from pipelines.extract import regions\n"
            "assert regions.find_mentions('宁波大学与宁波市合作')\n"
            "print('jieba' in sys.modules, 'rjieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_rjieba_counts_agree_with_jieba_on_the_sample_corpus():
    """rjieba (the pipeline's segmenter) against jieba (the reference) on every shipped
    report: the term counts per section agree on at least 99.9 % of jieba's counted tokens.
    The differences are ASCII runs joined by . _ - that rjieba keeps whole (www.x.com,
    PM_2.5, x.x%) and jieba cuts at the punctuation."""
    docs = list(load_documents(RAW))
    texts = [(d.simplified, extract_sections(d)) for d in docs]
    assert len(docs) > 200 and sum(len(t) for t, _ in texts) > 500_000  # all of raw/, not a few lines
    key = ["doc", "section_position", "term"]
    fast = count_terms(texts).rename({"count": "fast"})
    ref = count_terms(texts, reference_segment).rename({"count": "ref"})
    both = ref.join(fast, on=key, how="full", coalesce=True, nulls_equal=True).fill_null(0)
    counted = both["ref"].sum()
    agreed = both.select(pl.min_horizontal("ref", "fast")).to_series().sum()
    assert agreed / counted >= 0.999, (agreed, counted)
    # and where they differ, it is in the runs described above, not in Chinese words
    differ = both.filter(pl.col("ref") != pl.col("fast"))["term"].unique().to_list()
    assert all(t.isascii() for t in differ), [t for t in differ if not t.isascii()][:20]


def test_segmenters_cut_chinese_alike_and_differ_on_ascii_runs():
    text = "全面推进法治政府建设,“十四五”期间PM_2.5浓度下降3.5%。"
    assert segment(text)[:3] == reference_segment(text)[:3] == ["全面", "推进", "法治政府建设"]
    assert "PM_2.5" in segment(text) and "PM_2.5" not in reference_segment(text)


def test_whole_corpus_runs_and_attributes_to_existing_sections():
    for d in load_documents(RAW / "corpus"):
        secs = extract_sections(d)
        positions = {s.position for s in secs} | {None}
        terms = extract_terms(d, secs)
        assert terms, d.source_file
        assert {t.section_position for t in terms} <= positions
        assert all(t.count > 0 for t in terms)
