"""Number parsing: Arabic with scales, Chinese numerals through cn2an."""

from __future__ import annotations

import pytest

from pipelines.extract.numbers import parse_chinese, parse_number, scale_of


@pytest.mark.parametrize(("text", "scale", "want"), [
    ("3023", None, 3023),
    ("290.92", "亿", 29092000000),
    ("1.9", "万", 19000),
    ("0.94", "万", 9400),
    ("1.2", "万亿", 1.2e12),
    ("1,234", None, 1234),
    ("三十二", None, 32),
    ("两", None, 2),
    ("十一", None, 11),
    ("一百零五", None, 105),
    ("三", "万", 30000),
])
def test_parse_number(text: str, scale: str | None, want: float) -> None:
    assert parse_number(text, scale) == pytest.approx(want)


def test_unreadable_is_none() -> None:
    assert parse_number("") is None
    assert parse_chinese("规划") is None


def test_scale_of() -> None:
    assert scale_of("亿") == 1e8
    assert scale_of(None) == 1


def test_scaled_numbers_keep_the_digits_written() -> None:
    assert parse_number("2.49", "万") == 24900  # not 24900.000000000004
    assert parse_number("290.92", "亿") == 29092000000
