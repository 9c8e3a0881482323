"""Dates as report pages write them: 2023-03-29, 2023/3/29, 2023.3.29, 2023年3月29日,
二〇二四年二月十九日. Everything returns ISO ``YYYY-MM-DD`` strings or None."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipelines.extract.numbers import cn_integer

_CN = "〇○零Ｏ一二三四五六七八九十"

# A year in digits is 19xx/20xx, so that index numbers and view counts don't read as years;
# RANGE_DASH (a [...] class body) stands between the two ends of a year range (2021-2025年).
# Every pattern of a year is built on these (here, metadata, sections, indicators).
YEAR_NUMBER = r"(?:19|20)\d{2}"
RANGE_DASH = r"\-—~"

# Numeric forms.
_ISO = rf"(?P<y1>{YEAR_NUMBER})\s*[-/.]\s*(?P<m1>\d{{1,2}})\s*[-/.]\s*(?P<d1>\d{{1,2}})(?!\d)"
_ZH = rf"(?P<y2>{YEAR_NUMBER})\s*年\s*(?P<m2>\d{{1,2}})\s*月\s*(?P<d2>\d{{1,2}})\s*[日号]"
_ZH_CN = rf"(?P<y3>[{_CN}]{{4}})\s*年\s*(?P<m3>[{_CN}]{{1,2}})\s*月\s*(?P<d3>[{_CN}]{{1,3}})\s*日"
# (the lookahead first: a pattern that opens with a lookbehind is tried at every character;
# one that opens with a character class lets the engine skip to the next candidate, ~4x faster)
DATE = re.compile(rf"(?=[12{_CN}])(?<!\d)(?:{_ISO}|{_ZH}|{_ZH_CN})")
# A year as a report names the year it covers: 2023年, 2023年度; not one end of a range
# (2021-2025年, 2016至2020年) and not the year of a full date (2023年3月29日).
YEAR = re.compile(rf"(?<![\d{RANGE_DASH}至])({YEAR_NUMBER})\s*年(?:度)?(?![\d{RANGE_DASH}])")
YEAR_RANGE = re.compile(rf"{YEAR_NUMBER}\s*年?\s*[{RANGE_DASH}至到]+\s*(?:19|20)?\d{{2}}\s*年?")


def plan_end(numeral: str) -> int:
    """The last year of the five-year plan 十<numeral>五: 十五 2005, 十一五 2010, 十四五 2025."""
    return 2005 + 5 * ("一二三四五六七八九".index(numeral) + 1 if numeral else 0)


def years(text: str) -> list[int]:
    """The years ``text`` names on their own (ranges and full dates left out), in order."""
    return [int(m.group(1)) for m in YEAR.finditer(YEAR_RANGE.sub(" ", text))]


# A time of day after a date marks CMS metadata (发布时间 2023-12-01 15:00).
TIME_AFTER = re.compile(r"\s*\d{1,2}:\d{2}")


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    iso: str
    written: str  # iso | zh (年月日 with digits or Chinese numerals)


def _cn_number(s: str) -> int:
    """二〇二四 -> 2024, 十九 -> 19 (numbers.py owns Chinese numerals)."""
    value = cn_integer(s)
    if value is None:
        raise ValueError(s)
    return value


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
