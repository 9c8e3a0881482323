"""Near-duplicate reports: the same report from two mirrors, or as .docx and .txt.

Copies differ in page chrome, punctuation, spacing or script (traditional characters), so
their texts hash differently, yet loaded twice they double every fact and chart. Two
reports are near duplicates when they have the same doc type, issuer and report year and
their texts are highly similar: the Jaccard similarity of their sets of character 5-grams,
taken over the simplified Chinese characters and digits alone (punctuation, spacing, Latin
chrome and the script do not count).

The blocking key (doc type, issuer, year) keeps groups small, but not every group is a
handful: a generic issuer gathers many, and building every member's 5-gram set in the
loading process cost ~2-3 ms a report, serially, with all the texts in memory. So each
report carries a sketch, made where it is extracted (the workers, ~0.3 ms): the smallest
``SKETCH_SIZE`` of its 5-grams' 64-bit hashes (a bottom-k sketch). A pair is compared
exactly, texts and all, only when the sketches' estimate of its similarity reaches
``CANDIDATE`` (the estimate's standard deviation at a true 0.8 is 0.035: a pair above the
threshold is missed with odds of about 1e-14). The decision itself is always the exact one.
MinHash with LSH (``datasketch``) would pay off only for a corpus-wide search without a key.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipelines.extract.clean import to_simplified

SHINGLE = 5
THRESHOLD = 0.8  # same report: chrome and punctuation differences stay above 0.9 on the seeds
# the characters that make a report's content (code point ranges): CJK unified ideographs and
# ASCII digits. normalise() keeps them by a regex, sketch() by a mask on the code points.
_KEPT = ((0x4E00, 0x9FFF), (0x30, 0x39))
_KEEP = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _KEPT) + "]+")


def _kept(codes: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([(codes >= a) & (codes <= b) for a, b in _KEPT])


def normalise(text: str, simplified: str | None = None) -> str:
    """The characters that make a report's content: simplified Chinese and digits
    (``simplified``: the text's :func:`to_simplified`, when the caller has it)."""
    # (findall and join: a sub of the runs between was 1.6x slower, those runs being many and short)
    return "".join(_KEEP.findall(to_simplified(text) if simplified is None else simplified))


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    norm = normalise(text)
    if len(norm) <= k:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i:i + k] for i in range(len(norm) - k + 1))


_NOT_WORD = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")


@lru_cache(maxsize=1 << 16)  # a build keys every report of the warehouse; issuers repeat
def group_key(doc_type: str | None, issuer: str | None, year: int | None) -> tuple:
    """The block two copies of one report share: doc type, issuer (in simplified characters,
    without spacing or punctuation) and report year."""
    return (doc_type, _NOT_WORD.sub("", to_simplified(issuer or "")), year)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    # the union's size from the intersection's: building the union set cost twice the rest
    common = len(a & b)
    return common / (len(a) + len(b) - common)


SKETCH_SIZE = 128
CANDIDATE = 0.5  # a sketch estimate below this: not compared (see the module's docstring)

_MUL = np.uint64(0x100000001B3)  # per character of a 5-gram (wraps modulo 2**64)
# splitmix64's finaliser: a bijection that makes the hashes' order a uniform sample
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
Sketch = tuple[int, ...]  # ascending


def sketch(text: str, simplified: str | None = None) -> Sketch:
    """The smallest ``SKETCH_SIZE`` distinct hashes of the 5-grams :func:`shingles` gives."""
    # the characters :func:`normalise` keeps, selected on the code points (a regex and a join
    # of its pieces cost as much as the hashing)
    every = np.frombuffer((to_simplified(text) if simplified is None else simplified).encode("utf-32-le"),
                          dtype="<u4")  # little-endian as stored: the same sketch on any host
    codes = every[_kept(every)].astype(np.uint64)
    if not len(codes):
        return ()
    n = max(1, len(codes) - SHINGLE + 1)  # a text shorter than a 5-gram is one shingle
    h = codes[:n].copy()
    for i in range(1, min(SHINGLE, len(codes))):
        h = h * _MUL + codes[i:i + n]
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    # the smallest few first (a partition, not a sort of all): repeated 5-grams repeat hashes
    few = 4 * SKETCH_SIZE
    low = np.unique(np.partition(h, few - 1)[:few]) if n > few else np.unique(h)
    if n > few and len(low) < SKETCH_SIZE:  # a text of few distinct 5-grams: all of them
        low = np.unique(h)
    return tuple(low[:SKETCH_SIZE].tolist())


def estimate(a: Sketch, b: Sketch) -> float:
    """The Jaccard similarity two sketches estimate (exact below ``SKETCH_SIZE`` 5-grams).

    The smallest hashes of A ∪ B are among the two sketches', and one of them lies in A ∩ B
    exactly when it is in both sketches."""
    if not a and not b:
        return 1.0
    sa, sb = set(a), set(b)
    union = heapq.nsmallest(SKETCH_SIZE, sa | sb)
    return sum(1 for h in union if h in sa and h in sb) / len(union)


@dataclass(frozen=True)
class Member:
    """One report of a group (same doc type, issuer and year)."""

    name: str
    order: tuple[str, int]  # folder order (path, line): breaks ties
    sketch: Sketch


def near_duplicates(members: Iterable[Member], text_of: Callable[[str], str],
                    threshold: float = THRESHOLD) -> dict[str, tuple[str, float]]:
    """``{name: (name kept, similarity)}`` for every member that is a near duplicate of another.

    A pure function of the group, as predictable as the exact duplicates' rule: members are
    taken in folder order (path, then line), and each is a near duplicate of the first kept
    one it is similar enough to, or is kept itself. (Put the mirror you prefer first.)
    ``text_of(name)`` gives a member's text; it is asked only for the members of the pairs
    the sketches leave possible, which are compared exactly.
    """
    exact: dict[str, frozenset[str]] = {}

    def grams(name: str) -> frozenset[str]:
        if name not in exact:
            exact[name] = shingles(text_of(name))
        return exact[name]

    kept: list[tuple[Member, frozenset[int]]] = []
    out: dict[str, tuple[str, float]] = {}
    floor = min(CANDIDATE, threshold)
    for m in sorted(members, key=lambda m: m.order):
        hashes = frozenset(m.sketch)
        for k, k_hashes in kept:
            # the estimate counts hashes in both sketches among the union's smallest ``cut``,
            # so it is at most common / cut: most pairs of a group are ruled out by one set
            # intersection, without the union's sort (a group is compared pair by pair)
            common = len(hashes & k_hashes)
            cut = min(SKETCH_SIZE, len(hashes) + len(k_hashes) - common)
            # (divided as the estimate divides: ``floor * cut`` rounds, 0.28 * 25 > 7)
            if (cut and common / cut < floor) or estimate(m.sketch, k.sketch) < floor:
                continue
            sim = jaccard(grams(m.name), grams(k.name))
            if sim >= threshold:
                out[m.name] = (k.name, round(sim, 4))
                break
        else:
            kept.append((m, hashes))
    return out
