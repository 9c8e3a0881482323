"""Date forms as report pages write them."""

from __future__ import annotations

import pytest

from pipelines.extract.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2023-03-29", "2023-03-29"),
        ("2023年3月29日", "2023-03-29"),
        ("2023/3/29", "2023-03-29"),
        ("2023.3.29", "2023-03-29"),
        ("2024年02月20日", "2024-02-20"),
        ("2024 年 2 月 19 日", "2024-02-19"),
        ("2024-1-25 15:01:04", "2024-01-25"),
        ("二〇二四年二月十九日", "2024-02-19"),
        ("二〇二三年十二月三十一日", "2023-12-31"),
        ("2023年12月1号", "2023-12-01"),
    ],
)
def test_date_forms(written: str, iso: str) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    "not_a_date",
    [
        "索引号 000014348/2023-00827",  # an index number, not a date
        "2023年2月30日",  # no such day
        "2025-03-2008",  # digits run on
        "阅读次数: 111",
        "",
        None,
    ],
)
def test_not_dates(not_a_date: str | None) -> None:
    assert parse_date(not_a_date) is None


def test_kinds_and_spans() -> None:
    line = "来源:常德市科学技术局 2023-12-01 15:00 ……2024年2月19日"
    hits = find_dates(line)
    assert [(h.iso, h.written) for h in hits] == [("2023-12-01", "iso"), ("2024-02-19", "zh")]
    assert line[hits[1].start:hits[1].end] == "2024年2月19日"
