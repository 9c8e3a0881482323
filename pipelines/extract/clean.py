"""Clean scraped report text while keeping a map back to the raw characters.

What goes: HTML residue (tags, entities, the ``??span>?/span>`` debris left when a CMS
strips tags badly), page chrome that is never part of a report (share/print/close links,
font-size widgets, "扫一扫在手机打开当前页"), zero-width characters. What changes: full-width
ASCII forms become half-width (``，`` → ``,``, ``２０２３`` → ``2023``) and CRLF becomes LF.
Lines that carry metadata (来源, 发布日期 …) are kept: the metadata extractor reads them.

``CleanText.offsets[i]`` is the raw index of clean character ``i`` (one extra entry at the
end), so any span found in the clean text can be traced to the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc


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
    (re.compile(r"【?[ \t]*字[体号][ \t]*[:：]?[ \t]*[【\[]?(?:[ \t]|大|中|小|默认|】|\]|[|])*"), ("字体", "字号")),
    (re.compile(r"【?[ \t]*(?:我要打印|打印(?:本页|文章)?|关闭(?:窗口|本页)?|收藏|分享到?)[ \t]*】?(?=\s|【|$)"),
     ("打印", "关闭", "收藏", "分享")),
]
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&ensp;": " ", "&emsp;": " "}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))
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
    text, offsets = _apply(text, offsets, _ENTITY, lambda m: _ENTITIES[m.group()])
    text = _half_width(text)
    for pat, needles in _REMOVE:
        if not needles or any(n in text for n in needles):
            text, offsets = _apply(text, offsets, pat, "")
    text, offsets = _apply(text, offsets, _SPACES, " ")
    text, offsets = _apply(text, offsets, _BLANK_LINES, "\n\n")
    # trim each end
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    text, offsets = text[lead:trail], [*offsets[lead:trail], offsets[trail]]
    return CleanText(text, offsets)


def _crlf_offsets(raw: str) -> list[int]:
    offsets: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        offsets.append(i)
        i += 2 if raw[i] == "\r" and i + 1 < n and raw[i + 1] == "\n" else 1
    offsets.append(n)
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
