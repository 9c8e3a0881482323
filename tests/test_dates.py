"""Date forms as report pages write them."""

from __future__ import annotations

import pytest

from pipelines.extract.dates import find_dates, parse_date, years
from pipelines.extract.numbers import cn_integer


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


@pytest.mark.parametrize(("text", "years_named"), [
    ("2023年法治政府建设年度报告", [2023]),
    ("2023年度工作总结及2024年工作计划", [2023, 2024]),
    ("《法治政府建设实施纲要(2021-2025年)》2022年落实情况", [2022]),
    ("2016至2020年的五年", []),
    ("2024年1月16日在区人民代表大会上", []),  # the year of a full date is no year named on its own
])
def test_years_named_on_their_own(text: str, years_named: list[int]) -> None:
    assert years(text) == years_named


@pytest.mark.parametrize(("written", "iso"), [
    ("二○二二年二月二十二日", "2022-02-22"),  # a white circle for the zero
    ("二Ｏ二四年一月十九日", "2024-01-19"),
    ("二〇二一年十二月三十一日", "2021-12-31"),
])
def test_dates_in_chinese_numerals_with_every_zero(written: str, iso: str) -> None:
    assert parse_date(f"——{written}在市第七届人民代表大会第三次会议上") == iso


def test_cn_integer_is_the_one_reader_of_chinese_numerals() -> None:
    assert [cn_integer(s) for s in ("二○二四", "十九", "三十一", "十", "两千")] == [2024, 19, 31, 10, 2000]
    assert cn_integer("年度") is None


@pytest.mark.parametrize("text, year", [
    ("2023年全市", 2023), ("2023年度全市", 2023), ("2023 年", None), ("1899年", None), ("12023年", None),
    ("2021-2025年", None), ("2021—2025年", None), ("2016~2020年", None), ("2023年3月29日", None),
])
def test_a_figures_year_is_a_year_as_dates_reads_it(text, year) -> None:
    """indicators' year of a figure is built on dates' year grammar (19xx/20xx, the range dashes)."""
    from pipelines.extract.indicators import _year

    assert _year(text, None) == year
    if year is not None:
        assert years(text) == [year]
    elif "-" in text or "—" in text or "~" in text:
        assert years(text) == []


def test_only_dates_writes_what_a_year_is() -> None:
    """The other extractors build their year patterns on dates.YEAR_NUMBER."""
    from pathlib import Path

    from pipelines.extract import dates

    folder = Path(dates.__file__).parent
    writers = sorted(p.name for p in folder.glob("*.py") if r"(?:19|20)\d" in p.read_text(encoding="utf-8"))
    assert writers == ["dates.py"]
