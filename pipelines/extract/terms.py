"""Term counts per section: jieba precise-mode segmentation with the genre's vocabulary.

The user dictionary (``dictionaries/jieba_userdict.txt``, jieba's ``word freq pos`` format)
keeps the genre's compounds whole: 法治政府建设, 科技型中小企业, 三重一大 … are one term,
not three. Stop words (``dictionaries/stopwords.txt``) drop function words and the genre's
boilerplate verbs. Numbers, punctuation and single characters never count.

Each token is counted once, in the innermost section whose span holds it (None: text before
the first heading). The whole document is segmented in one pass, so a section boundary
never changes how a word is cut, and throughput stays at jieba's own (~1 MB/s).
"""

from __future__ import annotations

import logging
import os
import warnings
from bisect import bisect_left
from collections import Counter
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.extract.dictionaries import path as dictionary_path
from pipelines.extract.document import Document, Section, TermCount

if TYPE_CHECKING:
    import jieba

USERDICT = dictionary_path("jieba_userdict.txt")
STOPWORDS = dictionary_path("stopwords.txt")


def _dict_lines(path: Path) -> list[str]:
    """Non-blank lines of a dictionary file, ``#`` comments skipped."""
    lines = (ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


@cache
def user_terms() -> frozenset[str]:
    """The genre's vocabulary: kept even where the first-character test would drop it (5G)."""
    return frozenset(ln.split()[0] for ln in _dict_lines(USERDICT))


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_dict_lines(STOPWORDS))


@cache
def tokenizer() -> jieba.Tokenizer:
    """One jieba tokenizer for the process, with the user dictionary loaded.

    jieba caches its prefix dictionary as a file in the temp dir; GOVREPORTS_JIEBA_CACHE_DIR
    moves it (a read-only temp dir only costs the ~1 s rebuild per process).
    """
    with warnings.catch_warnings():  # jieba 0.42's regexes carry invalid escapes
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" chatter in pipeline logs
    tok = jieba.Tokenizer()
    tok.tmp_dir = os.environ.get("GOVREPORTS_JIEBA_CACHE_DIR") or None
    tok.initialize()
    for ln in _dict_lines(USERDICT):
        word, *rest = ln.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        tag = rest[-1] if rest and not rest[-1].isdigit() else None
        tok.add_word(word, freq, tag)
    return tok


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


def extract_terms(doc: Document, sections: list[Section]) -> list[TermCount]:
    text = doc.simplified
    keep, stop = user_terms(), stopwords()
    runs = _owners(sections, len(text))
    tokens = tokenizer().lcut(text, HMM=True)
    # Counting is done per run of one owner on slices of the token list, in C (accumulate,
    # bisect, Counter): a Python step per token cost ~20 % on top of jieba itself.
    starts = [0, *accumulate(map(len, tokens))][:-1]
    cuts = [bisect_left(starts, start) for start, _ in runs[1:]] + [len(tokens)]
    counts: Counter[tuple[int | None, str]] = Counter()
    lo = 0
    for (_, owner), hi in zip(runs, cuts, strict=True):
        for tok, c in Counter(tokens[lo:hi]).items():
            if len(tok) < 2 or tok in stop:
                continue
            if tok[0].isalpha() or tok in keep:  # drops 2023, 3.5%, ——, ……
                counts[owner, tok] += c
        lo = hi
    return [TermCount(term=t, count=c, section_position=p)
            for (p, t), c in sorted(counts.items(), key=lambda kv: (kv[0][0] or 0, -kv[1], kv[0][1]))]
