"""The section tree on real report text and on the genre's variants."""

from __future__ import annotations

import json
import re

import pytest
from conftest import GOLD, RAW

from pipelines.evaluate import _resolver, norm_text
from pipelines.extract.clean import to_simplified
from pipelines.extract.document import Document, Section
from pipelines.extract.ingest import load_documents
from pipelines.extract.sections import categorize, extract_sections


def doc(text: str, name: str = "t.txt") -> Document:
    return Document(source_file=name, text=text, simplified=to_simplified(text))


def tops(sections: list[Section]) -> list[str]:
    return [s.heading for s in sections if s.level == 1]


def check_spans(d: Document, sections: list[Section]) -> None:
    """Spans index the text, start at the marker, and children stay inside their parent."""
    by_pos = {s.position: s for s in sections}
    for i, s in enumerate(sections, 1):
        assert s.position == i
        assert d.text[s.char_start:].startswith(s.marker.split("\n")[0][:1])
        assert s.char_start < s.char_end <= len(d.text)
        if s.body:
            assert s.body in d.text[s.char_start:s.char_end]
        if s.parent_position is not None:
            p = by_pos[s.parent_position]
            assert p.level < s.level
            assert p.char_start <= s.char_start and s.char_end <= p.char_end


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    return {d.source_file: d for d in load_documents(RAW / "seeds")}


@pytest.fixture(scope="module")
def corpus() -> dict[str, Document]:
    return {d.source_file: d for d in load_documents(RAW / "corpus")}


def _gold(name: str) -> dict[str, dict]:
    return {g["source_file"]: g for g in json.loads((GOLD / name).read_text(encoding="utf-8"))["reports"]}


@pytest.mark.parametrize("gold_file, raw", [("seeds.json", "seeds"), ("corpus.json", "corpus")])
def test_top_sections_and_categories_match_gold(gold_file, raw, request):
    docs = request.getfixturevalue(raw)
    resolve = _resolver(docs)  # reports are named by their path in the raw folder
    for gold_name, g in _gold(gold_file).items():
        name = resolve(gold_name)
        secs = extract_sections(docs[name])
        check_spans(docs[name], secs)
        got = [s for s in secs if s.level == 1]
        assert [norm_text(s.heading) for s in got] == [norm_text(h) for h in g["top_sections"]], name
        for cat, pos in g.get("section_categories", {}).items():
            assert got[pos - 1].category == cat, (name, cat)


def test_seed_tree_levels_markers_and_bodies(seeds):
    d = seeds["001_079a50f2bd60e7c0.txt"]
    secs = extract_sections(d)
    first = secs[0]
    assert (first.level, first.marker, first.heading) == (1, "一、", "完成情况及取得成效")
    # （一）高度重视,强化法治组织领导。成立由… : the heading stops at the first 。
    sub = secs[1]
    assert (sub.level, sub.marker, sub.heading, sub.parent_position) == (2, "(一)", "高度重视,强化法治组织领导", 1)
    assert sub.body.startswith("成立由局长任组长")
    # inline 一是 inside （三）'s paragraph
    shi = [s for s in secs if s.marker == "一是" and s.parent_position == 4]
    assert shi and shi[0].heading == "坚持重大决策集体讨论决定" and shi[0].level == 3
    # the signature and date under the report belong to no section
    assert not secs[-1].body.endswith("2022年12月20日")
    assert "蒙自市科学技术局\n2022" not in d.text[secs[-1].char_start:secs[-1].char_end]


def test_arabic_items_directly_under_top_are_level_2(seeds):
    secs = extract_sections(seeds["004_7dd792b44b443a3f.txt"])
    items = [s for s in secs if s.parent_position == 1]
    assert [s.marker for s in items] == ["1.", "2.", "3."]
    assert {s.level for s in items} == {2}
    # "3. 优化营商环境" (a blank after the marker) is the same style
    assert any(s.heading == "优化营商环境" for s in secs)


def test_marker_styles_of_the_genre():
    text = ("某某局2023年法治政府建设情况报告\n"
            "2023年,我局坚持依法行政。现将有关情况报告如下:\n"
            "一. 主要举措和成效\n（一）强化组织领导\n1、健全制度。全年召开会议3次。\n2．完善机制。严格执行。\n"
            "(1)细化分工。按月调度。\n(2)压实责任。\n（二）深化学习\n"
            "二，存在的问题。\n一是学习不够深入。二是宣传形式单一。\n三、下一步工作计划\n")
    d = doc(text)
    secs = extract_sections(d)
    check_spans(d, secs)
    assert tops(secs) == ["主要举措和成效", "存在的问题", "下一步工作计划"]
    tree = [(s.level, s.marker, s.heading) for s in secs]
    assert tree[:6] == [(1, "一.", "主要举措和成效"), (2, "（一）", "强化组织领导"), (3, "1、", "健全制度"),
                        (3, "2．", "完善机制"), (4, "(1)", "细化分工"), (4, "(2)", "压实责任")]
    assert [(s.level, s.heading) for s in secs if s.marker in ("一是", "二是")] == [(2, "学习不够深入"),
                                                                                (2, "宣传形式单一")]
    assert [s.category for s in secs if s.level == 1] == ["achievements", "problems", "next_steps"]


def test_numbers_and_markers_inside_running_text_are_no_headings():
    text = ("一、主要成效\n"
            "全市R&D经费投入667亿元,投入强度达3.68%,新增企业分为三类:一、二类企业120家。\n"
            "2.5万人次参加培训,1.5亿元补助到位。\n"
            "《实施方案》明确:\n一、总体要求\n二、重点任务\n"
            "二、存在问题\n"
            "统一是基础,唯一是标准。\n")
    secs = extract_sections(doc(text))
    # the quoted 一、总体要求 restarts the count: it is not a top section
    assert tops(secs) == ["主要成效", "存在问题"]
    assert not any(s.marker.startswith(("2", "1")) for s in secs)
    assert not any(s.marker.endswith("是") for s in secs)


def test_heading_with_trailing_full_stop_and_body_on_its_line(seeds, corpus):
    secs = extract_sections(seeds["000_3b35ca370aa899d8.txt"])
    assert secs[[s.marker for s in secs].index("三、")].heading == "完善法治化管理体系不断推进全市科技创新情况"
    # 一、坚持以习近平法治思想为统领,…更加坚强有力。省委、省政府…
    top = extract_sections(corpus["page017"])[0]
    assert top.heading == "坚持以习近平法治思想为统领,党对法治政府建设的领导更加坚强有力"
    assert top.body.startswith("省委、省政府主要负责同志")


def test_truncated_page_keeps_the_cut_heading(corpus):
    d = corpus["page028"]  # ends "(三)积极推动民法典贯彻实施。一是将学习贯彻习"
    secs = extract_sections(d)
    assert secs[-1].marker == "一是" and secs[-1].heading == "将学习贯彻习"
    assert secs[-1].char_end == len(d.text)
    assert secs[-2].heading == "积极推动民法典贯彻实施" and secs[-2].level == 2


def test_traditional_headings_kept_as_written(corpus):
    secs = extract_sections(corpus["page012"])
    assert secs[0].heading.startswith("堅持旗幟領")
    assert secs[1].marker == "(一)" and "廳主要負責人" in secs[1].heading


def test_mojibake_subheadings_are_found(corpus):
    secs = extract_sections(corpus["page043"])  # "?。ㄒ唬┩七M…" is a garbled "（一）推進…"
    subs = [s for s in secs if s.level == 2]
    assert [s.marker for s in subs] == ["?。ㄒ唬", "?。ǘ", "?。ㄈ"]
    assert subs[0].heading == "推進政府機構職能優化協同高效"
    assert subs[2].heading == "深入推進簡政放權"


def test_fragment_opening_mid_report_has_no_top_level(corpus):
    for name in ("page044", "page045"):  # pages that start at （二） of a work report
        secs = extract_sections(corpus[name])
        assert secs and tops(secs) == []
        assert secs[0].level == 2 and secs[0].marker == "(二)"


def test_government_work_report_parts_and_enclosure(corpus):
    secs = extract_sections(corpus["full/full_b609b2c961.txt"])  # 附件1 十件民生实事, 附件2 名词解释
    top = [s for s in secs if s.level == 1]
    assert [s.heading for s in top] == ["2025年和“十四五”时期工作回顾", "“十五五”时期的主要目标和重点任务",
                                        "2026年工作安排"]
    assert [s.category for s in top] == ["review", "goals", "next_steps"]
    # the enclosure's 一、… hang under the last part instead of restarting the top level
    encl = [s for s in secs if s.marker == "一、" and s.level > 1]
    assert encl and encl[0].parent_position == top[-1].position
    # a frame category covers the sections below it, but not the enclosed documents
    own = [s for s in secs if s.parent_position == top[-1].position and s.char_start < encl[0].char_start]
    assert len(own) == 14 and {s.category for s in own} == {"next_steps"}
    assert next(s for s in secs if s.heading == "“四上”企业").category is None


def test_wrapped_marker_and_lone_marker_lines():
    text = ("一、工作回顾\n(一)经济运行稳中有进。\n内容。\n(\n二)改革开放持续深化。\n内容。\n"
            "二、\n2024年政府工作任务\n(一)扩大内需\n")
    secs = extract_sections(doc(text))
    assert [(s.level, s.heading) for s in secs] == [(1, "工作回顾"), (2, "经济运行稳中有进"),
                                                    (2, "改革开放持续深化"), (1, "2024年政府工作任务"),
                                                    (2, "扩大内需")]
    assert secs[3].category == "next_steps"


def test_title_dates_and_preamble_are_no_sections(seeds):
    d = seeds["002_5707841f7d9a56d3.txt"]  # title, issuer and date lines above the report
    secs = extract_sections(d)
    assert secs[0].marker == "一、"
    assert d.text.index("2021年12月23日") < secs[0].char_start


@pytest.mark.parametrize("heading, cat", [
    ("存在的问题", "problems"), ("存在问题及原因分析", "problems"),
    ("2024年推进法治建设工作存在的不足和原因", "problems"),
    ("下一步工作打算", "next_steps"), ("下一步努力方向", "next_steps"), ("行业特点及下一年度工作谋划", "next_steps"),
    ("2024年度推进法治政府建设的主要安排", "next_steps"), ("2026年重点工作", "next_steps"),
    ("2024年政府工作任务", "next_steps"), ("2026年主要任务", "next_steps"),
    ("全力以赴做好“十三五”开局工作", "next_steps"),  # 上海市 2016: the plan period's first year
    ("做好了“十四五”开局，经济运行稳中向好", None),  # a review's headline, not the coming year
    ("2023年工作回顾", "review"), ("“十五五”时期主要目标和重大任务", "goals"),
    ("2024年经济社会发展总体要求和政策取向", "goals"),
    ("2023年度推进法治政府建设的主要举措和成效", "achievements"), ("工作开展情况", "achievements"),
    ("主要负责人履行推进法治建设第一责任人职责情况", "leadership"),
    ("深入学习宣传贯彻习近平法治思想情况", "study"), ("构建科技工作法治轨道", None),
])
def test_categories(heading, cat):
    assert categorize(heading) == cat


def test_report_without_top_markers_uses_its_highest_level():
    text = ("某局报告\n(一)强化组织领导。成立领导小组。\n1.健全制度。\n(二)深化学习。学习宪法。\n"
            "(三)存在的问题\n部分干部学习不够。\n(四)下一步打算\n继续加强。")
    secs = extract_sections(doc(text))
    assert tops(secs) == ["强化组织领导", "深化学习", "存在的问题", "下一步打算"]
    assert [s.category for s in secs if s.level == 1][2:] == ["problems", "next_steps"]


def test_parts_indents_and_circled_numbers():
    secs = extract_sections(doc("政府工作报告\n第一部分 2023年工作回顾\n一、经济发展\n内容。\n"
                                "第二部分 2024年工作安排\n一、扩大内需\n内容。"))
    assert [(s.level, s.heading, s.category) for s in secs] == [
        (1, "2023年工作回顾", "review"), (2, "经济发展", "review"),
        (1, "2024年工作安排", "next_steps"), (2, "扩大内需", "next_steps")]
    ind = "\u3000\u3000"
    secs = extract_sections(doc(f"报告\n{ind}一 、主要成效\n{ind}1.健全制度。\n{ind}（1）细化分工。\n"
                                f"{ind}①按月调度。\n{ind}二 、 存在问题\n内容\n\n某某县科学技术局\n2024年1月5日"))
    assert [(s.level, s.marker, s.heading) for s in secs] == [
        (1, "一 、", "主要成效"), (2, "1.", "健全制度"), (3, "（1）", "细化分工"), (4, "①", "按月调度"),
        (1, "二 、", "存在问题")]
    assert secs[-1].body == "内容"  # the signature and date are cut off the last section


def test_numbered_preamble_hangs_below_the_missing_top():
    secs = extract_sections(doc("报告\n2023年主要做法:\n1.加强学习。\n2.完善制度。\n"
                                "一、主要成效\n内容。\n二、存在问题\n内容。"))
    assert tops(secs) == ["主要成效", "存在问题"]
    assert [(s.level, s.parent_position) for s in secs[:2]] == [(2, None), (2, None)]


def test_enumeration_alone_is_never_the_top_level():
    secs = extract_sections(doc("情况汇报\n今年以来,一是加强学习。二是完善制度。\n三是强化监督。"))
    assert secs and tops(secs) == [] and {s.level for s in secs} == {2}


def test_page_that_lost_its_line_breaks():
    text = ("某局2023年法治政府建设情况报告 现将有关情况报告如下:一、主要举措和成效(一)强化组织领导。成立领导小组。"
            "(二)深化学习。一是学习宪法。二是学习民法典。二、存在的问题。一是学习不够。三、下一步工作计划。继续加强学习。")
    secs = extract_sections(doc(text))
    assert tops(secs) == ["主要举措和成效", "存在的问题", "下一步工作计划"]
    assert [s.heading for s in secs if s.level == 2][:2] == ["强化组织领导", "深化学习"]


_VARIANTS = {
    "一.": lambda t: re.sub(r"(?m)^(\s*[一二三四五六七八九十]{1,3})、", r"\1.", t),
    "一，": lambda t: re.sub(r"(?m)^(\s*[一二三四五六七八九十]{1,3})、", r"\1，", t),
    "indent": lambda t: re.sub(r"(?m)^", "\u3000\u3000", t),
    "（一）": lambda t: t.replace("(", "（").replace(")", "）"),
    "blank lines": lambda t: t.replace("\n", "\n\n"),
    "lone marker": lambda t: re.sub(r"(?m)^([一二三四五六七八九十]{1,3}、)", r"\1\n", t),
    "signature": lambda t: t + "\n\n某某市科学技术局\n2024年3月1日\n",
    "line breaks turned blanks": lambda t: t.replace("\n", " "),
}


@pytest.mark.parametrize("variant", list(_VARIANTS))
def test_real_reports_written_in_other_house_styles(variant, seeds, corpus):
    """The gold's top sections survive the layout and punctuation variants of the genre."""
    gold = {**_gold("seeds.json"), **_gold("corpus.json")}
    for name, d in {**seeds, **corpus}.items():
        name = name.rsplit("/", 1)[-1]  # gold names the file; the warehouse its path in the raw folder
        secs = extract_sections(doc(_VARIANTS[variant](d.text)))
        got = [norm_text(s.heading) for s in secs if s.level == 1]
        assert got == [norm_text(h) for h in gold[name]["top_sections"]], (variant, name)


def test_pages_that_lost_their_line_breaks_keep_their_structure(seeds):
    gold = _gold("seeds.json")
    for name, d in seeds.items():
        got = tops(extract_sections(doc(d.text.replace("\n", ""))))
        want = gold[name]["top_sections"]
        # without line breaks a heading may run into its text, but the tree is the same
        assert len(got) == len(want), name
        assert all(norm_text(g).startswith(norm_text(w)) for g, w in zip(got, want, strict=True)), name


def test_table_of_contents_is_not_the_report():
    text = ("政府工作报告\n目录\n一、2023年工作回顾\n二、2024年工作任务\n各位代表:\n"
            "一、2023年工作回顾\n过去一年。\n二、2024年工作任务\n继续。")
    secs = extract_sections(doc(text))
    assert [(s.heading, s.body, s.category) for s in secs] == [
        ("2023年工作回顾", "过去一年。", "review"), ("2024年工作任务", "继续。", "next_steps")]


def test_html_page_with_list_items(tmp_path):
    """trafilatura writes <li> text as "- 1.健全制度": the bullet is no part of the marker."""
    (tmp_path / "r.html").write_text(
        "<html><head><title>某局2023年法治政府建设情况报告</title></head><body><article>"
        "<h1>某局2023年法治政府建设情况报告</h1><p>2023年，我局坚持依法行政。现将有关情况报告如下：</p>"
        "<h2>一、主要举措和成效</h2><p>（一）强化组织领导。成立领导小组，召开专题会议研究部署。</p>"
        "<ul><li>1.健全制度。完善各项制度规定。</li><li>2.完善机制。建立健全工作机制。</li></ul>"
        "<p><strong>二、存在的问题</strong></p><p>一是学习不够深入。二是宣传形式单一。</p>"
        "<p>三、下一步工作计划</p><p>继续加强学习，提升依法行政水平。</p></article></body></html>",
        encoding="utf-8")
    d = next(iter(load_documents(tmp_path)))
    secs = extract_sections(d)
    check_spans(d, secs)
    assert tops(secs) == ["主要举措和成效", "存在的问题", "下一步工作计划"]
    items = [s for s in secs if s.level == 3]
    assert [(s.marker, s.heading) for s in items] == [("1.", "健全制度"), ("2.", "完善机制")]
    assert all(d.text[s.char_start:].startswith(s.marker) for s in items)


def test_attachment_named_inside_the_report_does_not_end_it():
    text = ("一、主要成效\n内容。\n附件：2023年度考核指标完成情况表\n二、存在问题\n内容。\n三、下一步计划\n内容。\n"
            "附件1\n一、民生实事\n二、养老服务")
    secs = extract_sections(doc(text))
    assert tops(secs) == ["主要成效", "存在问题", "下一步计划"]
    assert [(s.level, s.heading, s.parent_position) for s in secs[3:]] == [(2, "民生实事", 3), (2, "养老服务", 3)]


def test_fragment_resumes_its_top_level():
    text = ("政府工作报告\n【上接第2版】\n(二)完善创新生态。\n内容。\n(三)扩大开放。\n内容。\n"
            "三、2025年重点工作\n(一)扩大内需\n内容")
    secs = extract_sections(doc(text))
    assert [(s.level, s.heading, s.category) for s in secs] == [
        (2, "完善创新生态", None), (2, "扩大开放", None), (1, "2025年重点工作", "next_steps"),
        (2, "扩大内需", "next_steps")]


def test_quoted_top_markers_in_a_report_built_on_parenthesised_numbers():
    text = ("报告\n(一)强化领导\n《方案》明确:\n一、总体要求\n二、主要任务\n(二)深化学习\n内容。\n"
            "(三)存在问题\n内容。\n附件\n一、指标表\n二、任务表")
    secs = extract_sections(doc(text))
    assert tops(secs) == ["强化领导", "深化学习", "存在问题"]
    assert [(s.level, s.heading) for s in secs[3:]] == [(2, "指标表"), (2, "任务表")]


def test_top_level_skips_a_lost_number_only_on_a_heading_line():
    secs = extract_sections(doc("一、主要成效\n内容。\n三、存在问题\n内容。\n"
                                "五、全年共完成科技项目验收12个,较去年增长20%,比年初计划多3个,"
                                "超额完成了市委市政府下达的年度任务目标。"))
    assert tops(secs) == ["主要成效", "存在问题"]


# --- the unnumbered part-title layer of work reports, contents lists (made-up variants) -----------

SPEECH_OPEN = "各位代表:\n现在,我代表市人民政府向大会报告工作,请予审议。\n"


@pytest.mark.parametrize("numbered_third", [False, True])
def test_part_titles_above_numbered_headings(numbered_third: bool) -> None:
    third = "三、全面加强政府自身建设" if numbered_third else "全面加强政府自身建设"
    text = (SPEECH_OPEN + "2025年工作回顾\n过去一年,全市经济稳中向好。\n一、坚持创新驱动,产业升级步伐加快\n新增企业。\n"
            "二、坚持改革开放,发展活力持续增强\n外贸增长。\n2026年工作安排\n今年是关键之年。\n"
            "一、聚焦科技创新,培育新质生产力\n加快建设。\n二、聚焦城乡融合,推动区域协调发展\n统筹推进。\n"
            f"{third}\n我们将坚持依法行政。\n")
    d = doc(text)
    secs = extract_sections(d)
    check_spans(d, secs)
    # a numbered 三、 continues part two's list; an unnumbered one is the third part
    assert tops(secs) == ["2025年工作回顾", "2026年工作安排"] + ([] if numbered_third else ["全面加强政府自身建设"])
    assert [s.category for s in secs if s.level == 1][:2] == ["review", "next_steps"]
    # the numbered headings restart under each part, one level down
    second = [("一、", 2), ("二、", 2)] + ([("三、", 2)] if numbered_third else [])
    assert [(s.marker, s.level) for s in secs if s.level == 2] == [("一、", 2), ("二、", 2), *second]


def test_part_titles_above_parenthesised_headings() -> None:
    text = (SPEECH_OPEN + "\u2003\u20032024年工作回顾\n（一）经济运行稳中向好。全年生产总值增长5%。\n"
            "（二）改革开放纵深推进。新增市场主体。\n2025年主要目标任务\n（一）稳增长。\n（二）促改革。\n")
    secs = extract_sections(doc(text))
    assert tops(secs) == ["2024年工作回顾", "2025年主要目标任务"]
    assert [s.level for s in secs if s.marker.startswith("（")] == [2, 2, 2, 2]


def test_one_part_title_of_a_page_beginning() -> None:
    text = (SPEECH_OPEN + "2024年工作回顾\n一、坚持稳中求进,经济运行回升向好。主动应对形势变化。\n"
            "二、坚持改革,活力增强。\n")
    secs = extract_sections(doc(text))
    assert tops(secs) == ["2024年工作回顾"]
    assert [s.heading for s in secs if s.level == 2] == ["坚持稳中求进,经济运行回升向好", "坚持改革,活力增强"]


def test_a_news_pages_subtitle_is_no_part_title() -> None:
    text = ("张三在县十九届人大一次会议上作的政府工作报告(摘登)\n过去五年工作回顾\n刊发日期:2022-01-30\n"
            "五年来,全县生产总值年均增长4%。\n五年来,我们坚持统筹协调。\n")
    assert tops(extract_sections(doc(text))) == []


@pytest.mark.parametrize(("heading", "want"), [
    ("一、2024年工作回顾2024年是极不平凡的一年,我们迎难而上", "2024年工作回顾"),
    ("一、过去一年的主要工作过去一年面对复杂局面我们深入贯彻新发展理念", "过去一年的主要工作"),
    ("一、2024年工作回顾与2025年工作安排", "2024年工作回顾与2025年工作安排"),
])
def test_a_heading_that_runs_on_ends_with_its_part_title(heading: str, want: str) -> None:
    text = SPEECH_OPEN + heading + "\n二、2025年工作安排\n"
    assert tops(extract_sections(doc(text)))[0] == want


def test_contents_list_with_page_numbers_numbers_no_part() -> None:
    text = ("2024年各市政府工作报告汇编\n目录\n1. 甲市政府工作报告 5\n2. 乙市政府工作报告 38\n3.\n丙市政府工作报告50\n"
            "甲市政府工作报告\n" + SPEECH_OPEN + "一、2024年工作回顾\n过去一年。\n二、2025年工作安排\n今年。\n")
    assert tops(extract_sections(doc(text))) == ["2024年工作回顾", "2025年工作安排"]


def test_a_top_heading_may_open_with_a_numeral_word() -> None:
    text = "一、十四五规划实施情况回顾\n五年来成效显著。\n二、十五届人民政府工作建议\n今后五年。\n"
    assert tops(extract_sections(doc(text))) == ["十四五规划实施情况回顾", "十五届人民政府工作建议"]
    # an inline list is still no heading
    assert tops(extract_sections(doc("一、二、三等奖各若干名。\n全年评选。\n"))) == []


def test_a_page_that_opens_at_its_second_part() -> None:
    text = "导航菜单\n同时,我们也清醒认识到,发展还面临困难和挑战。\n二、2025年重点工作\n2025年是关键之年。\n"
    assert tops(extract_sections(doc(text))) == ["2025年重点工作"]


def test_innermost_section_lookup() -> None:
    from pipelines.extract.sections import innermost_section

    d = doc("一、总体情况\n(一)主动公开\n公开100条。\n(二)依申请公开\n受理5件。\n二、存在问题\n不足。\n")
    secs = extract_sections(d)
    starts = [s.char_start for s in secs]
    assert innermost_section(secs, starts, d.text.index("100")) == 2
    assert innermost_section(secs, starts, d.text.index("5件")) == 3
    assert innermost_section(secs, starts, d.text.index("不足")) == 4
    assert innermost_section(secs, starts, 0) == 1


@pytest.mark.parametrize(("heading", "category"), [
    ("过去五年主要工作", "review"),  # a five-year review, though it ends like a plan's heading
    ("五年来主要工作", "review"),
    ("今后五年发展目标", "next_steps"),
    ("2017年重点工作任务", "next_steps"),
])
def test_five_year_reviews_are_reviews_not_plans(heading, category):
    from pipelines.extract.sections import categorize

    assert categorize(heading) == category
