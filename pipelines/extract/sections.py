"""The heading tree of a report: 一、 > (一) > 1. > (1) > ① > 一是.

Chinese official documents number their headings by a fixed convention (GB/T 9704): 一、 for
the top level, （一） below it, then 1. and （1）; the enumerations 一是…二是… run inline inside
paragraphs. A marker only counts as a heading when it continues a numbering sequence under
the same parent (一 starts one, 三 follows 二); that rejects numbered items quoted in running
text and the 一、 of an enclosed document restarting the count.

Levels are relative: a level is its parent's level + 1, so a 1. written directly under 一、 is
level 2. A fragment that opens mid-report (its first heading a （二） with no 一、 above it) has
lost its top level: its headings hang under that missing level (level 2+).

Detection reads ``Document.simplified`` (traditional numerals and punctuation look the same
there); markers and headings are cut from ``Document.text`` with the same spans.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from pipelines.extract.dates import YEAR_NUMBER
from pipelines.extract.dictionaries import load_toml
from pipelines.extract.document import Document, Section
from pipelines.extract.numbers import cn_integer

_NUM = "一二三四五六七八九十"
_CN = f"[{_NUM}]{{1,3}}"

# After a top-level marker, a numeral that opens the next item of an inline list (一、二、三) makes
# it no heading; one that opens a word (一、十三五工作回顾, 一、十五届政府工作回顾) does not.
_LIST_NEXT = rf"[{_NUM}]{{1,3}}\s*[、.．,，:：]"

# A line that opens with a top-level marker (一、 二、…), for modules that only need to know
# where a report's numbered parts begin (metadata).
TOP_HEADING_LINE = re.compile(rf"^[^\S\n]*({_CN})\s*[、.．,，:：](?!{_LIST_NEXT})[^\S\n]*([^\n]*)", re.M)

# Marker kinds in their conventional nesting order (rank); 一是 is always innermost.
PART, TOP, PAREN_CN, ARABIC, PAREN_AR, CIRCLED, SHI = range(7)

# Line-start markers (matched on the line with its leading blanks removed). The lookaheads
# keep 2.5亿元 or 1.5% from reading as headings; the numeral of group 1 is the item number.
_LINE_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (PART, re.compile(rf"第({_CN})(?:部分|篇)\s*[、.．,，:：]?\s*")),
    (TOP, re.compile(rf"({_CN})\s*[、.．,，:：](?!{_LIST_NEXT})\s*")),
    (PAREN_CN, re.compile(rf"[(（]\s*({_CN})\s*[)）]\s*[、.．,，]?\s*")),
    (ARABIC, re.compile(r"(\d{1,2})\s*[.．、](?![\d.．%])\s*")),
    (PAREN_AR, re.compile(r"[(（]\s*(\d{1,2})\s*[)）]\s*[、.．,，]?\s*")),
    (CIRCLED, re.compile(r"([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*[、.．]?\s*")),
    (SHI, re.compile(rf"({_CN})是(?![否非])")),
]


def _markers_of(patterns: list[tuple[int, re.Pattern[str]]]) -> re.Pattern[str]:
    """Any of ``patterns``, as one: most lines start with none, and one match rejects them at
    their first character (trying the patterns one by one cost ~7 % of the extraction)."""
    return re.compile("|".join(f"(?:{p.pattern})" for _, p in patterns))


_ANY_MARKER = _markers_of(_LINE_MARKERS)
_ANY_MARKER_NOT_SHI = _markers_of(_LINE_MARKERS[:SHI])
# Any of them, for the text repair (clean.py): a line that opens with a marker is never joined to
# the line before, nor a blank before a marker dropped.
LINE_MARKER = _ANY_MARKER.pattern
# 一是/二是 inside a paragraph: only right after punctuation (统一是 is no enumeration).
_INLINE_SHI = re.compile(rf"(?<=[。；;！!？?：:,，])\s*(({_CN})是)(?![否非])")
# Blanks before a marker, and a list bullet that HTML-to-text conversion puts before <li> text.
_LEAD = re.compile(r"[^\S\n]*(?:[-*•·▪●◆■][^\S\n]+)?")
# What a line needs at its start to hold a heading or a lone marker: a marker, a lone "(", or
# the "?。" of a garbled (N) (see _mojibake_marker). Most lines are paragraphs with none of
# these, and the tree skips them with this one match.
_MAY_HEAD = re.compile(rf"{_LEAD.pattern}(?:{_ANY_MARKER.pattern}|[(（]|\?。)")
_WRAPPED = re.compile(rf"({_CN})\s*[)）]\s*[、.．,，]?\s*")
# A heading runs to the first sentence or clause end on its line; the rest is body.
_HEAD_END = re.compile(r"[。！？；;!?：:]")
_TRAIL_PUNCT = " \t,，、.。;；:：!！?？"
# An enclosed document (附件1, 附件：…, 附：名词解释) starts a new numbering under the report.
_ENCLOSURE = re.compile(r"附(?:件|录|表)?\s*[0-9一二三四五六七八九十]{0,2}\s*(?:[:：].{0,40})?$")
# Page chrome and the signature block after the last paragraph are no part of any section.
_TRAILER_LINE = re.compile(
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|[(（]?来源[:：].{0,30}|相关(?:报道|文档|链接|新闻|阅读)[:：]?|分享到.{0,10}|[×x]"
    r"|(?:责任)?编辑[:：].{0,20}|.{2,30}(?:局|厅|委|委员会|政府|办公室|院|中心|办)"
    r"|.{0,10}点击.{0,20}|[^\w\s]{1,6}|(?:上|下)一(?:篇|条|页)[:：]?.{0,38}|返回顶部|网站地图|浏览次数.{0,10}"
    r")[)）]?"
)

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_number(s: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23, ③ → 3, 12 → 12: the number of a heading's marker
    (Chinese numerals are read by ``numbers.cn_integer``, their one owner)."""
    if s in _CIRCLED:  # before isdigit(), which ① passes
        return _CIRCLED.index(s) + 1
    if s.isdigit():
        return int(s)
    return cn_integer(s) or 0


@dataclass
class _Cand:
    kind: int
    number: int
    start: int  # marker start in the text
    marker_end: int
    head_end: int  # end of the heading text (before its terminator)
    line_end: int
    inline: bool = False  # an 一是 that runs on inside a paragraph
    heading_override: str | None = None  # repaired text of a mojibake heading
    enclosed: bool = False  # inside an enclosed document (附件): no frame category from above

    @property
    def alone(self) -> bool:
        """A heading that is its whole line, and short: a title, not a numbered paragraph."""
        return self.line_end - self.head_end <= 1 and self.head_end - self.marker_end <= 40


def _line_candidates(text: str, simp: str, start: int, end: int,
                     pending: tuple[int, int, int, int] | None = None) -> list[_Cand]:
    """Heading candidates on the line ``[start, end)``: a line-start marker and inline 一是.

    ``pending`` is a marker left alone on an earlier line, ``(kind, number, start, end)``: this
    line is its heading (the page broke "(三)" or "一、" from its text).
    """
    line = simp[start:end]
    lead = _LEAD.match(line).end()
    stripped, off = line[lead:], start + lead
    out: list[_Cand] = []
    if pending is not None:
        kind, number, pstart, pend = pending
        if kind == -1:  # a lone "(": the numeral and ")" open this line
            m = _WRAPPED.match(stripped)
            if m:
                mend = off + m.end()
                out.append(_Cand(PAREN_CN, cn_number(m.group(1)), pstart, mend, _heading_end(simp, mend, end), end))
        else:
            out.append(_Cand(kind, number, pstart, pend, _heading_end(simp, off, end), end))
    elif (garbled := _mojibake_marker(text[off:end])) is not None:
        kind, number, mlen, repaired = garbled
        head_end = _heading_end(simp, off + mlen, end)
        out.append(_Cand(kind, number, off, off + mlen, head_end, end, heading_override=repaired))
    elif _ANY_MARKER.match(stripped):
        for kind, pat in _LINE_MARKERS:
            m = pat.match(stripped)
            if m and m.end() < len(stripped.rstrip()):
                mend = off + m.end()
                head_end = _heading_end(simp, mend, end)
                if head_end > mend or kind == SHI:
                    out.append(_Cand(kind, cn_number(m.group(1)), off, mend, head_end, end))
                break
    first_end = out[0].head_end if out else off
    for m in _INLINE_SHI.finditer(simp, first_end, end):
        ms = m.start(1)
        out.append(_Cand(SHI, cn_number(m.group(2)), ms, m.end(1), _heading_end(simp, m.end(1), end), end,
                         inline=True))
    return out


def _lone_marker(simp: str, start: int, end: int) -> tuple[int, int, int, int] | None:
    """``(kind, number, start, end)`` when the line holds a heading marker and nothing else."""
    line = simp[start:end]
    lead = _LEAD.match(line).end()
    stripped, off = line[lead:].rstrip(), start + lead
    if stripped in ("(", "（"):
        return -1, 0, off, off + 1
    if not _ANY_MARKER_NOT_SHI.match(stripped):
        return None
    for kind, pat in _LINE_MARKERS[:SHI]:
        m = pat.match(stripped)
        if m and m.end() == len(stripped):
            return kind, cn_number(m.group(1)), off, off + len(stripped)
    return None


def _heading_end(simp: str, pos: int, end: int) -> int:
    m = _HEAD_END.search(simp, pos, end)
    e = m.start() if m else end
    while e > pos and simp[e - 1] in _TRAIL_PUNCT:
        e -= 1
    return e


# A page decoded as GBK one byte out of step turns "　（一）推进" into "?。ㄒ唬┩七M": the byte
# pairs straddle the real characters. Re-encoding the run recovers the numeral (its GBK lead
# byte sits after A8, the second byte of "（") and, from the A9 of "）" on, the heading.
_MOJIBAKE = re.compile(r"\?。(?=[\u3100-\u312f\u01ce-\u01dc\u0101-\u01ce\u2460-\u24ff])")
_GBK_LEAD = {"一": 0xD2, "二": 0xB6, "三": 0xC8, "四": 0xCB, "五": 0xCE, "六": 0xC1, "七": 0xC6, "八": 0xB0,
             "九": 0xBE, "十": 0xCA}


@cache
def _lead_num() -> dict[int, int]:  # not at import: numbers load cn2an (~0.8 s) only when needed
    return {b: cn_number(c) for c, b in _GBK_LEAD.items()}


def _mojibake_marker(line: str) -> tuple[int, int, int, str] | None:
    """(kind, number, marker length, repaired heading) of a garbled （N） line, or None."""
    if not _MOJIBAKE.match(line):
        return None
    raw = line[2:].encode("gbk", errors="replace")
    if len(raw) < 3 or raw[0] != 0xA8 or raw[1] not in _lead_num():
        return None
    close = raw.find(b"\xa9", 2)
    if close < 0 or close > 4:
        return None
    used, n = 0, 2  # characters of the line before the one holding the A9 byte
    for ch in line[2:]:
        width = len(ch.encode("gbk", errors="replace"))
        if used + width > close:
            break
        used += width
        n += 1
    fixed = raw[close + 1:].decode("gbk", errors="replace")
    heading = _HEAD_END.split(fixed, maxsplit=1)[0].strip(_TRAIL_PUNCT)
    # bytes lost in the garbling leave U+FFFD: then the heading stays as written
    return PAREN_CN, _lead_num()[raw[1]], n, "" if "\ufffd" in heading else heading


def _content_end(text: str) -> int:
    """End of the report's running text: signature, date and page chrome at the end cut off."""
    end = len(text.rstrip())
    while end > 0:
        ls = text.rfind("\n", 0, end) + 1
        line = text[ls:end].strip()
        heading = _ANY_MARKER.match(line) is not None
        if line and (heading or not (len(line) <= 40 and _TRAILER_LINE.fullmatch(line))):
            break
        end = len(text[:ls].rstrip())
    return end


@dataclass
class _Node:
    uid: int
    kind: int  # -1: an enclosure floor, which no heading closes
    level: int
    position: int | None  # the section's position; None for a fragment's lost top


_TOP_LINE = re.compile(rf"[^\S\n]*(?:[-*•·▪●◆■][^\S\n]+)?(?:第一(?:部分|篇)|一\s*[、.．,，:：](?!{_LIST_NEXT}))")


def _lines(simp: str, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``simp[:end]``."""
    out, pos = [], 0
    for raw in simp[:end].split("\n"):
        out.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


# A page whose line breaks were lost runs its headings into the text: "…如下:一、主要举措和成效
# (一)强化组织领导。…存在的问题一是…". Break before a marker that follows punctuation, before
# any （一）, before an 一是 that opens an enumeration (not the 一是 of 统一是, 唯一是), and at blanks.
_RUN_IN = re.compile(
    rf"(?<=[。！？；;!?:：\s])\s*(?=[{_NUM}]{{1,3}}\s*、(?!{_LIST_NEXT})|\d{{1,2}}[.．、](?![\d.．%]))"
    rf"|(?=[(（][{_NUM}]{{1,3}}[)）])"
    r"|(?<![统唯单同第其之万划归合逐专])(?=一是)"
    r"|(?<=[^\S\n])(?=\S)"  # where the breaks became blanks, a blank ends a heading
)


def _run_in_lines(simp: str, end: int) -> list[tuple[int, int]]:
    out = []
    for ls, le in _lines(simp, end):
        cuts = [ls] + [m.end() for m in _RUN_IN.finditer(simp, ls, le) if m.end() > ls] + [le]
        out += [(a, b) for a, b in pairwise(cuts) if b > a]
    return out


def extract_sections(doc: Document) -> list[Section]:
    text, simp = doc.text, doc.simplified
    content_end = _content_end(text)
    lines = _lines(simp, content_end)
    toc = _contents_lines(simp, lines)  # a table of contents numbers no part of the report
    accepted = _tree(text, simp, lines, content_end, toc)
    if not any(c.kind < SHI for c, _, _ in accepted):
        # no heading starts a line: try the page as if its line breaks had been lost
        run_in = _tree(text, simp, _run_in_lines(simp, content_end), content_end, toc)
        if any(level == 1 for _, level, _ in run_in):
            accepted = run_in
    return _build(doc, accepted, content_end)


_SECOND_LINE = re.compile(rf"[^\S\n]*(?:[-*•·▪●◆■][^\S\n]+)?(?:第二(?:部分|篇)|二\s*[、.．,，:：](?!{_LIST_NEXT}))")
_PAREN_ONE = re.compile(r"[^\S\n]*[(（]\s*一\s*[)）]")


def _has_top_level(simp: str, lines: list[tuple[int, int]]) -> bool:
    """Does the report number its top level 一、二、…? Then everything else sits below it.

    Only the report's own text counts (not an attachment), the list must reach 二、, and a （一）
    before the first 一、 means the 一、 belong to a quotation inside a report built on （一）.
    """
    first = None
    for ls, le in lines:
        if _ENCLOSURE.match(simp[ls:le].strip()):
            break
        if first is None:
            if _PAREN_ONE.match(simp, ls, le):
                return False
            if _TOP_LINE.match(simp, ls, le):
                first = ls
        elif _SECOND_LINE.match(simp, ls, le):
            return True
    return False


@cache
def _part_title_res() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in load_toml("section_categories.toml").get("part_titles", {}).get("patterns", [])]


_SENTENCE_PUNCT = re.compile(r"[。，,;；:：!！?？]")


def _part_titles(simp: str, lines: list[tuple[int, int]]) -> dict[int, _Cand]:
    """Unnumbered part titles above a work report's 一、 (or （一）): line start -> candidate.

    A part title is a short line of its own, with no marker and no sentence punctuation,
    worded as the genre words its parts (``part_titles`` in section_categories.toml). They
    are the top level when there are two or more, or when the first one comes before any
    numbered top-level heading and reviews the past year (a page that shows only part one).
    """
    found: list[tuple[int, _Cand]] = []
    first_top: int | None = None
    for ls, le in lines:
        line = simp[ls:le]
        lead = _LEAD.match(line).end()
        stripped = line[lead:].rstrip()
        if first_top is None and _TOP_LINE.match(simp, ls, le):
            first_top = ls
        if not 4 <= len(stripped) <= 24 or _SENTENCE_PUNCT.search(stripped):
            continue
        if _ANY_MARKER.match(stripped):
            continue
        h = re.sub(r"\s+", "", stripped)
        if any(p.search(h) for p in _part_title_res()):
            start = ls + lead
            found.append((ls, _Cand(PART, len(found) + 1, start, start, start + len(stripped), le)))
    if not found:
        return {}
    first = found[0][1]
    before_top = first_top is None or first.start < first_top
    # one part title alone must review the past year and stand in the speech (after 各位代表,
    # or above numbered headings: a page showing part one), not be a news page's subtitle
    in_speech = "各位代表" in simp[:first.start] or any(
        _TOP_LINE.match(simp, ls, le) or _PAREN_ONE.match(simp, ls, le) for ls, le in lines if ls > first.start)
    if before_top and (len(found) >= 2 or ("回顾" in simp[first.start:first.head_end] and in_speech)):
        return dict(found)
    return {}


# A contents line: a numbered title and its page number (1. 安徽省政府工作报告 5, 2.…工作计划12,
# 杭州市政府工作报告- 3 -).
_CONTENTS_LINE = re.compile(r".{2,60}?[\u4e00-\u9fff)）][\s.…·_]*-?\s*\d{1,4}\s*-?")


def _contents_lines(simp: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Starts of the lines of a table of contents: three or more numbered lines in a row, each
    ending in a page number. Their markers number the contents, not the report's parts."""
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int, bool]] = []  # (line start, end, ends in a page number)

    def flush() -> None:
        if sum(paged for _, _, paged in run) >= 3:
            out.extend((ls, le) for ls, le, _ in run)
        run.clear()

    for ls, le in lines:
        line = simp[ls:le].strip()
        if not line:
            continue
        m = next((mm for _, pat in _LINE_MARKERS[:SHI] if (mm := pat.match(line))), None) \
            if _ANY_MARKER_NOT_SHI.match(line) else None
        rest = line[m.end():] if m else line
        if m and not rest.strip():
            run.append((ls, le, False))  # a marker alone: its title is on the next line
        elif (m or (run and not run[-1][2])) and _CONTENTS_LINE.fullmatch(rest) and not _SENTENCE_PUNCT.search(rest):
            run.append((ls, le, True))
        else:
            flush()
    flush()
    return out


def _tree(text: str, simp: str, lines: list[tuple[int, int]], content_end: int,
          toc: list[tuple[int, int]] = ()) -> list[tuple[_Cand, int, int | None]]:
    """Accepted heading candidates with their level and parent position, in document order."""
    doc_has_top = _has_top_level(simp, lines)
    parts = _part_titles(simp, lines)
    root_kind: int | None = None  # the kind of the top level, once one is taken
    fragment = False  # the page opens mid-report: its top level may resume at 三、
    accepted: list[tuple[_Cand, int, int | None]] = []  # candidate, level, parent position
    stack: list[_Node] = []
    last: dict[tuple[int, int], int] = {}  # (parent uid, kind) -> last number taken
    uids = iter(range(1, 1 << 30))
    pending: tuple[int, int, int, int] | None = None  # a marker alone on its line
    quoted: int | None = None  # last number of a list restarting 一、 inside a top section
    enclosure: str | None = None  # None, "open" after a 附件 line, "listed" once it restarts 一、
    for ls, le in lines:
        # a paragraph line (no marker at its start, no inline 一是, no 附件, not after a lone
        # marker) is nothing to the tree: skipped before the per-line work below
        if (pending is None and ls not in parts and not _MAY_HEAD.match(simp, ls, le)
                and simp.find("附", ls, le) < 0
                and (simp.find("是", ls, le) < 0 or not _INLINE_SHI.search(simp, ls, le))):
            continue
        line = simp[ls:le].strip()
        if not line:
            continue
        if any(a <= ls < b for a, b in toc):
            continue
        if (lone := _lone_marker(simp, ls, le)) is not None:
            pending = lone
            continue
        held, pending = pending, None
        if ls in parts:
            c = parts[ls]
            if not _continues(c, last.get((0, PART)), None):
                continue
            last[(0, PART)] = c.number
            root_kind, quoted = PART, None
            node = _Node(next(uids), PART, 1, len(accepted) + 1)
            stack = [node]
            accepted.append((c, 1, None))
            continue
        if stack and len(line) <= 40 and _ENCLOSURE.match(line):
            # everything after 附件 hangs under the current top section, numbered afresh
            top = stack[0]
            stack = [top, _Node(next(uids), -1, top.level, top.position)]
            enclosure = "open"
            continue
        for c in _line_candidates(text, simp, ls, le, held):
            if enclosure == "open" and c.kind <= TOP:
                if c.number == last.get((0, c.kind), -9) + 1:
                    # the report's own next part: the 附件 line only named an attachment
                    stack, enclosure = stack[:1], None
                elif c.number == 1:
                    enclosure = "listed"
            trial = list(stack)
            while trial and trial[-1].kind >= c.kind:  # close the siblings and their children
                trial.pop()
            parent = trial[-1] if trial else None
            if parent is None and c.kind > TOP and (0, c.kind) not in last and (
                    doc_has_top or c.number != 1 or c.kind == SHI):
                # below a top level that is missing: the preamble, a fragment opening mid-list,
                # or an enumeration (一是) with no heading above it
                # (kind TOP: the first real 一、 closes it)
                parent = _Node(next(uids), TOP, 1, None)
                trial = [parent]
                fragment = fragment or (c.number != 1 and not doc_has_top)
            key = (parent.uid if parent else 0, c.kind)
            if parent is None and c.kind <= TOP and key in last and c.number == 1 and _is_contents(
                    text, simp, accepted, c):
                # the top sections so far were a table of contents: the report starts here
                accepted, stack, last, quoted = [], [], {}, None
            # a second 一、 opens a quoted or enclosed list; its 二、三、 are no top sections
            elif parent is None and c.kind <= TOP and key in last and (
                    c.number == 1 or (quoted is not None and c.number == quoted + 1)):
                quoted = c.number
                continue
            if parent is None and root_kind is not None and c.kind < root_kind:
                continue  # a 一、 inside a report whose top level is （一）: a quotation
            # ``opening``: nothing taken yet, so a page that begins at 二、 has lost its start
            if not _continues(c, last.get(key), parent, fragment, opening=not accepted):
                continue
            if parent is None:
                quoted, root_kind = None, c.kind
            last[key] = c.number
            c.enclosed = any(n.kind == -1 for n in trial)
            level = parent.level + 1 if parent else 1
            node = _Node(next(uids), c.kind, level, len(accepted) + 1)
            stack = [*trial, node]
            accepted.append((c, level, parent.position if parent else None))
    return accepted


def _is_contents(text: str, simp: str, accepted: list[tuple[_Cand, int, int | None]], c: _Cand) -> bool:
    """Were the headings so far a table of contents, repeated from ``c`` on?

    They were if they stand on consecutive lines with no text between them, and ``c`` repeats
    the first one.
    """
    if len(accepted) < 2 or any(level != 1 for _, level, _ in accepted):
        return False
    first, final = accepted[0][0], accepted[-1][0]
    lines = [ln for ln in simp[first.start:final.line_end].split("\n") if ln.strip()]

    def head(x: _Cand) -> str:
        return re.sub(r"\s+", "", text[x.marker_end:x.head_end])

    return len(lines) == len(accepted) and head(first) == head(c)


def _continues(c: _Cand, prev: int | None, parent: _Node | None, fragment: bool = False,
               opening: bool = False) -> bool:
    """Does candidate ``c`` continue the numbering of its kind under ``parent``?"""
    if parent is None:
        # the top level opens at 一 (a fragment's anywhere) and never restarts; it may skip one
        # number only on a short line of its own (a heading the page lost)
        if prev is None:
            return c.number == 1 or fragment or (opening and c.kind == TOP and c.alone)
        return c.number == prev + 1 or (c.number == prev + 2 and c.alone)
    if prev is None:
        # under a lost top level the list may open anywhere; elsewhere it opens at 1
        return c.number == 1 or parent.position is None
    # tolerate one number lost, or repeated, to a typo (a repeat only at a line start)
    return c.number == 1 or prev < c.number <= prev + 2 or (c.number == prev and not c.inline)


def _build(doc: Document, accepted: list[tuple[_Cand, int, int | None]], content_end: int) -> list[Section]:
    text, simp = doc.text, doc.simplified
    out: list[Section] = []
    for i, (c, level, parent) in enumerate(accepted):
        end = content_end
        for c2, level2, _ in accepted[i + 1:]:
            if level2 <= level:
                end = c2.start
                break
        # a heading runs to its clause's end, but never into the next item: 一是…,二是… in
        # one sentence (the first's heading had run on to the sentence's end, over the second)
        head_limit = end
        clause_end = min(c.head_end, head_limit)
        if c.inline:
            # an inline 一是 item ends with its paragraph unless a sibling follows on the same line
            end = min(end, c.line_end)
        # a child never runs past its parent
        if parent is not None:
            end = min(end, out[parent - 1].char_end)
        while end > c.start and text[end - 1].isspace():
            end -= 1
        head_end = min(_part_title_end(simp, c), head_limit)
        heading = c.heading_override or text[c.marker_end:head_end].strip()
        marker = text[c.start:c.marker_end].replace("\n", "").strip()
        body_start = head_end
        while body_start < end and text[body_start] in _TRAIL_PUNCT + "\n":
            body_start += 1
        out.append(Section(
            position=i + 1, level=level, marker=marker, heading=heading,
            body=text[body_start:end].strip(), char_start=c.start, char_end=max(end, clause_end),
            parent_position=parent,
            category=_category(simp[c.marker_end:clause_end], out, None if c.enclosed else parent),
        ))
    return out


# What may follow a part title's words on its line when the page lost the break after it: the
# text's first sentence ("2018年是…", "过去五年,…") or a few stray letters of page spam.
_AFTER_PART_TITLE = re.compile(rf"{YEAR_NUMBER}\s*年|过去|今年|一年来|我们|面对|[A-Za-z0-9]{{1,4}}$")


def _part_title_end(simp: str, c: _Cand) -> int:
    """End of a top-level heading that runs on past a part title's words ("2018年工作回顾2018年是…"):
    where those words end. A heading that is a part title as a whole is kept whole."""
    if c.kind > TOP:
        return c.head_end
    whole = re.sub(r"\s+", "", simp[c.marker_end:c.head_end])
    if any(p.search(whole) for p in _part_title_res()):
        return c.head_end
    for end in range(min(c.head_end, c.marker_end + 24), c.marker_end + 3, -1):
        head = re.sub(r"\s+", "", simp[c.marker_end:end])
        if any(p.search(head) for p in _part_title_res()) and _AFTER_PART_TITLE.match(simp[end:c.head_end].lstrip()):
            return end
    return c.head_end


def _category(heading: str, done: list[Section], parent: int | None) -> str | None:
    """A frame category (problems, next_steps, review, goals) covers everything below it."""
    while parent is not None:
        anc = done[parent - 1]
        if anc.category in _inherited():
            return anc.category
        parent = anc.parent_position
    return categorize(heading)


def innermost_section(sections: list[Section], starts: list[int], pos: int) -> int | None:
    """Position of the innermost section containing ``pos`` (``sections`` sorted by start,
    ``starts`` their ``char_start``): in a heading tree the containing section that starts
    last is the innermost one. The one lookup of "which section holds this offset"."""
    i = bisect.bisect_right(starts, pos) - 1
    while i >= 0:
        s = sections[i]
        if s.char_start <= pos < s.char_end:
            return s.position
        i -= 1
    return None


# --- categories -----------------------------------------------------------------------------



@cache
def _categories() -> list[tuple[str, list[re.Pattern[str]], list[re.Pattern[str]]]]:
    data = load_toml("section_categories.toml")
    return [(c["name"], [re.compile(p) for p in c.get("patterns", [])],
             [re.compile(p) for p in c.get("exclude", [])]) for c in data["category"]]


@cache
def _inherited() -> frozenset[str]:
    data = load_toml("section_categories.toml")
    return frozenset(c["name"] for c in data["category"] if c.get("inherit"))


@lru_cache(maxsize=1 << 16)  # headings recur across reports (主要工作, 存在的问题, ...)
def categorize(heading: str) -> str | None:
    """Canonical category of a (simplified) heading; the first category in the file wins."""
    h = re.sub(r"\s+", "", heading)
    for name, pats, excl in _categories():
        if any(p.search(h) for p in pats) and not any(p.search(h) for p in excl):
            return name
    return None
