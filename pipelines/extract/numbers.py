"""Parse the numbers written in the reports: Arabic digits with 万/亿 scales, Chinese numerals.

Pure helpers shared by the quantity and indicator extractors. Chinese numerals go through the
``cn2an`` library (it knows 两, 零, 十一, 一万二千 …); this module only decides what to feed it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Scale words after a number: 1.9万 → 19000, 290.92亿 → 29092000000.
SCALES: dict[str, float] = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_ARABIC = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?")


def parse_arabic(text: str) -> float:
    """``"3,023"`` → 3023.0, ``"290.92"`` → 290.92."""
    return float(text.replace(",", ""))


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> float | None:
    """A Chinese numeral (三十二, 两, 一万二千) → its value, or None if it is not one.

    Cached: the same few numerals recur across hundreds of thousands of reports.
    """
    import cn2an  # here, not at the top: its import takes ~0.8 s, which a run with nothing new never needs

    text = text.replace("〇", "零")
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        try:
            value = cn2an.cn2an(text, "smart")
        except (ValueError, KeyError, IndexError, TypeError):
            return None
    return float(value)


# Zeros as dates and headings write them: 二○二四年, 二Ｏ二二年 (a circle or a letter O for 〇).
_ZEROS = str.maketrans({"○": "零", "Ｏ": "零", "O": "零", "〇": "零", "o": "零"})


def cn_integer(text: str) -> int | None:
    """A whole number written in Chinese numerals, as dates and headings write them: 二〇二四 and
    二○二四 -> 2024 (digit by digit), 十九 -> 19, 三十一 -> 31; None if it is not one."""
    value = parse_chinese(text.translate(_ZEROS))
    return int(value) if value is not None and value == int(value) else None


def scale_of(word: str | None) -> float:
    """The multiplier of a scale word (万 → 10000); 1 for None or an unknown word."""
    return SCALES.get(word or "", 1.0)


@lru_cache(maxsize=1 << 16)
def parse_number(text: str, scale: str | None = None) -> float | None:
    """A number as written (Arabic or Chinese), times its scale word; None if unreadable.

    Cached: a report's figures repeat (10, 2023, 100%), and the parse and the rounding cost
    ~5 µs a number."""
    text = text.strip()
    if not text:
        return None
    if _ARABIC.fullmatch(text):
        value: float | None = parse_arabic(text)
    else:
        value = parse_chinese(text)
    if value is None:
        return None
    # 2.49 * 1e4 is 24900.000000000004 in binary floating point: keep the digits written
    return float(f"{value * scale_of(scale):.12g}")
