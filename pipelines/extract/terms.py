"""Term counts per section: jieba's precise-mode segmentation with the genre's vocabulary.

Segmentation is rjieba (jieba-rs: jieba's algorithm, jieba's own dictionary and HMM, in
Rust), ~19x faster than the ``jieba`` package on this text; ``jieba`` stays as the reference
(:func:`reference_tokenizer`), and ``tests/test_terms.py`` checks that the two give the same
counts per section on the shipped reports (>= 99.9 % of counted tokens). Where they
differ: a run of ASCII letters and digits joined by ``.``, ``_`` or ``-`` that the dictionary
does not know is one token for rjieba (``www.gongwenhui.com``, ``PM_2.5``, ``x.x%``,
``2021-2025``) and is cut at the punctuation by jieba (``www``, ``gongwenhui``, ``com``);
Chinese words are cut alike.

The user dictionary (``dictionaries/jieba_userdict.txt``, jieba's ``word freq pos`` format)
keeps the genre's compounds whole: 法治政府建设, 科技型中小企业, 三重一大 … are one term,
not three. Stop words (``dictionaries/stopwords.txt``) drop function words and the genre's
boilerplate verbs. Numbers, punctuation and single characters never count.

Each token is counted once, in the innermost section whose span holds it (None: text before
the first heading). The whole document is segmented in one pass, so a section boundary
never changes how a word is cut.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.extract.dictionaries import path as dictionary_path
from pipelines.extract.document import Document, Section, TermCount

if TYPE_CHECKING:
    import jieba
    import numpy as np
    import polars as pl
    import pyarrow as pa
    import rjieba

USERDICT = dictionary_path("jieba_userdict.txt")
STOPWORDS = dictionary_path("stopwords.txt")

Segmenter = Callable[[str], list[str]]


def _dict_lines(path: Path) -> list[str]:
    """Non-blank lines of a dictionary file, ``#`` comments skipped."""
    lines = (ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


@cache
def user_words() -> tuple[tuple[str, int | None, str | None], ...]:
    """``(word, freq, tag)`` of every user dictionary line (freq and tag optional, as in jieba)."""
    out = []
    for ln in _dict_lines(USERDICT):
        word, *rest = ln.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        tag = rest[-1] if rest and not rest[-1].isdigit() else None
        out.append((word, freq, tag))
    return tuple(out)


@cache
def user_terms() -> frozenset[str]:
    """The genre's vocabulary: kept even where the first-character test would drop it (5G)."""
    return frozenset(w for w, _, _ in user_words())


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_dict_lines(STOPWORDS))


@cache
def tokenizer() -> rjieba.Jieba:
    """The process's one segmenter: rjieba with jieba's dictionary (built into jieba-rs)
    and the user dictionary. ``regions`` uses it too, to test where a place name is cut."""
    import rjieba

    tok = rjieba.Jieba()
    for word, freq, tag in user_words():
        tok.add_word(word, freq, tag)
    return tok


def segment(text: str, hmm: bool = True) -> list[str]:
    """``text`` cut into words (precise mode; ``hmm``: jieba's HMM joins unknown words)."""
    return tokenizer().cut(text, hmm)


@cache
def reference_tokenizer() -> jieba.Tokenizer:
    """The ``jieba`` package with the same user dictionary: the reference rjieba is checked
    against (tests, benchmarks); the pipeline does not load it.

    jieba caches its prefix dictionary as a file in the temp dir; GOVREPORTS_JIEBA_CACHE_DIR
    moves it (a read-only temp dir only costs the ~1 s rebuild per process).
    """
    with warnings.catch_warnings():  # jieba 0.42's regexes carry invalid escapes
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" chatter in logs
    tok = jieba.Tokenizer()
    tok.tmp_dir = os.environ.get("GOVREPORTS_JIEBA_CACHE_DIR") or None
    tok.initialize()
    for word, freq, tag in user_words():
        tok.add_word(word, freq, tag)
    return tok


def reference_segment(text: str) -> list[str]:
    return reference_tokenizer().lcut(text, HMM=True)


def _owners(sections: list[Section], n: int) -> list[tuple[int, int | None]]:
    """``(segment start, innermost section position)`` runs covering ``[0, n)`` in order."""
    runs: list[tuple[int, int | None]] = [(0, None)]
    stack: list[Section] = []

    def close_until(x: int) -> None:
        # end the sections that stop before x, each handing back to its enclosing one
        while stack and stack[-1].char_end <= x:
            end = stack.pop().char_end
            runs.append((end, stack[-1].position if stack else None))

    for s in sorted(sections, key=lambda s: (s.char_start, s.level)):
        close_until(s.char_start)
        stack.append(s)
        runs.append((s.char_start, s.position))
    close_until(n)
    # several runs may start at one point: the last one written is the one in force
    out: list[tuple[int, int | None]] = []
    for start, pos in runs:
        if out and out[-1][0] == start:
            out[-1] = (start, pos)
        else:
            out.append((start, pos))
    return out


def _is_term() -> pl.Expr:
    """Which tokens count: two characters or more, no stopword, and a letter first (str.isalpha's
    letters, Unicode's L) or a term of the user dictionary. Drops 2023, 3.5%, ——, …… and
    single characters. A Polars filter: a Python test per token cost as much as the counting."""
    import polars as pl

    term = pl.col("term")
    stop, keep = (pl.Series(sorted(words), dtype=pl.String).implode() for words in (stopwords(), user_terms()))
    return (term.str.len_chars() >= 2) & ~term.is_in(stop) & (term.str.contains(r"^\p{L}") | term.is_in(keep))


def _tokens_of(text: str, ends: np.ndarray) -> pa.LargeStringArray:
    """The tokens of one document as an Arrow string array over its UTF-8 bytes.

    ``text``: the document's tokens joined (its text, as the segmenter cut it); ``ends``:
    each token's end in characters. The offsets are the tokens' ends in bytes: handing
    Polars a million Python strings cost ~100 ns each, more than the rest of the counting.
    """
    import numpy as np
    import pyarrow as pa

    code_points = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    # UTF-8 bytes of each character, summed: the byte offset of every character boundary
    width = np.ones(len(code_points), np.int64)
    for bound in (0x80, 0x800, 0x10000):
        width += code_points >= bound
    byte_at = np.zeros(len(code_points) + 1, np.int64)
    np.cumsum(width, out=byte_at[1:])
    offsets = np.concatenate(([0], byte_at[ends]))
    return pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(text.encode()))


def count_terms(docs: Sequence[tuple[str, list[Section]]], segmenter: Segmenter = segment) -> pl.DataFrame:
    """Term counts per innermost section of each ``(text, sections)``, for many documents at once.

    Columns ``doc`` (index into ``docs``), ``section_position`` (null: before the first
    heading), ``term``, ``count``; ordered by document, section (null first), count
    descending, term. No Python step per token: the tokens' owners are numpy runs, their
    strings Arrow arrays over each text's UTF-8 bytes, the filter and counts Polars' (a
    Python step per token and a record per count had cost ~4x the segmentation itself).
    """
    import numpy as np
    import polars as pl
    import pyarrow as pa

    chunks: list[pa.LargeStringArray] = []  # each document's tokens
    owners: list[np.ndarray] = []
    doc_ids: list[np.ndarray] = []
    for i, (text, sections) in enumerate(docs):
        toks = segmenter(text)
        n = len(toks)
        lens = np.fromiter(map(len, toks), np.int64, n)
        ends = np.cumsum(lens)
        starts = ends - lens
        runs = _owners(sections, len(text))
        # the token index where each run of one owner starts; never decreasing: sections that
        # overlap (a malformed tree) must not give a document more owners than tokens, which
        # shifted every later document's tokens in the batch
        run_starts = np.fromiter((start for start, _ in runs[1:]), np.int64, len(runs) - 1)
        cuts = np.maximum.accumulate(np.concatenate(([0], np.searchsorted(starts, run_starts), [n])))
        owner = np.fromiter((-1 if pos is None else pos for _, pos in runs), np.int32, len(runs))
        owners.append(np.repeat(owner, np.diff(cuts)))
        doc_ids.append(np.full(n, i, np.int32))
        chunks.append(_tokens_of("".join(toks), ends))
    schema = {"doc": pl.Int32, "section_position": pl.Int32, "term": pl.String, "count": pl.Int32}
    if not chunks:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame({"doc": np.concatenate(doc_ids), "section_position": np.concatenate(owners),
                          "term": pl.Series("term", pa.chunked_array(chunks, pa.large_string()), pl.String)})
    counts = frame.filter(_is_term()).group_by("doc", "section_position", "term").len("count")
    if counts.is_empty():
        return pl.DataFrame(schema=schema)
    # one integer key for document, section (-1 first), count descending and the term's rank
    # among the batch's terms: a sort on an integer and the strings was 1.5x slower
    vocab = counts["term"].unique().sort()
    i64 = pl.Int64
    rank = pl.col("term").replace_strict(vocab, pl.int_range(vocab.len(), eager=True), return_dtype=i64)
    # bits of each part of the key (the section shifted by one: -1 is the text before the first heading)
    d, s, c = (max(int(counts[k].max()), 1).bit_length() for k in ("doc", "section_position", "count"))
    t = max(vocab.len(), 1).bit_length()
    if d + s + 1 + c + t <= 62:
        key = ((pl.col("doc").cast(i64) * (1 << (s + 1)) + pl.col("section_position").cast(i64) + 1) * (1 << c)
               + ((1 << c) - 1 - pl.col("count").cast(i64))) * (1 << t) + rank
        ordered = counts.sort(key)
    else:  # a batch too large for one key (never at the pipeline's 200 reports)
        ordered = counts.sort("doc", "section_position", "count", rank, descending=[False, False, True, False])
    return ordered.with_columns(pl.col("count").cast(pl.Int32),
                                pl.when(pl.col("section_position") >= 0).then(pl.col("section_position"))
                                .alias("section_position"))


def extract_terms(doc: Document, sections: list[Section], segmenter: Segmenter = segment) -> list[TermCount]:
    """Term counts per innermost section; ``segmenter``: :func:`reference_segment` for jieba."""
    counts = count_terms([(doc.simplified, sections)], segmenter)
    return [TermCount(term=t, count=c, section_position=p)
            for p, t, c in counts.select("section_position", "term", "count").iter_rows()]
