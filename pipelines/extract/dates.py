"""Dates as report pages write them: 2023-03-29, 2023/3/29, 2023.3.29, 2023年3月29日,
二〇二四年二月十九日. Everything returns ISO ``YYYY-MM-DD`` strings or None."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN = "〇○零Ｏ一二三四五六七八九十"

# Numeric forms. The year is 19xx/20xx so that index numbers and view counts don't read as dates.
_ISO = r"(?P<y1>(?:19|20)\d{2})\s*[-/.]\s*(?P<m1>\d{1,2})\s*[-/.]\s*(?P<d1>\d{1,2})(?!\d)"
_ZH = r"(?P<y2>(?:19|20)\d{2})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]"
_ZH_CN = rf"(?P<y3>[{_CN}]{{4}})\s*年\s*(?P<m3>[{_CN}]{{1,2}})\s*月\s*(?P<d3>[{_CN}]{{1,3}})\s*日"
DATE = re.compile(rf"(?<!\d)(?:{_ISO}|{_ZH}|{_ZH_CN})")
# A time of day after a date marks CMS metadata (发布时间 2023-12-01 15:00).
TIME_AFTER = re.compile(r"\s*\d{1,2}:\d{2}")


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    iso: str
    written: str  # iso | zh (年月日 with digits or Chinese numerals)


def _cn_number(s: str) -> int:
    """二〇二四 -> 2024 (digit by digit), 十九 -> 19, 二十 -> 20, 三十一 -> 31."""
    if "十" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[DateHit]:
    out: list[DateHit] = []
    for m in DATE.finditer(text):
        g = m.groupdict()
        try:
            if g["y1"]:
                iso, written = _iso(int(g["y1"]), int(g["m1"]), int(g["d1"])), "iso"
            elif g["y2"]:
                iso, written = _iso(int(g["y2"]), int(g["m2"]), int(g["d2"])), "zh"
            else:
                iso, written = _iso(_cn_number(g["y3"]), _cn_number(g["m3"]), _cn_number(g["d3"])), "zh"
        except (KeyError, ValueError):
            continue
        if iso:
            out.append(DateHit(m.start(), m.end(), iso, written))
    return out


def parse_date(s: str | None) -> str | None:
    """The first date in ``s`` as ISO, or None."""
    if not s:
        return None
    hits = find_dates(s)
    return hits[0].iso if hits else None
