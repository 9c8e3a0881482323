"""Clean scraped report text while keeping a map back to the raw characters.

What goes: HTML residue (tags, entities, the ``??span>?/span>`` debris left when a CMS
strips tags badly), page chrome that is never part of a report (share/print/close links,
font-size widgets, "扫一扫在手机打开当前页"), zero-width characters. What changes: full-width
ASCII forms become half-width (``，`` → ``,``, ``２０２３`` → ``2023``) and CRLF becomes LF.
Lines that carry metadata (来源, 发布日期 …) are kept: the metadata extractor reads them.

Then the damage that PDF and Word exports and mirror sites leave is repaired
(``dictionaries/cleaning.toml`` holds the vocabulary): spam and page-number lines go; blanks
inside Chinese text go (``367.1 亿 元`` → ``367.1亿元``, ``6588 家 、 6403 家``, per-character
spacing ``分 别 为``), while blanks between Latin words and between two numbers stay; lines
hard-wrapped at a fixed width are joined back into paragraphs. (Pinyin readings that annotated
mirrors splice after characters, ``研发(fā)``, stay: they are the page as written.)

``CleanText.offsets[i]`` is the raw index of clean character ``i`` (one extra entry at the
end), so any span found in the clean text can be traced to the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

from pipelines.extract.dictionaries import load_toml
from pipelines.extract.numbers import SCALES
from pipelines.extract.sections import LINE_MARKER


@dataclass(frozen=True)
class CleanText:
    text: str
    offsets: list[int]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw-text span of clean span ``[start, end)``."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


# Full-width ASCII (U+FF01..U+FF5E) -> ASCII, ideographic space -> space. One char for one
# char, so offsets need no bookkeeping for this step.
_HALF = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " ", "\u00a0": " "}
_FULL = re.compile("[\uff01-\uff5e\u3000\u00a0]")


def _half_width(text: str) -> str:
    # one str.replace per distinct character present: ~7x faster than str.translate, which
    # looks every character up in a dict
    for ch in set(_FULL.findall(text)):
        text = text.replace(ch, _HALF[ch])
    return text


# Debris, removed outright. Order matters: tags before stray fragments. Each pattern comes
# with literals one of which any match contains: most pages have no debris at all, and a
# substring test skips a pattern that would otherwise be tried at every character.
_REMOVE: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"<!--.*?-->", re.S), ("<!--",)),
    (re.compile(r"</?[a-zA-Z][^<>\n]{0,300}>"), ("<",)),  # <font face="…">, </span>, <br/>
    (re.compile(r"\?{0,2}/?(?:span|font|p|div|strong|b)>(?:\?/(?:span|font|p|div)>)*"), (">",)),  # ??span>?/span>
    (re.compile(r"\??<?font\s+face=\"[^\"]*\"\s*>"), ("font",)),
    (re.compile(r"[\u200b-\u200f\u2060\ufeff]"), ()),
    # page chrome: widgets and links that are never report text
    (re.compile(r"扫一扫在手机(?:上)?打开当前页"), ("扫一扫",)),
    # (each opens with a lookahead of its first characters: then it is tried only where one is)
    (re.compile(r"(?=[【 \t字])【?[ \t]*字[体号][ \t]*[:：]?[ \t]*[【\[]?(?:[ \t]|大|中|小|默认|】|\]|[|])*"),
     ("字体", "字号")),
    (re.compile(r"(?=[【 \t我打关收分])【?[ \t]*(?:我要打印|打印(?:本页|文章)?|关闭(?:窗口|本页)?|收藏|分享到?)"
                r"[ \t]*】?(?=\s|【|$)"), ("打印", "关闭", "收藏", "分享")),
]
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&ensp;": " ", "&emsp;": " "}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))
# A page stored with its line breaks escaped (``各位代表：\r\n现在，…``, a JSON or CMS field
# saved as it was): lines whose paragraphs are the characters backslash-r-backslash-n. A lone
# \n or \r before a Latin letter is a path or code (C:\new\report), never a break.
_ESCAPED_BREAK = re.compile(r"\\+r\\+n|\\+[nr](?![A-Za-z])")
_MIN_ESCAPES = 3  # on one line: once or twice, a backslash may be the text's own


def _unescape_breaks(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Escaped line breaks as line breaks, on the lines that hold several."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        found = [m.span() for m in _ESCAPED_BREAK.finditer(text, pos, end)] if "\\" in line else []
        if len(found) >= _MIN_ESCAPES:
            spans += found
        pos = end + 1
    return _delete(text, offsets, spans, "\n")


_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def _apply(text: str, offsets: list[int], pattern: re.Pattern[str], repl) -> tuple[str, list[int]]:
    """Substitute ``pattern`` in ``text`` and carry the raw offsets along."""
    out: list[str] = []
    offs: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        s, e = m.span()
        out.append(text[last:s])
        offs.extend(offsets[last:s])
        r = repl(m) if callable(repl) else repl
        out.append(r)
        offs.extend([offsets[s]] * len(r))
        last = e
    if last == 0 and not out:
        return text, offsets
    out.append(text[last:])
    offs.extend(offsets[last:-1])
    offs.append(offsets[-1])
    return "".join(out), offs


def clean_text(raw: str) -> CleanText:
    """Clean ``raw`` (already decoded) and keep the offset map back to it."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # CRLF -> LF shifts offsets; build the map against the raw string.
    offsets = _crlf_offsets(raw) if len(text) != len(raw) else list(range(len(raw) + 1))
    if "\\" in text:
        text, offsets = _unescape_breaks(text, offsets)
    text, offsets = _apply(text, offsets, _ENTITY, lambda m: _ENTITIES[m.group()])
    text = _half_width(text)
    for pat, needles in _REMOVE:
        if not needles or any(n in text for n in needles):
            text, offsets = _apply(text, offsets, pat, "")
    text, offsets = _apply(text, offsets, _SPACES, " ")
    text, offsets = _repair(text, offsets)
    text, offsets = _apply(text, offsets, _BLANK_LINES, "\n\n")
    # trim each end
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    text, offsets = text[lead:trail], [*offsets[lead:trail], offsets[trail]]
    return CleanText(text, offsets)


# ------------------------------------------------------------------------------------ repair
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_IS_CJK = re.compile(f"[{_CJK}]")
_NON_CJK_RUN = re.compile(f"[^{_CJK}]+")
# a blank with a non-blank on each side, on one line (written with the blank first: a pattern
# that opens with a lookbehind is tried at every character, one that opens with a character
# class only where that character is; the same matches, ~8x faster)
_BLANK = re.compile(r"[ \t](?<=[^ \t\n][ \t])[ \t]*(?=[^ \t\n])")
# punctuation a blank beside which is never meaningful in Chinese text
_PUNCT = set(",;:、。!?%)]”’》")
_OPEN = set("(“‘《")
_SENTENCE_END = set("。!?;:”’」』…")
# a heading marker (sections owns them), or what else opens a block without being a heading of
# the tree: an enclosure, a chapter of a quoted regulation, the dash of a subtitle line
_MARKER_START = re.compile(rf"[ \t]*(?:{LINE_MARKER}|第[一二三四五六七八九十]{{1,3}}[章节]|附件|——)")


@lru_cache(maxsize=1)
def _vocab() -> tuple[re.Pattern[str], int, re.Pattern[str]]:
    data = load_toml("cleaning.toml")
    spam = re.compile("|".join(re.escape(w) for w in data["spam"]["words"]))
    watermark = re.compile("|".join(f"(?:{p})" for p in data["watermark"]["lines"]))
    return spam, data["spam"]["min_hits"], watermark


@lru_cache(maxsize=1)
def _after_number() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What a blank after a number goes before (cleaning.toml ``[blanks]``): the first character
    of a unit, scale word or approximation word of the quantity dictionary, a date part…; and a
    number, blank and such a character (or a clause mark) after a Chinese character."""
    units = load_toml("quantity_units.toml")
    first = {w[0] for w in [*units["units"], *SCALES, *units["approx"]["suffix"]]}
    first |= set(load_toml("cleaning.toml")["blanks"]["after_number"])
    unit = "[" + "".join(re.escape(c) for c in sorted(first)) + "]"
    return re.compile(unit), re.compile(r"\d[\d.]*[ \t]*(?:" + unit + r"|[,、;。])")


def _delete(text: str, offsets: list[int], spans: list[tuple[int, int]], repl: str = "") -> tuple[str, list[int]]:
    """``text`` with the sorted, disjoint ``spans`` replaced by ``repl`` (by default removed);
    the offsets follow, ``repl``'s characters mapped to the start of the span they replace."""
    if not spans:
        return text, offsets
    out: list[str] = []
    offs: list[int] = []
    last = 0
    for a, b in spans:
        out.append(text[last:a])
        offs.extend(offsets[last:a])
        if repl:
            out.append(repl)
            offs.extend([offsets[a]] * len(repl))
        last = b
    out.append(text[last:])
    offs.extend(offsets[last:])
    return "".join(out), offs


def _repair(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    text, offsets = _delete(text, offsets, _junk_lines(text))
    text, offsets = _delete(text, offsets, _stray_marks(text))
    text, offsets = _delete(text, offsets, _inner_blanks(text))
    text, offsets = _delete(text, offsets, _wrapped_breaks(text))
    return text, offsets


def _junk_lines(text: str) -> list[tuple[int, int]]:
    """Spam lines of mirror sites and page numbers of exports (each with its line break)."""
    spam, min_hits, watermark = _vocab()
    spans = []
    pos = 0
    # one search of the whole text first: most pages hold no spam word, and then no line does
    spammy = min_hits <= 0 or spam.search(text) is not None
    for line in text.split("\n"):
        end = pos + len(line)
        if (spammy and len(spam.findall(line)) >= min_hits) or (len(line) < 40 and watermark.fullmatch(line)):
            spans.append((pos, min(end + 1, len(text))))
        pos = end + 1
    return spans


# a short Latin token glued to the end of a line (…回顾XLC): the watermark of a content farm
_LINE_END_TOKEN = re.compile(f"(?=[A-Za-z0-9])(?<=[{_CJK}。:,;)”])([A-Za-z0-9]{{2,5}})(?=[ \t]*(?:\n|$))")
# question marks where a lost encoding put ideographic spaces, at the start of a line
_LEAD_MARKS = re.compile(f"^[ \t]*\\?{{1,4}}(?=[{_CJK}\\d(])", re.M)


def _stray_marks(text: str) -> list[tuple[int, int]]:
    """Debris a page repeats on many lines: a content farm's token at line ends, or the ``??``
    an encoding left for the ideographic spaces that indent paragraphs. Only where it recurs
    (3 lines or more): once, it may be the report's own text."""
    spans: list[tuple[int, int]] = []
    if "?" in text:
        leads = [m.span() for m in _LEAD_MARKS.finditer(text)]
        if len(leads) >= 3:
            spans += leads
    ends: dict[str, list[tuple[int, int]]] = {}
    for m in _LINE_END_TOKEN.finditer(text):
        if not m.group(1).isdigit():
            ends.setdefault(m.group(1), []).append(m.span())
    for token, found in ends.items():
        if len(found) >= 3:
            spans += [m.span() for m in re.finditer(f"(?<=[{_CJK}。:,;)”]){re.escape(token)}(?![A-Za-z0-9])", text)]
    return sorted(set(spans))


def _inner_blanks(text: str) -> list[tuple[int, int]]:
    """Blanks that a PDF or Word export put inside Chinese text (see the module docstring)."""
    spans = []
    unit_start, number_then = _after_number()
    for m in _BLANK.finditer(text):
        a, b = m.span()
        if _MARKER_START.match(text, b):
            continue  # a blank before 一、/ 1、 / (二) separates headings run into one line
        left, right = text[a - 1], text[b]
        if (left in _PUNCT and (right in _OPEN or _IS_CJK.match(right) or right.isdigit())) or (
                right in _PUNCT and (_IS_CJK.match(left) or left.isdigit() or left in _PUNCT)):
            spans.append((a, b))
        elif left.isdigit():
            if unit_start.match(text, b):
                spans.append((a, b))  # 367.1 亿元, 70 周年 is not: 周 is no unit
        elif _IS_CJK.match(left):
            if right.isdigit():
                if number_then.match(text, b):
                    spans.append((a, b))  # 达到 111 家, 突破 500 亿元;
            elif _IS_CJK.match(right) and (_single(text, a - 1, -1) or _single(text, b, 1)):
                spans.append((a, b))  # 规 模 工 业, 增加 值: a lone character is a spaced-out word
    return spans


def _single(text: str, i: int, step: int) -> bool:
    """Whether the CJK character at ``i`` stands alone: a blank or line edge on its far side."""
    j = i + step
    return j < 0 or j >= len(text) or text[j] in " \t\n"


def _wrapped_breaks(text: str) -> list[tuple[int, int]]:
    """Line breaks of text hard-wrapped at a fixed width (PDF exports), not paragraph ends.

    A text is hard-wrapped when many of its lines stop at about the same width without ending
    a sentence; there, a line that reaches that width and does not end a sentence continues
    on the next line, unless the next line opens a heading or an enumeration.
    """
    lines = text.split("\n")
    if len(lines) < 8:
        return []
    lengths = [len(x.strip()) for x in lines]
    # the test below without its prose condition first (cheap): most texts end their lines
    # with their sentences, and are not looked at further
    if sum(1 for x, n in zip(lines, lengths, strict=True) if n >= 12 and x.rstrip()[-1] not in _SENTENCE_END) \
            < max(4, len(lines) // 5):
        return []
    prose = [n >= 12 and _is_prose(x) for x, n in zip(lines, lengths, strict=True)]
    open_ends = [n for x, n, p in zip(lines, lengths, prose, strict=True) if p and x.rstrip()[-1] not in _SENTENCE_END]
    if len(open_ends) < max(4, len(lines) // 5):
        return []
    open_ends.sort()
    width = open_ends[int(len(open_ends) * 0.75)]  # upper quartile: most full lines reach it
    near = sum(1 for n in open_ends if abs(n - width) <= max(2, width // 10))
    if near < len(open_ends) * 0.5:
        return []  # open-ended lines of every length: paragraphs, not a fixed wrap width
    spans = []
    pos = 0
    for k, line in enumerate(lines[:-1]):
        end = pos + len(line)
        stripped = line.rstrip()
        if (prose[k] and lengths[k] >= width - max(3, width // 8) and stripped[-1] not in _SENTENCE_END
                and _is_prose(lines[k + 1]) and not _MARKER_START.match(lines[k + 1])):
            spans.append((end, end + 1))
        pos = end + 1
    return spans


def _is_prose(line: str) -> bool:
    """Mostly Chinese characters: table rows (| … |) and Latin text are not wrapped prose."""
    # the CJK characters counted as what is left when the runs of others go: 3x findall's speed
    return "|" not in line and len(_NON_CJK_RUN.sub("", line)) * 2 >= len(line.strip()) > 0


def _crlf_offsets(raw: str) -> list[int]:
    """The raw offset of each character once every CRLF is one LF (at the CR's offset)."""
    offsets: list[int] = []
    last = 0
    # a run of characters at a time, up to and including each CR of a CRLF (its LF skipped):
    # a Python step per character had cost 0.6 ms a report
    pos = raw.find("\r\n")
    while pos >= 0:
        offsets.extend(range(last, pos + 1))
        last = pos + 2
        pos = raw.find("\r\n", last)
    offsets.extend(range(last, len(raw) + 1))
    return offsets


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_HANT_ONLY = re.compile(r"[這個們來對說時國會學經後發過當問動實點現開業體關機長區員們進與應從總門錢東無將書為]")


def is_traditional(text: str) -> bool:
    """True when the text is (mostly) written in traditional characters."""
    sample = text[:3000]
    return len(_HANT_ONLY.findall(sample)) >= max(3, len(sample) // 300)


def to_simplified(text: str) -> str:
    """Simplified-character version of ``text`` with exactly the same length.

    OpenCC converts phrases, which can change the length; where it does, convert character
    by character so every span stays valid in both versions.
    """
    conv = _t2s().convert(text)
    if len(conv) == len(text):
        return conv
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


_END_OK = re.compile(
    r"(?:[。！？!?”’」』)\]】…]|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s*$"
)
_OPENER = re.compile(r"[(（]?[一二三四五六七八九十\d]{1,3}[)）、.]|[一二三四五六七八九十]{1,3}是")
_TRAILER = re.compile(r"(?:\n[^\n]{0,40}){0,6}$")
_TAIL = 1000  # characters: far more than a trailer (6 short lines) and a sentence end


def looks_truncated(text: str) -> bool:
    """True when the report stops mid-sentence (a page cut off by the scraper).

    A complete report ends with a sentence, a signature date, or a short trailer of page
    chrome after them; a cut one ends inside a sentence.
    """
    # only the end decides; searching the whole text for end-anchored patterns costs O(n)
    body = text.rstrip()[-_TAIL:]
    if not body:
        return True
    if _END_OK.search(body):
        return False
    # allow a few short lines after the last full stop (signature, chrome, a lone heading)
    tail = _TRAILER.search(body)
    head = body[: tail.start()] if tail else body
    last_line = body.rsplit("\n", 1)[-1].strip()
    # a last line that is long, or opens a heading or an enumeration, is cut-off text
    if len(last_line) > 20 or _OPENER.match(last_line):
        return True
    return not _END_OK.search(head.rstrip())
