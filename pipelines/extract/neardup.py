"""Near-duplicate reports: the same report from two mirrors, or as .docx and .txt.

Copies differ in page chrome, punctuation, spacing or script (traditional characters), so
their texts hash differently, yet loaded twice they double every fact and chart. Two
reports are near duplicates when they have the same doc type, issuer and report year and
their texts are highly similar: the Jaccard similarity of their sets of character 5-grams,
taken over the simplified Chinese characters and digits alone (punctuation, spacing, Latin
chrome and the script do not count).

The blocking key (doc type, issuer, year) makes the groups to compare tiny (a handful of
reports), so the exact set similarity is cheaper than estimating it; MinHash with LSH
(``datasketch``) pays off only for a corpus-wide search without a key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.extract.clean import to_simplified

SHINGLE = 5
THRESHOLD = 0.8  # same report: chrome and punctuation differences stay above 0.9 on the seeds
_KEEP = re.compile(r"[\u4e00-\u9fff0-9]+")


def normalise(text: str) -> str:
    """The characters that make a report's content: simplified Chinese and digits."""
    return "".join(_KEEP.findall(to_simplified(text)))


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    norm = normalise(text)
    if len(norm) <= k:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i:i + k] for i in range(len(norm) - k + 1))


_NOT_WORD = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")


def group_key(doc_type: str | None, issuer: str | None, year: int | None) -> tuple:
    """The block two copies of one report share: doc type, issuer (in simplified characters,
    without spacing or punctuation) and report year."""
    return (doc_type, _NOT_WORD.sub("", to_simplified(issuer or "")), year)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Member:
    """One report of a group (same doc type, issuer and year)."""

    name: str
    order: tuple[str, int]  # folder order (path, line): breaks ties
    text: str


def near_duplicates(members: Iterable[Member], threshold: float = THRESHOLD) -> dict[str, tuple[str, float]]:
    """``{name: (name kept, similarity)}`` for every member that is a near duplicate of another.

    A pure function of the group, as predictable as the exact duplicates' rule: members are
    taken in folder order (path, then line), and each is a near duplicate of the first kept
    one it is similar enough to, or is kept itself. (Put the mirror you prefer first.)
    """
    items = [(m, shingles(m.text)) for m in members]
    items.sort(key=lambda it: it[0].order)
    kept: list[tuple[Member, frozenset[str]]] = []
    out: dict[str, tuple[str, float]] = {}
    for m, sh in items:
        for k, ksh in kept:
            sim = jaccard(sh, ksh)
            if sim >= threshold:
                out[m.name] = (k.name, round(sim, 4))
                break
        else:
            kept.append((m, sh))
    return out
