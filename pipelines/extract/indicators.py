"""Indicator facts: bind the figures of a report to the ten science-and-technology indicators.

A figure is a fact about an indicator only when the sentence says so; a number that merely
sits near an indicator's name is not ("组织1次全市技术合同认定登记自查"). Each sentence is cut
into chunks at , 、 ; : ( ); a figure binds to an indicator's name by one of four rules:

* ``direct``: the name comes first in the same chunk, only measure words between
  (高新技术企业数量达到86家, 技术合同交易额达到290.92亿元);
* ``figure_first``: the figure comes first (9家企业通过高企认证, 10家新认定高企);
* ``continuation``: a chunk with no name continues the previous one (…6496.8亿元、增长24.9%;
  申报高新技术企业10家(已认定4家));
* ``respectively``: A、B分别增长31%、16% pairs the figures with the enumerated items in order.

The unit must fit the indicator (家 for firms, 份/项 for contracts, 元 for money, % for growth
or intensity), the words before the name must be a region, a time or a measure word (not
走访/兑现/为 …), and the sentence must not be a plan, a multi-year span, a sub-class, an
application, a re-recognition or a relocation. Figures in the sections of the coming year's
work and of the five-year goals are targets. Wordings are data: ``indicator_cues.toml``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from pipelines.extract.dates import RANGE_DASH, YEAR_NUMBER, plan_end
from pipelines.extract.dictionaries import load_toml
from pipelines.extract.document import Document, IndicatorCandidate, IndicatorFact, Quantity, ReportMeta, Section
from pipelines.extract.quantities import sentence_bounds, sentence_span
from pipelines.extract.sections import TOP_HEADING_LINE, categorize

# Section categories whose figures are plans, not facts (dictionaries/section_categories.toml).
TARGET_CATEGORIES = frozenset({"next_steps", "goals"})
MONEY_INDICATORS = frozenset({"rd_expenditure", "tech_contract_value", "rd_intensity"})

_CHUNK_SEP = re.compile(r"[,，、;；:：()（）]")
_ABBREV = re.compile(r"[(（][A-Za-z&]{1,8}[)）]")
_CLAUSE_SEP = re.compile(r"[,，;；:：]")
_TITLE = re.compile(r"《[^《》]{0,80}》")
# A year the figure refers to: not a comparison base (比2022年), not the end of a span (2021至2025年).
_YEAR = re.compile(rf"(?<![\d比较与同从{RANGE_DASH}])(?<!\d至)(?<!\d到)({YEAR_NUMBER})年(?!\d|以来|起|同期|前|之前)"
                   rf"|(?<=[从由])({YEAR_NUMBER})年(?:底|末)?的")  # 从2017年的7642家: that year's level
_FIGURE = re.compile(r"[超近约逾]?\d")
_LIST_GLUE = re.compile(r"[、,，和及与\s]*")
_RESPECTIVELY = "分别"
_JOINED = re.compile("[和及与]")
_TO = re.compile(r"\s*(?:增长|增加|提高|提升|上升|扩大|发展|增|升|达)(?:到|至)\s*")


@dataclass(frozen=True)
class _Cue:
    indicator: str  # may be "a|b": chosen by the unit of the figure
    needs: re.Pattern[str] | None


@dataclass(frozen=True)
class _Dict:
    cue_re: re.Pattern[str]
    anchor_re: re.Pattern[str]
    cues: dict[str, _Cue]  # regex group name -> cue
    units: dict[str, frozenset[str]]
    percent: dict[str, str]
    flows: frozenset[str]
    pre_words: tuple[str, ...]
    gap: re.Pattern[str]
    gap_after: re.Pattern[str]
    tail_after: re.Pattern[str]
    noun_after: re.Pattern[str]
    continuation: re.Pattern[str]
    level: re.Pattern[str]
    new: re.Pattern[str]
    growth: re.Pattern[str]
    decline: re.Pattern[str]
    target: re.Pattern[str]
    multi_year: re.Pattern[str]
    per_period: re.Pattern[str]
    review_period: re.Pattern[str]
    period_opens: re.Pattern[str]
    year_opens: re.Pattern[str]
    local: re.Pattern[str]
    applications: re.Pattern[str]
    applications_indicators: frozenset[str]
    subunit: re.Pattern[str]
    register: re.Pattern[str]
    register_indicators: frozenset[str]
    gap_one: re.Pattern[str]
    gap_after_one: re.Pattern[str]
    remark: re.Pattern[str]
    block: re.Pattern[str]
    weights: dict[str, float]
    threshold: float
    max_unknown: int


def _tokens(words: list[str]) -> re.Pattern[str]:
    """A pattern matching any sequence of the given words (and blanks, quotes)."""
    return re.compile(_one(words).pattern + "*")


def _one(words: list[str]) -> re.Pattern[str]:
    """A pattern matching one of the given words (or a blank, a quote): ``sub`` leaves the rest."""
    return re.compile(r"(?:\s|[“”\"']|" + "|".join(f"(?:{w})" for w in words) + r")")


@cache
def _dict() -> _Dict:
    data = load_toml("indicator_cues.toml")
    groups: list[str] = []
    cues: dict[str, _Cue] = {}
    units: dict[str, frozenset[str]] = {}
    percent: dict[str, str] = {}
    flows: set[str] = set()
    for ind in data["indicator"]:
        name = ind["name"]
        units[name] = frozenset(ind.get("units", []))
        percent[name] = ind.get("percent", "growth")
        if ind.get("flow"):
            flows.add(name)
        needs = ind.get("needs", {})
        for cue in ind["cues"]:
            g = f"c{len(groups)}"
            groups.append(f"(?P<{g}>{cue})")
            cues[g] = _Cue(name, re.compile(needs[cue]) if cue in needs else None)
    ctx, meas, exc, score = data["context"], data["measure"], data["exclude"], data["score"]
    return _Dict(
        cue_re=re.compile("|".join(groups)),
        anchor_re=re.compile("|".join(re.escape(a) for a in ctx["anchors"])),
        cues=cues,
        units=units,
        percent=percent,
        flows=frozenset(flows),
        pre_words=tuple(ctx["pre"]),
        gap=_tokens(ctx["gap"]),
        gap_after=_tokens(ctx["gap_after"]),
        tail_after=_tokens(ctx["tail_after"]),
        noun_after=re.compile(ctx["noun_after"]),
        continuation=re.compile(ctx["continuation"]),
        level=re.compile(meas["level"]),
        new=re.compile(meas["new"]),
        growth=re.compile(meas["growth"]),
        decline=re.compile(meas["decline"]),
        target=re.compile(exc["target"]),
        multi_year=re.compile(exc["multi_year"]),
        per_period=re.compile(exc["per_period"]),
        review_period=re.compile(exc["review_period"]),
        period_opens=re.compile(exc["review_lead"] + "(?:" + exc["review_period"] + ")", re.M),
        year_opens=re.compile(exc["review_lead"] + "(?:" + exc["review_year"] + ")", re.M),
        local=re.compile(exc["local"]),
        applications=re.compile(exc["applications"]),
        applications_indicators=frozenset(exc["applications_indicators"]),
        subunit=re.compile(exc["subunit"]),
        register=re.compile(r"(?:^|[^全我本])(?:" + exc["register"] + r")$"),
        register_indicators=frozenset(exc["register_indicators"]),
        gap_one=_one(ctx["gap"]),
        gap_after_one=_one(ctx["gap_after"]),
        remark=re.compile(r"\s*(?:" + ctx["remark"] + r")\s*"),
        block=re.compile("|".join(score["block"])),
        weights={k: float(v) for k, v in score["weights"].items()},
        threshold=float(score["threshold"]),
        max_unknown=int(score["max_unknown"]),
    )


@dataclass(frozen=True)
class _Hit:
    """An indicator's name found in the text."""

    start: int
    end: int
    cue: _Cue


@dataclass
class _Binding:
    """A candidate: a figure said of an indicator's name, scored; ``reason`` says why not."""

    q: Quantity
    hit: _Hit
    rule: str
    local: str  # the words around name and figure that decide the measure and exclusions
    start: int  # leftmost of name and figure
    score: float = 1.0
    features: dict[str, float] = field(default_factory=dict)
    reason: str | None = None

    def reject(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        self.score = 0.0




def _target_spans(sections: list[Section], simp: str) -> list[tuple[int, int]]:
    """Spans of the coming year's work and of the plan's goals: their figures are targets.

    Taken from the section categories; when no section carries a category (a page whose
    headings the section extractor could not read), the first top-level heading of such a
    category starts a zone that runs to the end (those sections come last in the genre).
    """
    if any(s.category for s in sections):
        return sorted((s.char_start, s.char_end) for s in sections if s.category in TARGET_CATEGORIES)
    for m in TOP_HEADING_LINE.finditer(simp):  # 三、2026年重点工作
        if categorize(m.group(2).strip()[:40]) in TARGET_CATEGORIES:
            return [(m.start(), len(simp))]
    return []


def _review_frames(d: _Dict, sections: list[Section], simp: str,
                   report_year: int | None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Inside a work report's review: the spans reviewing a plan period or a government's term,
    and the spans where the coming year's work begins without a heading of its own.

    The time is set by the review's heading (过去五年工作回顾) and then by the paragraphs that
    open with a period (“十三五”时期,…; ——五年来,…) or with one year (2020年是…; 这一年,…), as
    work reports that end a plan period or a term interleave the two. A paragraph opening with
    a year after the report's (2022年是…之年) starts the plan: a heading the section tree missed.
    """
    periods: list[tuple[int, int]] = []
    plans: list[tuple[int, int]] = []
    outer = {s.position for s in sections if s.category == "review"}
    for s in sections:
        if s.category != "review" or s.parent_position in outer:
            continue  # the outermost review section reads its own paragraphs
        line_end = simp.find("\n", s.char_start, s.char_end)
        start = s.char_start if d.review_period.search(s.heading) and not _YEAR_IN.search(s.heading) else None
        pos = s.char_end if line_end < 0 else line_end + 1
        while pos < s.char_end:
            end = simp.find("\n", pos, s.char_end)
            end = s.char_end if end < 0 else end
            if d.period_opens.match(simp, pos, end):
                start = pos if start is None else start
            elif (m := d.year_opens.match(simp, pos, end)) is not None:
                year = int(m.group(1)) if m.group(1) else None
                # 2018年以来, 2016年至2020年: still the period; 2019年,… inside it: an example
                # year of the period, not the return to the report's own year
                spans = _SPAN_AFTER_YEAR.match(simp, m.end()) is not None
                if start is not None and not spans and (year is None or year == report_year):
                    periods.append((start, pos))
                    start = None
                # the coming year's work opens with 今年是 or 2022年是…, not with any later date
                # (2022年1月,… in a report delivered that January)
                if m.group(2) or (year is not None and report_year is not None and year > report_year
                                  and simp.startswith("是", m.end())):
                    plans.append((pos, s.char_end))
                    break
            pos = end + 1
        if start is not None:
            periods.append((start, s.char_end))
    return periods, plans


_YEAR_IN = re.compile(rf"{YEAR_NUMBER}年")
_SPAN_AFTER_YEAR = re.compile(rf"\s*(?:以来|至|到|[{RANGE_DASH}～])")


def _in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in spans)


def _chunks(simp: str, s0: int, s1: int) -> list[tuple[int, int]]:
    out, last = [], s0
    abbrevs = _abbrev_spans(simp, s0, s1)
    for m in _CHUNK_SEP.finditer(simp, s0, s1):
        if m.start() < last or (abbrevs and _in_spans(abbrevs, m.start())):
            continue  # the brackets of 研究与试验发展(R&D)经费 do not cut the name
        out.append((last, m.start()))
        last = m.end()
    out.append((last, s1))
    return out


def _abbrev_spans(simp: str, s0: int, s1: int) -> list[tuple[int, int]]:
    return [m.span() for m in _ABBREV.finditer(simp, s0, s1)]


def _chunk_index(chunks: list[tuple[int, int]], pos: int) -> int:
    return max(0, bisect.bisect_right([c[0] for c in chunks], pos) - 1)


def _clause_start(simp: str, s0: int, pos: int) -> int:
    """Start of the clause (split at , ; :) holding ``pos``."""
    for i in range(pos - 1, s0 - 1, -1):
        if _CLAUSE_SEP.match(simp, i):
            return i + 1
    return s0


def _find_hits(d: _Dict, simp: str, s0: int, s1: int) -> list[_Hit]:
    hits: list[_Hit] = []
    if d.anchor_re.search(simp, s0, s1) is None:
        return hits
    sentence = simp[s0:s1]
    titles = [m.span() for m in _TITLE.finditer(simp, s0, s1)]
    for m in d.cue_re.finditer(simp, s0, s1):
        if titles and _in_spans(titles, m.start()):
            continue  # 《高新技术企业认定管理办法》 names a document, not the firms
        cue = d.cues[m.lastgroup or ""]
        if cue.needs is not None and not cue.needs.search(sentence[: m.start() - s0]):
            continue
        hits.append(_Hit(m.start(), m.end(), cue))
    return hits


def _bind_respectively(pre_ok: _Pre, simp: str, s0: int, s1: int, chunks: list[tuple[int, int]],
                       qs: list[Quantity], hits: list[_Hit], done: set[int]) -> list[_Binding]:
    """A、B分别增长31%、16%: the i-th figure after 分别 belongs to the i-th item before it."""
    out: list[_Binding] = []
    pos = simp.find(_RESPECTIVELY, s0, s1)
    while pos >= 0:
        run = [q for q in qs if q.char_start > pos]
        if run:
            first = run[0]
            ci = _chunk_index(chunks, pos)
            if _chunk_index(chunks, first.char_start) == ci:
                figures = [first]
                for q in run[1:]:
                    if q.unit != first.unit or not _LIST_GLUE.fullmatch(simp, figures[-1].char_end, q.char_start):
                        break
                    figures.append(q)
                items = _items_before(simp, chunks, ci, pos, hits, len(figures))
                # the first item's verb governs them all (走访A、B分别…)
                head_ok = bool(items) and (items[0][1] is None or pre_ok.fullmatch(
                    simp[items[0][0]:items[0][1].start])) and _list_head_ok(
                    pre_ok, simp, chunks, _chunk_index(chunks, items[0][0]), hits)
                if len(figures) > 1 and len(items) == len(figures) and head_ok:
                    between = simp[pos:first.char_start]
                    # what the items have in common, said after the last one: 企业贷款分别增长…
                    last = items[-1][1]
                    said_of = simp[last.end:pos] if last is not None else ""
                    # an item without a name that joins two (专利申请量和授权量) breaks the alignment
                    merged = any(h is None and _JOINED.search(simp, *chunks[_chunk_index(chunks, a)])
                                 for a, h in items)
                    blocked = merged or _dict().block.search(said_of) is not None
                    # 分别从A、B增长到C、D: the run after 增长到 belongs to the same items
                    rest = run[len(figures):len(figures) * 2]
                    end_run = (len(rest) == len(figures)
                               and _TO.fullmatch(simp, figures[-1].char_end, rest[0].char_start) is not None
                               and all(_LIST_GLUE.fullmatch(simp, x.char_end, y.char_start) and y.unit == first.unit
                                       for x, y in itertools.pairwise(rest)))
                    pairs = [(q, it, between) for q, it in zip(figures, items, strict=True)]
                    if end_run:
                        to = simp[figures[-1].char_end:rest[0].char_start]
                        pairs += [(q, it, to) for q, it in zip(rest, items, strict=True)]
                    for q, (a, h), said in pairs:
                        done.add(id(q))
                        if h is not None and pre_ok.fullmatch(simp[a:h.start]):
                            b = _Binding(q, h, "respectively", simp[a:h.start] + said, h.start)
                            if blocked:
                                b.reject("the items do not align with the figures" if merged
                                         else f"said of the items' {said_of.strip()[:12]}")
                            out.append(b)
        pos = simp.find(_RESPECTIVELY, pos + 1, s1)
    return out


def _items_before(simp: str, chunks: list[tuple[int, int]], ci: int, pos: int, hits: list[_Hit],
                  n: int) -> list[tuple[int, _Hit | None]]:
    """The ``n`` enumerated items before 分别 at ``pos``: (start, indicator name or None).

    Items are the chunks before 分别 (A、B分别…; A达3023份,B达到290.92亿元,分别…); a chunk
    naming several indicators (A和B分别…) gives one item per name.
    """
    items: list[tuple[int, _Hit | None]] = []
    spans = []
    c0 = chunks[ci][0]
    if simp[c0:pos].strip():
        spans.append((c0, pos))
    spans += [chunks[j] for j in range(ci - 1, -1, -1)]
    for a, b in spans:
        if len(items) >= n:
            break
        inside = [h for h in hits if a <= h.start and h.end <= b]
        if len(inside) > 1:
            starts = [a] + [h.start for h in inside[1:]]
            items[:0] = list(zip(starts, inside, strict=True))
        else:
            items.insert(0, (a, inside[0] if inside else None))
    return items[-n:] if len(items) >= n else items


def _list_head_ok(pre_ok: _Pre, simp: str, chunks: list[tuple[int, int]], ci: int,
                  hits: list[_Hit]) -> bool:
    """In a 、 list the head's verb governs every item: 走访高新技术企业200家、科技型中小企业300家."""
    j = ci
    while j > 0 and _after_list_mark(simp, chunks[j][0]):
        j -= 1
    if j == ci:
        return True
    a, b = chunks[j]
    head = [h for h in hits if a <= h.start and h.end <= b]
    return not head or pre_ok.fullmatch(simp[a:head[0].start])


def _bind_one(d: _Dict, pre_ok: _Pre, simp: str, chunks: list[tuple[int, int]], q: Quantity,
              hits: list[_Hit], region: str | None) -> _Binding | None:
    """The indicator name a figure is said of in its chunk, with how well it fits.

    A binding whose words are all known scores 1; words the vocabulary does not know between
    name and figure, or before them, lower the score (``[score]`` in the cue file); a word
    that makes the figure something else (走访, 项目 …) rejects it. A binding that does not
    reach the threshold carries its ``reason``, and so does one that is rejected outright.
    """
    ci = _chunk_index(chunks, q.char_start)
    c0, c1 = chunks[ci]
    before = [h for h in hits if c0 <= h.start and h.end <= q.char_start]
    if before:
        h = before[-1]
        pre, gap = simp[c0:h.start], simp[h.end:q.char_start]
        b = _Binding(q, h, "direct", pre + gap, h.start)
        _fit(d, b, "gap", gap, d.gap, d.gap_one, region)
        # other names before it count as known only where the figure is each one's (A和B均…)
        named = _mask(pre, c0, before[:-1]).replace("·", "") if "均" in gap else pre
        pre_ok.fit(d, b, named, region)
        if not _list_head_ok(pre_ok, simp, chunks, ci, hits):
            b.reject("the list's first verb is not a measure word")
        return b
    after = [h for h in hits if q.char_end <= h.start and h.end <= c1]
    if after:
        h = after[0]
        pre, gap = simp[c0:q.char_start], simp[q.char_end:h.start]
        tail = simp[h.end:c1]
        b = _Binding(q, h, "figure_first", pre + gap + tail, q.char_start)
        _fit(d, b, "gap", gap, d.gap_after, d.gap_after_one, region)
        if d.noun_after.match(tail) or not d.tail_after.fullmatch(tail):
            b.reject(f"the name is said of something else: {tail.strip()[:12]}")
        pre_ok.fit(d, b, pre, region)
        if not _list_head_ok(pre_ok, simp, chunks, ci, hits):
            b.reject("the list's first verb is not a measure word")
        return b
    lead = simp[c0:q.char_start].strip()
    bare = not lead and _after_list_mark(simp, c0)  # 完成769项、31.6亿元: a figure list
    if not (bare or d.continuation.fullmatch(lead)):
        return None
    # Walk back over chunks that are continuations themselves (…达到86家, 总数120家, 增长15%).
    for j in range(ci - 1, -1, -1):
        p0, p1 = chunks[j]
        prev = [h for h in hits if p0 <= h.start and h.end <= p1]
        if prev:
            b = _Binding(q, prev[-1], "continuation", lead, prev[-1].start)
            own = _FIGURE.search(simp, prev[-1].end, p1)  # the figure the name itself took
            if own is not None and (blocked := d.block.search(simp, prev[-1].end, own.start())) is not None:
                b.reject(f"continues a figure of the {blocked.group()}")  # 贷款余额7500亿元,增长20%
            if bare:
                b.score -= d.weights["bare_list"]
                b.features["bare_list"] = 1.0
            # the name must be the subject there too (not 支持高新技术企业发展,新增…)
            pre_ok.fit(d, b, simp[p0:prev[-1].start], region)
            if not _list_head_ok(pre_ok, simp, chunks, j, hits):
                b.reject("the list's first verb is not a measure word")
            return b
        if d.remark.fullmatch(simp, p0, p1):
            continue  # 、居全市之首: a ranking said in passing, the figures go on after it
        m = _FIGURE.search(simp, p0, p1)
        words = simp[p0:m.start()].strip() if m is not None else ""
        if m is None or not (d.continuation.fullmatch(words) or (not words and _after_list_mark(simp, p0))):
            break
    return None


def _after_list_mark(simp: str, start: int) -> bool:
    """Whether the chunk at ``start`` follows a 、: an item of a list."""
    return start > 0 and simp[start - 1] == "、"


def _both(simp: str, chunks: list[tuple[int, int]], b: _Binding, hits: list[_Hit]) -> list[_Binding]:
    """A、B均突破1.1万家: the figure is each listed name's, not only the nearest one's."""
    if b.rule != "direct" or b.reason is not None or "均" not in simp[b.hit.end:b.q.char_start]:
        return []
    out = []
    ci = _chunk_index(chunks, b.hit.start)
    before = [h for h in hits if chunks[ci][0] <= h.start and h.end <= b.hit.start]
    joined = b.hit
    for h in reversed(before):  # 高新技术企业和科技型中小企业均…
        if simp[h.end:joined.start].strip() not in ("", "和", "及", "与", "、"):
            return out
        out.append(_Binding(b.q, h, "direct", b.local, h.start, b.score, dict(b.features)))
        joined = h
    while True:
        if ci == 0 or not _after_list_mark(simp, chunks[ci][0]):
            return out
        ci -= 1
        before = [h for h in hits if chunks[ci][0] <= h.start and h.end <= chunks[ci][1]][-1:]
        if not before or simp[before[0].end:chunks[ci][1]].strip():
            return out  # the listed item is more than a name
        out.append(_Binding(b.q, before[0], "direct", b.local, before[0].start, b.score, dict(b.features)))


def _fit(d: _Dict, b: _Binding, where: str, text: str, full: re.Pattern[str], one: re.Pattern[str],
         region: str | None) -> None:
    """Score the words ``text`` between a name and its figure (``gap``) or before them (``pre``)."""
    if full.fullmatch(text):
        return
    unknown = "".join(one.sub("", text).split())
    b.features[f"{where}_unknown"] = float(len(unknown))
    if _DIGIT.search(unknown):
        b.reject(f"another figure in the {where}: {unknown[:12]}")
    elif (blocked := d.block.search(unknown)) is not None:
        b.reject(f"{where} word makes it another count: {blocked.group()}")
    elif where == "pre" and unknown != region and (
            _PLACE.search(unknown) or re.search(re.escape(unknown) + _PLACE_SUFFIX, text)):
        b.reject(f"another place's figure: {unknown[:12]}")
    elif len(unknown) > d.max_unknown:
        b.reject(f"unknown {where} words: {unknown[:12]}")
    else:
        b.score -= d.weights["unknown_char"] * len(unknown)
        if b.score < d.threshold:
            b.reject(f"unknown {where} words: {unknown[:12]}")


_DIGIT = re.compile(r"\d")
# a place before the name: the figure is that place's (澧县高新技术企业…), not the report region's
_PLACE_SUFFIX = r"(?:[省市县区州旗盟镇乡]|街道|园区|开发区|高新区)"
_PLACE = re.compile(_PLACE_SUFFIX + "$")


def _resolve_indicator(d: _Dict, b: _Binding) -> str | None:
    names = b.hit.cue.indicator.split("|")
    if len(names) == 1:
        return names[0]
    fits = [n for n in names if b.q.unit in d.units.get(n, ())]
    return fits[0] if len(fits) == 1 else None


def _measure(d: _Dict, indicator: str, b: _Binding, clause: str) -> tuple[str, float] | None:
    q, unit = b.q, b.q.unit
    if unit == "percent":
        mode = d.percent.get(indicator, "growth")
        if mode == "level":
            return "level", q.value
        if mode == "growth" and (d.growth.search(b.local) or d.decline.search(b.local)):
            sign = -1.0 if d.decline.search(b.local) and not d.growth.search(b.local) else 1.0
            return "growth_pct", sign * q.value
        return None
    if unit == "times":  # 同比增长1.2倍: year-on-year only (增长4.9倍 over a plan period is no fact)
        if d.percent.get(indicator) == "growth" and re.search(r"同比|比上年|较上年|较去年|比去年", b.local):
            return "growth_pct", q.value * 100
        return None
    if unit not in d.units.get(indicator, ()):
        return None
    if indicator in d.flows:
        return "level", q.value  # a year's amount: 新增技术合同成交额 is that year's turnover
    if d.level.search(b.local):
        return "level", q.value
    if d.new.search(b.local):
        return "new", q.value
    if d.level.search(clause):
        return "level", q.value
    if d.new.search(clause):
        return "new", q.value
    return "level", q.value


# A five-year plan period as the time of a review (“十二五”时期): its figures are of its last year.
_PLAN_PERIOD = re.compile(r"十([一二三四五])五”?(?:时期|期间|末)")
_TOPIC_YEAR = re.compile(rf"\s*({YEAR_NUMBER})年(?:底|末|全年|度)?[,，]")


def _topic(simp: str, s0: int) -> int | None:
    """The year a longer sentence opens with (2021年,…;…): the time of all its clauses."""
    start = max(simp.rfind("。", 0, s0), simp.rfind("\n", 0, s0)) + 1
    if start < s0 and (m := _TOPIC_YEAR.match(simp, start, s0)) is not None:
        return int(m.group(1))
    return None


def _year(before: str, report_year: int | None, topic: int | None = None) -> int | None:
    """The year a figure refers to: the last year named before it in its sentence, else the year
    its longer sentence or plan period opens with, else the report's."""
    named = None
    for m in _YEAR.finditer(before):
        if m.group(2) and re.search("[到至]", before[m.end():]):
            continue  # 从2018年的A增长到B: 2018 is A's year, not B's
        named = int(m.group(1) or m.group(2))
    if named is None and (p := _PLAN_PERIOD.search(before)) is not None:
        named = plan_end(p.group(1))
    if named is None:
        named = topic
    if named is None:
        return report_year
    if report_year is not None and named > report_year:
        return report_year  # a later year in a review sentence is a date of the count, not its year
    return named


_ADMIN_SUFFIX = re.compile(
    r"(?:特别行政区|维吾尔自治区|回族自治区|壮族自治区|自治区|自治州|自治县|省|市|县|区|州|旗|盟)$")


# Stands for the report's own region in the words before a name: the region is masked to it
# (a noncharacter: never in a text), so the large word pattern is compiled once, not per region.
_REGION_MARK = "\uffff"


@dataclass(frozen=True)
class _Pre:
    """The words allowed before a name, plus the report's own region (常德市, 常德).

    Only the report's region: a figure about one of its counties or parks (澧县…), or about
    the province around it, is not the region's figure.
    """

    names: tuple[str, ...]  # the region's names, longest first

    def masked(self, text: str) -> str:
        for name in self.names:
            text = text.replace(name, _REGION_MARK * len(name))  # lengths kept: some words count characters
        return text

    def fullmatch(self, text: str) -> bool:
        return _pre_words().fullmatch(self.masked(text)) is not None

    def fit(self, d: _Dict, b: _Binding, text: str, region: str | None) -> None:
        """Score the words before a name (see ``_fit``), the region's names known words."""
        _fit(d, b, "pre", self.masked(text), _pre_words(), _pre_word(), region)


@cache
def _pre_words() -> re.Pattern[str]:
    return _tokens([*_dict().pre_words, re.escape(_REGION_MARK) + "+"])


@cache
def _pre_word() -> re.Pattern[str]:
    """One word allowed before a name (see ``_Pre``): what it leaves is unknown."""
    return _one([*_dict().pre_words, re.escape(_REGION_MARK) + "+"])


@lru_cache(maxsize=4096)  # one per region: the gazetteer has ~3,500 divisions
def _pre_for(region: str | None) -> _Pre:
    names = set()
    if region:
        names.add(region)
        short = _ADMIN_SUFFIX.sub("", region)
        if len(short) >= 2:
            names.add(short)
    return _Pre(tuple(sorted(names, key=len, reverse=True)))


def _mask(text: str, start: int, hits: list[_Hit]) -> str:
    """``text`` (starting at ``start``) with the indicator names blanked: 高新技术企业 is no sub-unit."""
    chars = list(text)
    for h in hits:
        for i in range(max(h.start, start), min(h.end, start + len(text))):
            chars[i - start] = "·"
    return "".join(chars)


def _is_register(d: _Dict, simp: str, s0: int, h: _Hit) -> bool:
    return d.register.search(simp[max(s0, h.start - 3):h.start]) is not None


def _provincial_beside_national(d: _Dict, simp: str, s0: int, b: _Binding, hits: list[_Hit]) -> bool:
    if not _is_register(d, simp, s0, b.hit):
        return False
    return any(h.cue.indicator == b.hit.cue.indicator and not _is_register(d, simp, s0, h) for h in hits)


def indicator_dimension() -> list[dict]:
    """One row per indicator of the cue dictionary: the table ``dim_indicator``."""
    rows = []
    for ind in load_toml("indicator_cues.toml")["indicator"]:
        if "|" in ind["name"]:
            continue  # a cue shared by two indicators, told apart by the unit
        units = [u for u in ind.get("units", []) if u != "yuan"]
        unit = {"money": "yuan", "ratio": "percent"}.get(ind["kind"]) or (units[0] if units else "")
        rows.append({"indicator": ind["name"], "label": ind["label"], "kind": ind["kind"], "unit": unit,
                     "display_unit": ind["display"]["unit"], "display_per": float(ind["display"]["per"]),
                     "flow": bool(ind.get("flow", False)), "max_level": float(ind["max_level"])})
    return rows


def extract_indicators(doc: Document, meta: ReportMeta, sections: list[Section],
                       quantities: list[Quantity]) -> list[IndicatorFact]:
    """The indicator facts of ``doc`` (see eval/gold/README.md for indicators and measures)."""
    return [c.fact for c in indicator_candidates(doc, meta, sections, quantities) if c.fact is not None]


def indicator_candidates(doc: Document, meta: ReportMeta, sections: list[Section],
                         quantities: list[Quantity]) -> list[IndicatorCandidate]:
    """Every (figure, indicator name) pair the rules weighed, accepted or not, with why.

    A figure becomes at most one fact: the best-scoring of its candidates that passes every
    check; the others keep their score, features and the reason they are no fact.
    """
    d = _dict()
    simp = doc.simplified
    periods, plans = _review_frames(d, sections, simp, meta.report_year)
    targets = _target_spans(sections, simp) + plans
    ends = sentence_bounds(simp)
    by_sentence: dict[tuple[int, int], list[Quantity]] = {}
    for q in quantities:
        by_sentence.setdefault(sentence_span(simp, ends, q.char_start), []).append(q)
    out: list[IndicatorCandidate] = []
    seen: set[tuple[str, str, float, int | None]] = set()
    for (s0, s1), qs in by_sentence.items():
        hits = _find_hits(d, simp, s0, s1)
        if not hits:
            continue
        pre_ok = _pre_for(meta.region)
        qs.sort(key=lambda q: q.char_start)
        chunks = _chunks(simp, s0, s1)
        done: set[int] = set()
        bindings = _bind_respectively(pre_ok, simp, s0, s1, chunks, qs, hits, done)
        for q in qs:
            if id(q) not in done:
                b = _bind_one(d, pre_ok, simp, chunks, q, hits, meta.region)
                if b is not None:
                    bindings.append(b)
                    bindings += _both(simp, chunks, b, hits)
        if not bindings:
            continue
        evidence = doc.text[s0:s1].strip()
        for b in bindings:
            c = _candidate(d, doc, meta, simp, s0, b, hits, targets, evidence, periods)
            if c.fact is not None:
                key = (c.fact.indicator, c.fact.measure, c.fact.value, c.fact.year)
                if key in seen:
                    c.fact, c.accepted, c.reason = None, False, "the same fact stated earlier"
                seen.add(key)
            out.append(c)
    out.sort(key=lambda c: (c.char_start, -c.score))
    return out


def _candidate(d: _Dict, doc: Document, meta: ReportMeta, simp: str, s0: int, b: _Binding, hits: list[_Hit],
               targets: list[tuple[int, int]], evidence: str,
               periods: list[tuple[int, int]] | None = None) -> IndicatorCandidate:
    q = b.q
    c = IndicatorCandidate(
        indicator=b.hit.cue.indicator, measure=None, value=q.value, unit=q.unit, year=None, rule=b.rule,
        score=round(b.score, 3), features=dict(b.features), accepted=False, reason=b.reason, cue=doc.text[
            b.hit.start:b.hit.end], evidence=evidence, char_start=q.char_start, char_end=q.char_end,
        section_position=q.section_position)
    if c.reason is None:
        fact, reason = _fact(d, doc, meta, simp, s0, b, hits, targets, evidence, periods or [])
        c.reason = reason
        if fact is not None:
            c.fact, c.accepted = fact, True
            c.indicator, c.measure, c.value, c.unit, c.year = (fact.indicator, fact.measure, fact.value, fact.unit,
                                                               fact.year)
    return c


def _fact(d: _Dict, doc: Document, meta: ReportMeta, simp: str, s0: int, b: _Binding, hits: list[_Hit],
          targets: list[tuple[int, int]], evidence: str,
          periods: list[tuple[int, int]]) -> tuple[IndicatorFact | None, str | None]:
    """The fact a binding states, or None and the reason it states none."""
    q = b.q
    if _in_spans(targets, q.char_start):
        return None, "in a section of plans or goals"
    indicator = _resolve_indicator(d, b)
    if indicator is None:
        return None, "the unit fits none of the name's indicators"
    # Everything said before the figure, titles blanked (《…工作计划》 is no plan of figures).
    prefix = _TITLE.sub(lambda m: "·" * len(m.group()), simp[s0:q.char_end])
    if (m := d.target.search(prefix)) is not None:
        return None, f"a target or plan: {m.group()}"
    if (m := d.per_period.search(b.local)) is not None:
        return None, f"a figure per period: {m.group()}"
    if (m := d.local.search(b.local)) is not None:
        return None, f"a sub-class or another register: {m.group()}"
    if indicator in d.applications_indicators and (m := d.applications.search(b.local)) is not None:
        return None, f"applications, not recognitions: {m.group()}"
    clause0 = _clause_start(simp, s0, b.start)
    clause = simp[clause0:b.hit.start] if b.hit.start > clause0 else simp[clause0:b.start]
    if indicator in MONEY_INDICATORS and (m := d.subunit.search(_mask(clause, clause0, hits))) is not None:
        return None, f"one unit's money, not the region's: {m.group()}"
    if indicator in d.register_indicators and _provincial_beside_national(d, simp, s0, b, hits):
        return None, "a provincial register beside the national one"
    measured = _measure(d, indicator, b, simp[clause0:b.start])
    if measured is None:
        return None, "the unit does not fit the indicator, or a percentage that is no growth"
    measure, value = measured
    if measure != "level" and (m := d.multi_year.search(prefix)) is not None:
        return None, f"a change over several years: {m.group()}"
    if measure != "level" and _in_spans(periods, q.char_start):
        return None, "a change over several years: a paragraph reviewing a plan period or a term"
    return IndicatorFact(
        indicator=indicator,
        measure=measure,
        value=value,
        unit="percent" if measure == "growth_pct" else q.unit,
        year=_year(prefix[: q.char_start - s0], meta.report_year, _topic(simp, s0)),
        evidence=evidence,
        char_start=q.char_start,
        char_end=q.char_end,
        cue=doc.text[b.hit.start:b.hit.end],
        rule=b.rule if b.score >= 1 else f"{b.rule} (score {b.score:.2f})",
        approx=q.approx,
        section_position=q.section_position,
    ), None
