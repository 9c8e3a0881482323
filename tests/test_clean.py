"""Text repair in clean: the damage PDF/Word exports and mirror sites leave, on real pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.extract.clean import clean_text

RAW = Path(__file__).resolve().parent.parent / "raw"


def _record(batch: str, rid: str) -> str:
    for line in (RAW / batch).read_text(encoding="utf-8").split("\n"):
        if line.strip() and (obj := json.loads(line))["id"] == rid:
            return obj["text"]
    raise KeyError(rid)


def _spans_hold(raw: str) -> None:
    """Every clean character maps back to the same character of the raw text."""
    c = clean_text(raw)
    assert len(c.offsets) == len(c.text) + 1
    for i, ch in enumerate(c.text):
        if ch not in "\n ,;:%()":  # full-width forms become half-width, CRLF becomes LF
            assert raw[c.offsets[i]] == ch, (i, ch, raw[c.offsets[i]])


def test_pdf_export_of_a_work_report_reads_as_paragraphs():
    # a city's work report exported from PDF: lines wrapped at ~26 characters mid-sentence,
    # blanks around numbers, units, punctuation and between single characters
    raw = _record("corpus2/pages.jsonl", "qaa6751a6")
    assert "重大产品创新项\n目35 个" in raw and "规 模 工 业" in raw
    text = clean_text(raw).text
    assert "重大产品创新项目35个" in text
    assert "规模工业增加值增长8.2%" in text
    assert "全市园区新增基础设施投资106亿元" in text
    assert "——2020年1月5日在永州市第五届人民代表大会第五次会议上" in text
    # headings and short lines keep their own line; the heading tree needs them
    assert "\n一、2019年工作回顾\n" in text
    assert "\n(一)经济发展稳中提质。" in text
    _spans_hold(raw)


@pytest.mark.parametrize(("raw", "want"), [
    ("分 别 为 823.57 亿 元", "分别为823.57亿元"),
    ("高新技术企业 6588 家 、 6403 家", "高新技术企业6588家、6403家"),
    ("增长 7.5% , 规 模 工 业 增加 值 增 长 8.2%", "增长7.5%,规模工业增加值增长8.2%"),
    ("出台政府规章 8 部、规范性文件 42 件", "出台政府规章8部、规范性文件42件"),  # 部: a unit of quantities
    ("截至 2023 年 底,培育 30 余家", "截至2023年底,培育30余家"),  # a date part; an approximation word
])
def test_blanks_inside_chinese_text_go(raw, want):
    assert clean_text(raw).text == want
    _spans_hold(raw)


def test_a_blank_before_any_unit_of_the_quantity_dictionary_goes():
    """The units clean joins to their number are the quantity dictionary's: a unit added there is
    joined here too."""
    from pipelines.extract.dictionaries import load_toml

    for unit in load_toml("quantity_units.toml")["units"]:
        assert clean_text(f"全市达到 12 {unit}。").text == f"全市达到12{unit}。", unit


@pytest.mark.parametrize("raw", [
    "来源:常德市科技局 发布时间:2023-01-05 10:30",  # fields of a metadata line
    "代市长 朱洪武",  # title and name
    "Ministry of Justice, the 2023 annual report",  # Latin words
    "。 一、总体情况 1、主动公开情况",  # headings run into one line keep their separators
])
def test_meaningful_blanks_stay(raw):
    assert clean_text(raw).text == raw


def test_spam_and_page_number_lines_go_report_lines_stay():
    raw = ("四川省政府工作报告\n中文字幕在线中乱码,最新官网无码,在线看免费观看不用下载\n"
           "全年技术合同成交额突破1900亿元。\n— 3 —\n第 4 页 共 13 页\n欧美同学会海归小镇通过评审。")
    text = clean_text(raw).text
    assert text == "四川省政府工作报告\n全年技术合同成交额突破1900亿元。\n欧美同学会海归小镇通过评审。"
    _spans_hold(raw)


def test_paragraphs_of_ordinary_pages_are_not_joined():
    # a web page: one paragraph per line, of every length; none ends at a fixed width
    raw = sorted((RAW / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    assert clean_text(raw).text.count("\n") >= raw.count("\n") * 0.8


def test_debris_a_page_repeats_on_many_lines_goes():
    # a content farm's token glued to line ends; '??' where a lost encoding put the
    # ideographic spaces that indent paragraphs. Once alone it could be text: only where it recurs.
    raw = ("政府工作报告(2020年)XLC\n(2020年1月5日在福州市第十五届人民代表大会第四次会议上)XLC\n各位代表:XLC\n"
           "现在,我代表福州市人民政府XLC向大会报告工作。\n一、2019年工作回顾XLC\nGDP增长6%,建成5G基站1万个。")
    assert clean_text(raw).text == ("政府工作报告(2020年)\n(2020年1月5日在福州市第十五届人民代表大会第四次会议上)\n"
                                    "各位代表:\n现在,我代表福州市人民政府向大会报告工作。\n一、2019年工作回顾\n"
                                    "GDP增长6%,建成5G基站1万个。")
    _spans_hold(raw)
    indented = "自治区人民政府:\n??2020年,我州坚持依法行政。\n??一、2020年法治政府建设情况\n??(一)提高政治站位。"
    assert clean_text(indented).text == ("自治区人民政府:\n2020年,我州坚持依法行政。\n一、2020年法治政府建设情况\n"
                                         "(一)提高政治站位。")
    once = "研发投入增长8%XLC\n全年完成。"
    assert clean_text(once).text == once


@pytest.mark.parametrize("marker", ["二、", "二，", "（ 二 ）", "2.", "②", "一是", "十一是", "第二篇", "附件"])
def test_a_hard_wrapped_line_is_not_joined_to_a_heading_sections_knows(marker):
    """A line that opens with a heading marker of sections (its owner) stays a line of its own,
    so the heading tree finds it; the wrapped lines around it are joined."""
    wrapped = "全市坚持创新驱动发展战略持续深化科技体制改革推动"
    raw = "\n".join([wrapped] * 3 + [f"{marker}科技创新能力显著增强全面落实各项改革任务推动高质"] + [wrapped] * 3)
    text = clean_text(raw + "\n结束。").text
    line = next(x for x in text.split("\n") if "科技创新能力" in x)
    assert not line.startswith("全市") and text.count("\n") <= 3, text


def test_escaped_line_breaks_become_line_breaks():
    # a county work report saved with its line breaks as the characters \r\n: one line, so
    # no heading opened a line and the plan's figures (新增高新技术企业3家) read as facts
    from pipelines.extract.ingest import make_document
    from pipelines.extract.report import extract_document

    raw = (RAW / "series/shunping_gwr/2023.txt").read_text(encoding="utf-8")
    assert raw.count("\\r\\n") >= 40 and raw.count("\n") <= 1
    c = clean_text(raw)
    assert "\\r\\n" not in c.text and c.text.count("\n") >= 40
    assert all(raw[c.offsets[k]] == ch for k, ch in enumerate(c.text) if "\u4e00" <= ch <= "\u9fff")
    i = c.text.index("一、2022年工作回顾")
    assert raw[c.offsets[i]:c.offsets[i] + 2] == "一、"
    ex = extract_document(make_document("shunping_gwr/2023.txt", raw)[0], with_terms=False)
    tops = [s.heading for s in ex.sections if s.level == 1]
    assert tops[:2] == ["2022年工作回顾", "2023年工作安排"]
    # the 2023 plan's 新增高新技术企业3家、科技型中小企业50家 are targets, not 2022's facts
    assert not [f for f in ex.indicators if f.value in (3.0, 50.0)]


def test_escapes_become_breaks_only_where_they_are_breaks():
    # a page with real lines around an escaped body; a path inside the body stays a path
    raw = "首页\n通知公告\n" + r"各位代表:\r\n现在\r\n一、工作回顾\r\n文件存放在C:\new\report目录\r\n完"
    assert clean_text(raw).text == "首页\n通知公告\n各位代表:\n现在\n一、工作回顾\n文件存放在C:\\new\\report目录\n完"
    # once or twice on a line: the text's own backslashes
    assert clean_text(r"见 D:\r2\x 与 E:\n1\y").text == r"见 D:\r2\x 与 E:\n1\y"
