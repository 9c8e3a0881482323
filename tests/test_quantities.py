"""Quantities on real report sentences: units, scaling, approximations, what is no quantity."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extract.document import Document, Section
from pipelines.extract.quantities import extract_quantities

SEEDS = Path(__file__).resolve().parent.parent / "raw" / "seeds"


def qs(text: str, sections: list[Section] | None = None):
    return extract_quantities(Document("t.txt", text, text), sections or [])


def one(text: str):
    found = qs(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("全市技术合同登记份数达3023份", 3023, "份"),
    ("技术合同交易额达到290.92亿元", 29092000000, "yuan"),
    ("国家级高新技术企业增加到1.55万家", 15500, "家"),
    ("知识价值信用贷款风险补偿资金池增加到3500万元", 35000000, "yuan"),
    ("全市科技型中小企业同比增长31%", 31, "percent"),
    ("市科技局党组召开中心组学习会议三十二次", 32, "次"),
    ("组织贺福初、印遇龙等200人次院士专家来常", 200, "人次"),
    ("高层次人才超2.5万人", 25000, "人"),
    ("技术合同成交额增长7.1倍", 7.1, "times"),
    ("研发投入强度提高0.2个百分点", 0.2, "pp"),
    ("百分之三十的企业", 30, "percent"),
    ("国内生产总值超过126万亿元", 1.26e14, "yuan"),
    ("兑现奖补资金300余万元", 3000000, "yuan"),
    ("走访企业一万多人次", 10000, "人次"),
    ("组织全员参加如法网学法普法考试,参加人数44人", 44, "人"),
    ("开展线上3场培训", 3, "场"),
    ("召开两次会议", 2, "次"),
])
def test_value_and_unit(text: str, value: float, unit: str) -> None:
    q = one(text)
    assert q.value == pytest.approx(value)
    assert q.unit == unit


@pytest.mark.parametrize(("text", "approx"), [
    ("牵头对接科研机构30余家", "余"),
    ("实地走访服务企业120多家次", "多"),
    ("新增国家高新技术企业超3000家", "超"),
    ("走访企业超过500家", "超"),
    ("新培育科技型中小企业3000家以上", "以上"),
    ("全社会研发投入强度达3.38%左右", "左右"),
    ("约200家企业", "约"),
    ("近300家", "近"),
    ("兑现奖补资金300余万元", "余"),
    ("争取资金1000多万元", "多"),
])
def test_approximations(text: str, approx: str) -> None:
    assert one(text).approx == approx


def test_ranges() -> None:
    q = one("每年新增3-5家")
    assert (q.value, q.value_high) == (3, 5)
    q = one("补助3万-5万元")
    assert (q.value, q.value_high) == (30000, 50000)
    q = one("培育三至五家")
    assert (q.value, q.value_high) == (3, 5)


@pytest.mark.parametrize("text", [
    "2023年,我局在市委市政府的坚强领导下",
    "根据《常德市科研诚信管理工作规程》(常科函〔2022〕25号)",
    "7月3日,市科技局与市教育局联合出台通知",
    "2023年3月29日",
    "落实《法治政府建设实施纲要(2021—2025年)》",
    "一是学习党的二十大精神",
    "落实“十四五”规划和“八五”普法规划",
    "赴长三角、珠三角等地",
    "履行法治建设第一责任人职责",
    "落实法治常德建设《一规划两纲要》要求",
    "增强“四个意识”、坚定“四个自信”、做到“两个维护”",
    "出台《蒙自市创新驱动高质量发展9条措施(试行)》",
    "依照第十五条规定",
    "完成一项重要任务",
    "数十家企业参加",
    "在温州市龙湾区第八届人民代表大会第三次会议上,较好地完成了区八届人大二次会议确定的各项工作任务",
    "认真落实市委六届二次全会精神",
])
def test_not_quantities(text: str) -> None:
    assert qs(text) == []


def test_sentence_span_and_section() -> None:
    text = "一、成效\n全市共有高新技术企业9家、科技型中小企业33家。二是其他;孵化器13家\n"
    sec = Section(position=1, level=1, marker="一、", heading="成效", body="", char_start=0,
                  char_end=len(text))
    sub = Section(position=2, level=2, marker="二是", heading="其他", body="", char_start=text.index("二是"),
                  char_end=len(text), parent_position=1)
    found = qs(text, [sec, sub])
    assert [q.value for q in found] == [9, 33, 13]
    assert found[0].sentence == "全市共有高新技术企业9家、科技型中小企业33家"
    assert text[found[0].char_start:found[0].char_end] == "9家"
    assert [q.section_position for q in found] == [1, 1, 2]
    assert found[2].sentence == "孵化器13家"
    assert [q.position for q in found] == [1, 2, 3]


def test_traditional_text_keeps_spans() -> None:
    text = "全省高新技術企業達到1.2萬家"
    simp = "全省高新技术企业达到1.2万家"
    found = extract_quantities(Document("t", text, simp), [])
    assert found[0].value == 12000
    assert found[0].number_text == "1.2萬家"


def test_real_seed_report() -> None:
    text = (SEEDS / "000_3b35ca370aa899d8.txt").read_text(encoding="utf-8")
    found = extract_quantities(Document("000.txt", text, text), [])
    by_text = {q.number_text: q for q in found}
    assert by_text["290.92亿元"].value == 29092000000
    assert by_text["13家"].unit == "家"
    assert "25号" not in by_text and all(q.unit not in ("年", "月", "日") for q in found)
