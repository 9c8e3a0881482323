"""Indicator facts on real report sentences and genre variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.extract.document import Document, ReportMeta, Section
from pipelines.extract.indicators import extract_indicators
from pipelines.extract.quantities import extract_quantities
from pipelines.extract.sections import extract_sections

REPO = Path(__file__).resolve().parent.parent


def facts(text: str, year: int | None = 2023, sections: list[Section] | None = None,
          simplified: str | None = None) -> set[tuple]:
    doc = Document("t.txt", text, simplified or text)
    secs = sections or []
    found = extract_indicators(doc, ReportMeta(report_year=year), secs, extract_quantities(doc, secs))
    return {(f.indicator, f.measure, f.value, f.year) for f in found}


def test_respectively_enumeration() -> None:
    assert facts("全市科技型中小企业、高新技术企业分别同比增长31%、16%。") == {
        ("tech_smes", "growth_pct", 31, 2023), ("high_tech_enterprises", "growth_pct", 16, 2023)}


def test_respectively_after_two_levels() -> None:
    got = facts("全市技术合同登记份数达3023份,技术合同交易额达到290.92亿元,分别较去年同比增长70%、50%。")
    assert got == {("tech_contract_count", "level", 3023, 2023),
                   ("tech_contract_value", "level", 29092000000, 2023),
                   ("tech_contract_count", "growth_pct", 70, 2023),
                   ("tech_contract_value", "growth_pct", 50, 2023)}


def test_levels_listed_with_dunhao() -> None:
    assert facts("截至目前,全市共有高新技术企业9家、科技型中小企业33家。", 2022) == {
        ("high_tech_enterprises", "level", 9, 2022), ("tech_smes", "level", 33, 2022)}


def test_new_distributes_over_list_and_skips_other_firms() -> None:
    got = facts("科技型企业队伍不断壮大,新增科技型中小企业7227家、高新技术企业3200家、专精特新企业1565家。", 2025)
    assert got == {("tech_smes", "new", 7227, 2025), ("high_tech_enterprises", "new", 3200, 2025)}


def test_wan_scaling_and_approx() -> None:
    assert facts("高新技术企业超6.1万家,入选中国潜在独角兽企业195家。", 2025) == {
        ("high_tech_enterprises", "level", 61000, 2025)}
    doc = Document("t", "新增国家高新技术企业超3000家", "新增国家高新技术企业超3000家")
    (f,) = extract_indicators(doc, ReportMeta(report_year=2023), [], extract_quantities(doc, []))
    assert (f.measure, f.value, f.approx, f.rule) == ("new", 3000, "超", "direct")
    assert doc.text[f.char_start:f.char_end] == "超3000家"


def test_from_a_to_b_is_a_level_of_b() -> None:
    got = facts("国家级高新技术企业从0.94万家增加到1.55万家、科技型中小企业达到2.8万家,全社会研发投入年均增长超10%。",
                2025)
    assert got == {("high_tech_enterprises", "level", 15500, 2025), ("tech_smes", "level", 28000, 2025)}


def test_another_year_named_in_the_sentence() -> None:
    got = facts("2020年研发投入达6.48亿元,省对下转移支付研发后补助114万元,投入强度1.66%。", 2022)
    assert got == {("rd_expenditure", "level", 648000000, 2020), ("rd_intensity", "level", 1.66, 2020)}
    assert facts("截至2024年底,累计培育科技型企业67286家、高新技术企业8638家。", None) == {
        ("tech_enterprises", "level", 67286, 2024), ("high_tech_enterprises", "level", 8638, 2024)}


def test_year_unknown_stays_none() -> None:
    assert facts("全县高新技术企业数量达到86家。", None) == {("high_tech_enterprises", "level", 86, None)}


def test_activity_about_contract_registration_is_no_count() -> None:
    assert facts("持续开展执法检查,组织1次全市技术合同认定登记自查、2次技术合同认定登记业务培训。") == set()


@pytest.mark.parametrize("text", [
    "力争到2027年,全市高新技术企业达到1000家。",
    "计划新增高新技术企业50家。",
    "争取新认定高新技术企业100家。",
    "全社会研发投入年均增长10.5%。",
    "科技型中小企业数增长4.9倍、从全国第13位升至第5位。",
    "全市日均新增科技型企业超过320家。",
    "“十大技术攻关与成果转化项目”今年已完成投资3.29亿元、研发投入1.40亿元。",
    "全社会研发投入102.7亿元,其中科研机构研发投入增长26.1%。",
    "走访高新技术企业200家,服务科技型中小企业300余家。",
    "2021年度州级对高新技术企业、双创孵化器、技术中心兑现奖励资金55万元。",
    "全州首批10个科技特派员工作站挂牌成立。",
    "全面落实科技型企业“免申即享”后补助政策,向省内7000余家企业宣讲科技创新税收优惠政策。",
    "授信科技企业达到1755家。",
    "对4家再次认定高企兑现奖补资金,引进3家市外高新技术企业。",
    "新增国家科技型中小企业入库7家,省级科技型中小企业备案6家。",
])
def test_no_fact(text: str) -> None:
    got = facts(text)
    if "入库7家" in text:
        assert got == {("tech_smes", "new", 7, 2023)}  # the provincial register is left out
    elif "研发投入102.7亿元" in text:
        assert got == {("rd_expenditure", "level", 10270000000, 2023)}
    else:
        assert got == set()


def test_applications_are_not_recognitions() -> None:
    got = facts("2022年,组织申报省级院士专家工作站5个,申报高新技术企业10家(已认定4家)。", 2022)
    assert got == {("high_tech_enterprises", "new", 4, 2022)}


def test_figure_before_the_name() -> None:
    got = facts("梯次培育科技型中小企业、高新技术企业,对2022年获批的10家新认定高企、4家再次认定高企兑现奖补资金460万元;"
                "9家企业通过高企认证,引进3家市外高新技术企业。")
    assert got == {("high_tech_enterprises", "new", 10, 2022), ("high_tech_enterprises", "new", 9, 2023)}


def test_commissioners_and_permits() -> None:
    got = facts("年内新增科技特派员3人,其中“三区”科技人才1人。现登记入库省级科技特派员65个,其中“三区”科技人才11人。"
                "2023年完成外国人来华工作许可预审121项,推荐申报省人才项目1项。")
    assert got == {("tech_commissioners", "new", 3, 2023), ("tech_commissioners", "level", 65, 2023),
                   ("foreign_work_permits", "level", 121, 2023)}


def test_intensity_as_share_of_gdp_and_growth_continuation() -> None:
    assert facts("全社会研发经费支出相当于全市生产总值的比例达到4.5%左右。", 2025) == {
        ("rd_intensity", "level", 4.5, 2025)}
    assert facts("一大批科技成果加快转化和产业化,技术合同成交额达到6496.8亿元、增长24.9%。", 2025) == {
        ("tech_contract_value", "level", 649680000000, 2025), ("tech_contract_value", "growth_pct", 24.9, 2025)}
    assert facts("全年登记技术合同1523项,成交额45.6亿元。") == {
        ("tech_contract_count", "level", 1523, 2023), ("tech_contract_value", "level", 4560000000, 2023)}


@pytest.mark.parametrize(("text", "want"), [
    ("新认定高新技术企业235家,总数达到1102家。",
     {("high_tech_enterprises", "new", 235, 2023), ("high_tech_enterprises", "level", 1102, 2023)}),
    ("科技型中小企业评价入库2345家。", {("tech_smes", "new", 2345, 2023)}),
    ("全市R&D经费支出占GDP比重达2.5%。", {("rd_intensity", "level", 2.5, 2023)}),
    ("全社会研究与试验发展(R&D)经费投入达到320亿元。", {("rd_expenditure", "level", 32000000000, 2023)}),
    ("高新技术企业数量较上年增长20%。", {("high_tech_enterprises", "growth_pct", 20, 2023)}),
    ("全市高新技术企业数同比增长1.2倍。", {("high_tech_enterprises", "growth_pct", 120, 2023)}),
    ("研发经费投入强度提高0.2个百分点。", set()),
    ("办理外国人工作许可证件1200余件。", {("foreign_work_permits", "level", 1200, 2023)}),
])
def test_genre_variants(text: str, want: set) -> None:
    assert facts(text) == want


def test_traditional_script() -> None:
    text = "全市高新技術企業數量達到120家"
    assert facts(text, simplified="全市高新技术企业数量达到120家") == {("high_tech_enterprises", "level", 120, 2023)}


def test_coming_year_section_gives_no_fact() -> None:
    text = "一、2025年工作回顾\n高新技术企业达7.4万家。\n二、2026年工作安排\n新培育科技型中小企业3000家以上。\n"
    review = Section(1, 1, "一、", "2025年工作回顾", "", 0, text.index("二、"), None, "review")
    plan = Section(2, 1, "二、", "2026年工作安排", "", text.index("二、"), len(text), None, "next_steps")
    assert facts(text, 2025, [review, plan]) == {("high_tech_enterprises", "level", 74000, 2025)}


GOLD = json.loads((REPO / "eval" / "gold" / "seeds.json").read_text(encoding="utf-8"))["reports"]


@pytest.mark.parametrize("report", GOLD, ids=[r["source_file"] for r in GOLD])
def test_seed_reports_match_gold(report: dict) -> None:
    text = (REPO / "raw" / "seeds" / report["source_file"]).read_text(encoding="utf-8")
    doc = Document(report["source_file"], text, text)
    sections = extract_sections(doc)
    found = extract_indicators(doc, ReportMeta(report_year=report["report_year"]), sections,
                               extract_quantities(doc, sections))
    got = {(f.indicator, f.measure, float(f.value), f.year) for f in found}
    want = {(g["indicator"], g["measure"], float(g["value"]), g["year"]) for g in report["facts"]}
    ignored = {(g["indicator"], float(g["value"])) for g in report.get("ignore", [])}
    assert want <= got
    assert {g for g in got - want if (g[0], g[2]) not in ignored} == set()
    assert all(f.evidence and f.cue and f.rule for f in found)


@pytest.mark.parametrize(("text", "want"), [
    # a chain of continuations keeps the name of the first chunk
    ("高新技术企业净增56家,总数达到860家,增长15%。",
     {("high_tech_enterprises", "new", 56, 2023), ("high_tech_enterprises", "level", 860, 2023),
      ("high_tech_enterprises", "growth_pct", 15, 2023)}),
    # permits are applied for: 申请 is no exclusion there
    ("受理外国人来华工作许可申请356件。", {("foreign_work_permits", "level", 356, 2023)}),
    ("25家企业被认定为国家高新技术企业。", {("high_tech_enterprises", "new", 25, 2023)}),
    # beneficiaries, not the register
    ("全市120家高新技术企业享受研发费用加计扣除政策。", set()),
    # cumulative additions over a plan period
    ("“十四五”以来,累计新增高新技术企业800家。", set()),
    ("全市国家高新技术企业总数达到1560家,较上年增加236家。",
     {("high_tech_enterprises", "level", 1560, 2023), ("high_tech_enterprises", "new", 236, 2023)}),
    ("高新技术企业总数达到320家,其中新增58家。",
     {("high_tech_enterprises", "level", 320, 2023), ("high_tech_enterprises", "new", 58, 2023)}),
    ("高新技术企业数量、科技型中小企业数量分别增长25%和30%。",
     {("high_tech_enterprises", "growth_pct", 25, 2023), ("tech_smes", "growth_pct", 30, 2023)}),
    ("技术合同成交额达125.6亿元,是上年的1.5倍。", {("tech_contract_value", "level", 12560000000, 2023)}),
    ("全市规上工业企业研发投入增长15%。", set()),
    ("科技特派员队伍达到500人。", {("tech_commissioners", "level", 500, 2023)}),
    ("高新技术企业和科技型中小企业分别达到500家和1200家。",
     {("high_tech_enterprises", "level", 500, 2023), ("tech_smes", "level", 1200, 2023)}),
    ("全市分别新增高新技术企业20家、科技型中小企业30家。",
     {("high_tech_enterprises", "new", 20, 2023), ("tech_smes", "new", 30, 2023)}),
    ("城乡居民人均可支配收入分别为56366元、34279元,分别增长8%、9.3%。", set()),
    ("支持高新技术企业发展,新增1200家。", set()),
    ("走访高新技术企业、科技型中小企业分别达到200家、300家。", set()),
    ("走访高新技术企业200家、科技型中小企业300家。", set()),
])
def test_more_genre_variants(text: str, want: set) -> None:
    assert facts(text) == want


def test_plan_zone_from_headings_when_sections_are_missing() -> None:
    text = ("一、2025年工作回顾\n预计高新技术企业达7.4万家。\n二、“十五五”时期的主要目标任务\n"
            "全社会研发投入强度3.42%左右。\n三、2026年重点工作\n新培育科技型中小企业3000家以上。\n")
    assert facts(text, 2025) == {("high_tech_enterprises", "level", 74000, 2025)}


def test_region_name_before_the_indicator() -> None:
    text = "蒙自市高新技术企业达到9家。澧县高新技术企业达到5家。云南省科技型中小企业达到1200家。"
    doc = Document("t", text, text)
    found = extract_indicators(doc, ReportMeta(report_year=2022, region="蒙自市", province="云南省"), [],
                               extract_quantities(doc, []))
    assert [(f.indicator, f.value) for f in found] == [("high_tech_enterprises", 9)]


def test_provincial_register_alone_is_the_register() -> None:
    assert facts("累计培育省科技型中小企业262家,同比增长15.4%。") == {
        ("tech_smes", "level", 262, 2023), ("tech_smes", "growth_pct", 15.4, 2023)}
    assert facts("技术市场实现交易额9368万元,同比增长31.2%。") == {
        ("tech_contract_value", "level", 93680000, 2023), ("tech_contract_value", "growth_pct", 31.2, 2023)}
    assert facts("今年以来已组织推荐高新技术企业共三批、7家,获市级推荐6家。") == set()


@pytest.mark.parametrize(("text", "want"), [
    ("全年共办理外国人来华工作许可业务426件,其中新办218件。", {("foreign_work_permits", "level", 426, 2023)}),
    ("发放外国人工作许可证86张。", {("foreign_work_permits", "level", 86, 2023)}),
    ("组织开展高新技术企业认定工作,新认定高新技术企业45家,复审通过30家。",
     {("high_tech_enterprises", "new", 45, 2023)}),
    ("高新技术企业培育入库企业52家。", set()),
    ("技术合同认定登记1200份,合同金额35亿元。",
     {("tech_contract_count", "level", 1200, 2023), ("tech_contract_value", "level", 3500000000, 2023)}),
    # another indicator's name is no sub-unit of the region
    ("全市高新技术企业达500家、全社会研发投入达50亿元。",
     {("high_tech_enterprises", "level", 500, 2023), ("rd_expenditure", "level", 5000000000, 2023)}),
    ("规上工业企业R&D经费支出增长15%。", set()),
    ("全县高新技术企业数量仅为30家,与先进地区差距较大。", {("high_tech_enterprises", "level", 30, 2023)}),
    ("孵化器、众创空间分别达到12家、30家。", {("incubators", "level", 12, 2023)}),
    ("新认定的高新技术企业给予30万元奖励,高新技术企业认定通过率达85%。", set()),
    ("《高新技术企业认定管理办法》12条措施全面落实。", set()),
    ("高新技术企业:新增56家。", {("high_tech_enterprises", "new", 56, 2023)}),
])
def test_report_wordings(text: str, want: set) -> None:
    assert facts(text) == want


def test_year_in_a_title_is_not_the_figures_year() -> None:
    assert facts("落实《2022年科技工作要点》,全市高新技术企业达到500家。", 2023) == {
        ("high_tech_enterprises", "level", 500, 2023)}
    assert facts("与2022年相比,高新技术企业数量增长20%。", 2023) == {
        ("high_tech_enterprises", "growth_pct", 20, 2023)}


# ---- wordings nobody wrote a rule for: classes of the genre, each with made-up variants
@pytest.mark.parametrize(("text", "want"), [
    # the ratio to GDP in its written forms
    ("全社会研发经费投入占比达到2.71%。", {("rd_intensity", "level", 2.71, 2023)}),
    ("全社会研发投入占GDP比重升至3.1%。", {("rd_intensity", "level", 3.1, 2023)}),
    ("研究与试验发展经费支出与国内生产总值之比超过2.5%。", {("rd_intensity", "level", 2.5, 2023)}),
    ("全社会研发投入96.2亿元、增长9.1%,占地区生产总值比重提升至2.4%。", {
        ("rd_expenditure", "level", 9.62e9, 2023), ("rd_expenditure", "growth_pct", 9.1, 2023),
        ("rd_intensity", "level", 2.4, 2023)}),
    # verbs leading to the figure, measure nouns after it
    ("高新技术企业发展到612家,高企个数超过700家。", {("high_tech_enterprises", "level", 612, 2023),
                                              ("high_tech_enterprises", "level", 700, 2023)}),
    ("新增国家高新技术企业215家,总量1.2万家。", {("high_tech_enterprises", "new", 215, 2023),
                                            ("high_tech_enterprises", "level", 12000, 2023)}),
    ("备案科技型中小企业31家、增长12%,保有量达96家。", {
        ("tech_smes", "new", 31, 2023), ("tech_smes", "growth_pct", 12, 2023), ("tech_smes", "level", 96, 2023)}),
    # a figure list: the second figure's unit says which indicator
    ("技术合同交易完成512项、12.4亿元。", {("tech_contract_count", "level", 512, 2023),
                                     ("tech_contract_value", "level", 1.24e9, 2023)}),
    # a year's flow (money, registrations) is its level, even where the sentence says 新增
    ("新增技术合同登记980项、成交额突破45亿元。", {("tech_contract_count", "level", 980, 2023),
                                            ("tech_contract_value", "level", 4.5e9, 2023)}),
    # from-to with years: each figure is its year's level; without a year, only the end
    ("研发经费支出占生产总值的比重由2018年的1.9%提高到2022年的2.3%。", {
        ("rd_intensity", "level", 1.9, 2018), ("rd_intensity", "level", 2.3, 2022)}),
    # the year a longer sentence opens with; a plan period's last year
    ("2021年,全社会研发经费投入12.3亿元;全社会研发投入强度1.8%。", {
        ("rd_expenditure", "level", 1.23e9, 2021), ("rd_intensity", "level", 1.8, 2021)}),
    ("“十三五”时期,全市研发投入强度达到2.2%。", {("rd_intensity", "level", 2.2, 2020)}),
])
def test_unlisted_wordings_of_the_genre(text, want) -> None:
    assert facts(text) == want


@pytest.mark.parametrize("text", [
    "走访服务高新技术企业85家。",            # something done to the firms
    "高新技术企业产值增长15%。",              # a property of the firms, not their number
    "高新技术企业培育入库企业52家。",          # another noun: the pool
    "澧县高新技术企业达到5家。",               # another place's figure
    "国家级高新技术企业从0.94万家增加到1.55万家。" and "从0.94万家",
])
def test_unknown_words_that_make_it_no_fact(text) -> None:
    assert not {f for f in facts(text) if f[2] in (85, 15, 52, 5, 9400)}


def test_every_weighed_figure_is_a_candidate_with_its_reason() -> None:
    from pipelines.extract.indicators import indicator_candidates

    text = "新增高新技术企业120家,力争高新技术企业达到300家。走访高新技术企业85家。"
    doc = Document("t.txt", text, text)
    cands = indicator_candidates(doc, ReportMeta(report_year=2023), [], extract_quantities(doc, []))
    by_value = {c.value: c for c in cands}
    assert by_value[120].accepted and by_value[120].reason is None and by_value[120].score == 1
    assert not by_value[300].accepted and by_value[300].reason.startswith("a target or plan")
    assert not by_value[85].accepted and "走访" in by_value[85].reason
    assert [f.value for f in extract_indicators(doc, ReportMeta(report_year=2023), [],
                                                extract_quantities(doc, []))] == [120]


@pytest.mark.parametrize(("text", "want"), [
    # 均: the figure is each listed name's
    ("国家高新技术企业、国家科技型中小企业均突破1.3万家。", {("high_tech_enterprises", "level", 13000, 2023),
                                                ("tech_smes", "level", 13000, 2023)}),
    ("高新技术企业和科技型中小企业均超过500家。", {("high_tech_enterprises", "level", 500, 2023),
                                          ("tech_smes", "level", 500, 2023)}),
    # what the items share, said after them, is what the figures count
    ("高新技术企业、科技型中小企业贷款分别增长21.3%、30.5%。", set()),
    ("专利申请量和授权量比上年分别增长7.7%和39%。", set()),
    # a figure that continues one of another thing (the loans), not the firms
    ("科技型企业贷款余额突破6200亿元,增长18%以上。", set()),
    # 从YYYY年的: that year's level
    ("高新技术企业、专精特新企业分别从2018年的5120家、1365家增长到8000家、3000家。",
     {("high_tech_enterprises", "level", 5120, 2018), ("high_tech_enterprises", "level", 8000, 2023)}),
    # a ranking said in passing does not end the run of figures
    ("科技型企业增长率达到55%、居全省之首,总量达到4280家。", {("tech_enterprises", "growth_pct", 55, 2023),
                                                 ("tech_enterprises", "level", 4280, 2023)}),
    # firms registered in a park are the park's
    ("科创园开园,注册科技型企业900余家。", set()),
])
def test_lists_shared_words_and_passing_remarks(text, want) -> None:
    assert facts(text) == want


def test_the_indicator_dictionary_is_the_one_owner() -> None:
    """dim_indicator comes from the cue dictionary; every key of the dictionary is read by the code."""
    import re as _re

    from pipelines.extract.dictionaries import load_toml
    from pipelines.extract.indicators import indicator_dimension

    data = load_toml("indicator_cues.toml")
    names = {i["name"] for i in data["indicator"] if "|" not in i["name"]}
    dims = {d["indicator"]: d for d in indicator_dimension()}
    assert set(dims) == names and len(names) == 10
    assert dims["tech_contract_value"]["unit"] == "yuan" and dims["tech_contract_value"]["display_per"] == 1e8
    assert dims["rd_intensity"]["kind"] == "ratio" and dims["high_tech_enterprises"]["unit"] == "家"
    source = (REPO / "pipelines" / "extract" / "indicators.py").read_text(encoding="utf-8")
    keys = {k for i in data["indicator"] for k in i} | {k for sec in ("context", "measure", "exclude", "score")
                                                        for k in data[sec]} | {"context", "measure", "exclude"}
    unread = {k for k in keys if not _re.search(rf"[\"']{k}[\"']", source)}
    assert unread == set()


def test_a_candidate_is_one_row_for_the_warehouse_and_the_evaluator() -> None:
    """rows.candidate_row fills every column of indicator_candidates the extractor knows (the
    report's key, the number and the build apart), the features as (feature, value) structs."""
    from pipelines.extract.indicators import indicator_candidates
    from pipelines.rows import candidate_row
    from pipelines.tables import SCHEMAS, frame

    text = "新增高新技术企业120家,走访高新技术企业85家。"
    doc = Document("t.txt", text, text)
    rows = [candidate_row(c) for c in indicator_candidates(doc, ReportMeta(report_year=2023), [],
                                                          extract_quantities(doc, []))]
    assert "fact" not in rows[0]
    assert set(SCHEMAS["indicator_candidates"]) - set(rows[0]) == {"report_id", "candidate_no"}
    stored = frame("indicator_candidates", [{"report_id": "r", "candidate_no": n, **r} for n, r in enumerate(rows, 1)])
    got = {r["value"]: r for r in stored.to_dicts()}
    assert got[120]["accepted"] and got[120]["reason"] is None and got[120]["features"] == []
    assert not got[85]["accepted"] and "走访" in got[85]["reason"]
    assert got[85]["features"] == [{"feature": "pre_unknown", "value": 2.0}]  # 走访: two unknown characters


def _with_sections(text: str, year: int) -> tuple[set[tuple], dict[float, str | None]]:
    """Facts of a work-report excerpt read with its own section tree, and each figure's reason."""
    from pipelines.extract.indicators import indicator_candidates

    doc = Document("t.txt", text, text)
    secs = extract_sections(doc)
    cands = indicator_candidates(doc, ReportMeta(report_year=year), secs, extract_quantities(doc, secs))
    return ({(c.fact.indicator, c.fact.measure, c.fact.value, c.fact.year) for c in cands if c.fact},
            {c.value: c.reason for c in cands})


def test_a_plan_period_review_counts_no_year_additions() -> None:
    # 定兴县 2021 (reviews 2020 and “十三五”): the five years' additions, then the year's own
    text = ("一、2020年和“十三五”工作回顾\n"
            "“十三五”时期，是定兴在高质量发展、跨越式前进道路上砥砺前行的五年。\n"
            "坚定不移优化产业结构，发展方式加快转变。三次产业结构由20.8：36.7：42.5调整优化为17.7：33.4：48.9。"
            "新增17家高新技术企业，科技型中小企业达到285家。\n"
            "各位代表，刚刚过去的2020年，是定兴发展史上极不平凡、极具挑战的一年，也是砥砺奋进、成效显著的一年。\n"
            "这一年，我们聚焦项目，精准招商，积聚了高质量发展新动能。新增6家高新技术企业，"
            "2家公司成功认定国家科技型中小企业，3家企业被认定为省、市“专精特新”企业。\n"
            "二、“十四五”时期主要目标任务\n力争到2025年，高新技术企业数量达到30家。\n")
    got, why = _with_sections(text, 2020)
    # the end-of-period stock is the report year's; the five-year addition is no year's
    assert got == {("tech_smes", "level", 285, 2020), ("high_tech_enterprises", "new", 6, 2020),
                   ("tech_smes", "new", 2, 2020)}
    assert why[17].startswith("a change over several years")


@pytest.mark.parametrize("text", [
    # 易县 2021: the review headed by the plan period alone
    "一、“十三五”时期经济社会发展回顾\n过去的五年是综合实力大幅提高的五年。全县规模以上工业企业达到31家。"
    "新增高新技术企业9家、科技型中小企业190家，主导产业的质量和效益进一步提高。\n二、“十四五”时期的主要目标任务\n",
    # 清苑区 2021: a paragraph opening with ——五年来
    "一、“十三五”时期经济社会发展回顾\n——五年来，我们加快转型升级，动能转换迈出新步伐。"
    "新增科技型中小企业543家、高新技术企业54家、“专精特新”企业11家，建成各类创新平台12家。\n",
], ids=["yixian_2021", "qingyuan_2021"])
def test_five_year_additions_are_no_fact(text: str) -> None:
    got, _ = _with_sections(text, 2020)
    assert not {f for f in got if f[1] != "level"}


def test_levels_at_the_end_of_a_plan_period_are_the_report_years() -> None:
    # 保定市 2021
    text = ("一、“十三五”时期经济社会发展回顾\n"
            "中科院、中科协、中关村等创新资源汇聚保定，高新技术企业达到1100家，科技型中小企业近10000家，"
            "研究与试验发展经费投入强度2.1%，稳居全省前列。\n二、2021年工作安排\n新增高新技术企业150家。\n")
    got, _ = _with_sections(text, 2020)
    assert got == {("high_tech_enterprises", "level", 1100, 2020), ("tech_smes", "level", 10000, 2020),
                   ("rd_intensity", "level", 2.1, 2020)}


def test_a_term_review_then_the_coming_year_without_its_heading() -> None:
    # 高唐县 2022: a term's review, then the year's work under a heading the tree does not read
    text = ("各位代表：\n过去五年工作回顾\n"
            "五年来，我们转型升级、创新突破，制造业强县步伐坚实\n"
            "累计完成技改投资25亿元。认定科技型中小企业46家、高新技术企业28家、省级技术创新示范企业2家。\n"
            "今年政府工作重点\n"
            "2022年是党的二十大召开之年，是全市奋力开创高质量发展新局面的关键之年，是高唐“加速崛起、再塑辉煌”的"
            "攻坚之年，也是新一届县政府的开局之年，做好今年的工作意义重大。\n"
            "一、聚焦产业兴县，坚定不移培育壮大优强企业\n"
            "（三）促进创新发展。加快创新型企业梯次培育，认定科技型中小企业50家、高新技术企业15家以上。\n")
    got, why = _with_sections(text, 2021)
    assert got == set()
    assert why[46].startswith("a change over several years") and why[50] == "in a section of plans or goals"


def test_a_year_inside_a_plan_period_does_not_end_it() -> None:
    # 2018年以来 / 2019年, inside a “十三五” review: still the five years' figures, not 2020's
    text = ("一、“十三五”时期经济社会发展回顾\n"
            "“十三五”时期，我们坚持创新驱动，发展动能持续增强。\n"
            "2018年以来，新增高新技术企业32家。\n"
            "2019年，认定科技型中小企业120家。\n"
            "刚刚过去的2020年，新增高新技术企业6家。\n")
    got, why = _with_sections(text, 2020)
    assert got == {("high_tech_enterprises", "new", 6, 2020)}
    assert why[32].startswith("a change over several years")


def test_a_date_of_the_coming_year_in_a_review_is_no_plan() -> None:
    # a report delivered in January names the month it is given in: 2022年1月 opens no plan
    text = ("一、2021年工作回顾\n"
            "2022年1月，我市获批国家创新型城市。\n"
            "一年来，科技型中小企业达到300家，新增高新技术企业8家。\n")
    got, _ = _with_sections(text, 2021)
    assert got == {("tech_smes", "level", 300, 2021), ("high_tech_enterprises", "new", 8, 2021)}
