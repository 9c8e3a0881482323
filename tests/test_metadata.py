"""Report metadata on real report text and on variants of the genre."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.extract.clean import clean_text, to_simplified
from pipelines.extract.dates import find_dates
from pipelines.extract.document import Document
from pipelines.extract.ingest import load_documents
from pipelines.extract.metadata import extract_metadata

REPO = Path(__file__).resolve().parent.parent
FIELDS = ("doc_type", "region", "province", "admin_level", "report_year", "published_on", "signed_on")


def doc(raw: str, url: str | None = None, name: str = "t.txt") -> Document:
    text = clean_text(raw).text
    return Document(name, text, to_simplified(text), url=url)


OPENING = (
    "2022年,市科技局以习近平新时代中国特色社会主义思想为指导,深入学习贯彻党的二十大精神、习近平法治思想,"
    "坚持依法履行科技行政职能,为打造创新活力之城提供有力的法治保障。现将有关情况报告如下:\n"
    "一、推进法治政府建设的成效和主要举措\n依法履行工作职责,促进全市科技创新工作,充分发挥法治的支撑保障作用。\n"
)


def test_seed_reports_match_gold() -> None:
    gold = {g["source_file"]: g for g in json.loads((REPO / "eval/gold/seeds.json").read_text())["reports"]}
    docs = {d.source_file: d for d in load_documents(REPO / "raw/seeds")}
    for name, g in gold.items():
        m = extract_metadata(docs[name])
        for f in FIELDS:
            if f in g:
                assert getattr(m, f) == g[f], (name, f)


def test_title_issuer_region_dates_of_a_full_report() -> None:
    raw = (REPO / "raw/seeds/000_3b35ca370aa899d8.txt").read_text(encoding="utf-8")
    m = extract_metadata(doc(raw))
    assert m.issuer == "常德市科学技术局"
    assert (m.region, m.province, m.admin_level, m.adcode) == ("常德市", "湖南省", "prefecture", "430700000000")
    assert m.published_on == "2023-12-01"  # 来源:常德市科学技术局 2023-12-01 15:00
    assert m.signed_on == "2024-02-19"  # under the issuer's name at the end
    assert m.title == "2023年度常德市科学技术局法治政府建设情况工作报告"
    assert m.region_source == "title"


def test_region_from_gov_cn_host_when_the_text_has_none() -> None:
    m = extract_metadata(doc("市科技局2022年度法治政府建设情况报告\n" + OPENING, url="http://kjj.suzhou.gov.cn/a/b.shtml"))
    assert (m.doc_type, m.region, m.province, m.admin_level) == ("rule_of_law_report", "苏州市", "江苏省", "prefecture")
    assert m.issuer == "苏州市科学技术局"
    assert (m.region_source, m.report_year) == ("url", 2022)


def test_non_gov_domain_is_noise() -> None:
    m = extract_metadata(doc(OPENING, url="https://hangzhou-mirror.com/kj/art_1228972114.html"))
    assert m.region is None and m.issuer is None
    assert m.admin_level == "prefecture"  # 市科技局: the level is plain even without the name


def test_region_from_the_body() -> None:
    body = OPENING.replace("促进全市科技创新工作", "促进全市科技创新工作,聚焦法治杭州建设重点任务")
    m = extract_metadata(doc(body))
    assert (m.region, m.issuer, m.region_source) == ("杭州市", "杭州市科学技术局", "body")


def test_county_report_without_a_name_has_no_region_and_no_issuer() -> None:
    text = ("2024年,县科技局在县委、县政府的坚强领导下,坚持以习近平新时代中国特色社会主义思想为指导,"
            "深入学习贯彻习近平法治思想,为全县科技创新工作提供了坚实的法治保障。现将一年来的法治建设工作总结如下:\n"
            "一、工作进展情况\n(一)强化组织领导,推动法治建设工作全面落实。\n")
    m = extract_metadata(doc(text))
    assert (m.region, m.issuer, m.admin_level, m.report_year) == (None, None, "county", 2024)


def test_county_name_needs_its_province() -> None:
    # 鼓楼区 is a district of Nanjing, Xuzhou, Kaifeng and Fuzhou: the text's 福州 decides
    text = ("鼓楼区科技局2023年度法治政府建设情况报告\n"
            "2023年,区科技局在区委、区政府的正确领导下,认真落实福州市法治政府建设工作要点,"
            "扎实推进法治政府建设各项工作,现将开展情况报告如下:\n一、主要工作\n")
    m = extract_metadata(doc(text))
    assert (m.region, m.province, m.admin_level) == ("鼓楼区", "福建省", "county")
    assert m.issuer == "鼓楼区科学技术局"


def test_traditional_page() -> None:
    text = ("2022年,省科技廳堅持以習近平新時代中國特色社會主義思想為指導,深入學習貫徹習近平法治思想,"
            "穩步推動法治政府建設各項工作取得新進展。\n"
            "一、堅持旗幟領航,加強黨對法治建設的全面領導\n"
            "(一)結合學習《法治政府建設實施綱要(2021-2025年)》《廣東省法治建設實施綱要》,深刻領會。\n")
    m = extract_metadata(doc(text))
    assert m.language == "zh-Hant"
    assert (m.doc_type, m.region, m.admin_level, m.report_year) == ("rule_of_law_report", "广东省", "province", 2022)
    assert m.issuer == "广东省科学技术厅"


def test_page_without_a_year_has_no_report_year() -> None:
    text = ("市科技局法治政府建设情况报告\n"
            "在市委、市政府的正确领导下,市科技局坚持以习近平法治思想为指导,扎实推进法治政府建设,现将有关情况报告如下:\n"
            "一、主要举措和成效\n(一)强化组织领导。\n")
    assert extract_metadata(doc(text)).report_year is None


def test_metadata_table_dates() -> None:
    text = ("索引号: 11500106MB195966XM/2025-00009 信息分类名称: 其他/公文\n"
            "发布机构: 沙坪坝区科技局 生成日期: 2025-03-09 发布日期: 2025-03-10\n"
            "[ 成文日期 ] | 2025-03-08 |\n"
            "重庆市沙坪坝区科学技术局关于2024年法治政府建设情况的报告\n" + OPENING.replace("2022年,市", "2024年,区"))
    m = extract_metadata(doc(text))
    assert m.published_on == "2025-03-10"
    assert m.signed_on is None  # 成文日期/生成日期 is metadata, not a signature
    assert (m.region, m.province, m.report_year) == ("沙坪坝区", "重庆市", 2024)
    assert m.issuer == "重庆市沙坪坝区科学技术局"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("发布时间: 2021年12月20日 来源:龙岗区科技创新局", "2021-12-20"),
        ("文章来源:司法局 更新时间:2021/03/29 11:30:01", "2021-03-29"),
        ("来自: 日期:2025-03-24", "2025-03-24"),
        ("省政府办公厅 2022-03-15", "2022-03-15"),
    ],
)
def test_published_on_forms(line: str, iso: str) -> None:
    text = f"今天是:2019年10月31日 星期三\n{line}\n" + OPENING
    assert extract_metadata(doc(text)).published_on == iso


def test_label_and_date_on_separate_lines() -> None:
    text = "发布机构\n蒙自市科学技术局\n发布日期\n2023-03-29\n" + OPENING
    m = extract_metadata(doc(text))
    assert m.published_on == "2023-03-29"
    assert (m.region, m.admin_level) == ("蒙自市", "county")


def test_government_work_report() -> None:
    text = ("2019年政府工作报告\n发布日期:2019-03-01 16:12:20\n"
            "2019年2月26日在温州市龙湾区第八届\n\n人民代表大会第三次会议上\n龙湾区人民政府区长\n各位代表:\n"
            "现在,我代表区人民政府向大会作政府工作报告,请予审议。\n一、2018年工作回顾\n"
            "2018年是工作任务极其艰巨繁重的一年,区政府在市委、市政府和区委的正确领导下,较好地完成了各项工作任务。\n")
    m = extract_metadata(doc(text))
    assert m.doc_type == "government_work_report"
    assert (m.region, m.province, m.admin_level) == ("龙湾区", "浙江省", "county")
    assert m.issuer == "龙湾区人民政府"
    assert (m.report_year, m.signed_on, m.published_on) == (2018, "2019-02-26", "2019-03-01")


def test_national_government_work_report() -> None:
    text = ("现在,我代表国务院,向大会报告政府工作,请予审议,并请全国政协委员提出意见。\n一、2023年工作回顾\n"
            "国内生产总值超过126万亿元,增长5.2%。广东、江苏、浙江等经济大省发挥了挑大梁作用。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.issuer, m.report_year) == ("government_work_report", "国务院", 2023)
    assert (m.region, m.province, m.admin_level) == (None, None, None)


def test_whole_government_report() -> None:
    text = ("西安市2019年法治政府建设情况报告\n2019年,西安市委、市政府深入贯彻落实习近平总书记全面依法治国新理念,"
            "稳步推进法治政府建设。\n一、主要举措和成效\n")
    m = extract_metadata(doc(text))
    assert (m.issuer, m.region, m.report_year) == ("西安市人民政府", "西安市", 2019)


def test_news_about_a_report_is_other() -> None:
    text = ("市科技局召开2023年度法治政府建设工作推进会\n发布时间:2023-05-10\n"
            "5月9日,市科技局召开法治政府建设工作推进会,传达学习有关会议精神,部署下一阶段工作。\n")
    assert extract_metadata(doc(text)).doc_type == "other"


def test_garbled_or_tiny_pages_do_not_fail() -> None:
    for text in ("锟斤拷锟斤拷烫烫烫" * 20, "法治", "\n\n", "2023年"):
        m = extract_metadata(doc(text))
        assert m.doc_type in {"rule_of_law_report", "government_work_report", "other"}


@pytest.mark.parametrize(
    ("title", "issuer", "region"),
    [
        ("常德市市场监督管理局2023年度法治政府建设情况报告", "常德市市场监督管理局", "常德市"),
        ("杭州科技局2023年度法治政府建设情况报告", "杭州市科学技术局", "杭州市"),
        ("恩施土家族苗族自治州科学技术局2023年法治政府建设工作报告", "恩施土家族苗族自治州科学技术局",
         "恩施土家族苗族自治州"),
        ("广西壮族自治区科学技术厅2023年度法治政府建设情况报告", "广西壮族自治区科学技术厅", "广西壮族自治区"),
        ("重庆市梁平区科学技术局2020年法治政府建设情况的报告", "重庆市梁平区科学技术局", "梁平区"),
        ("深圳市龙岗区科技创新局2021年法治政府建设年度报告", "深圳市龙岗区科技创新局", "龙岗区"),
    ],
)
def test_issuer_names(title: str, issuer: str, region: str) -> None:
    m = extract_metadata(doc(f"{title}\n" + OPENING.replace("市科技局", "我局")))
    assert (m.issuer, m.region, m.report_year) == (issuer, region, 2023 if "2023" in title else m.report_year)


def test_development_zone_outside_the_gazetteer() -> None:
    text = ("[ 发布机构 ] | 重庆高新技术产业开发区管理委员会办公室 |\n[ 发布日期 ] | 2023-03-22 |\n"
            "2022年,西部科学城重庆高新区坚持以习近平新时代中国特色社会主义思想为指导,深学笃行习近平法治思想,"
            "切实推进法治政府建设工作。现将有关情况报告如下:\n一、工作开展情况\n")
    m = extract_metadata(doc(text))
    assert (m.region, m.province, m.admin_level) == ("重庆高新区", "重庆市", None)
    assert m.issuer == "重庆高新技术产业开发区管理委员会"  # the office publishes for its committee
    assert (m.published_on, m.report_year) == ("2023-03-22", 2022)


def test_zone_merely_mentioned_is_not_the_area() -> None:
    text = ("苏州市科技局2024年度法治政府建设情况报告\n"
            "2024年,在市委市政府领导下,市科技局以习近平新时代中国特色社会主义思想为指导,支持苏州工业园区建设,"
            "较好地完成了年度法治政府建设工作各项任务。\n一、主要负责人履行推进法治政府建设第一责任人职责情况\n")
    m = extract_metadata(doc(text))
    assert (m.region, m.issuer) == ("苏州市", "苏州市科学技术局")


def test_title_in_a_metadata_table_cell() -> None:
    text = ("索 引 号: | 11140522K03478216C405/2021-00259 | 主题分类: | |\n"
            "发布机构: | 县科学技术局 | 成文日期: | |\n"
            "标 题: | 阳城县科学技术局2020年度法治政府建设报告 | ||\n"
            "发文字号: | 发布日期: | 2021年01月04日 |\n"
            "2020年,县科技局坚持以习近平新时代中国特色社会主义思想为指导,按照《2020年法治阳城建设工作要点》"
            "开展各项法治政府建设工作。现将我局2020年法治政府建设工作总结如下。\n一、主要举措和成效\n")
    m = extract_metadata(doc(text))
    assert m.title == "阳城县科学技术局2020年度法治政府建设报告"
    assert (m.region, m.province, m.admin_level, m.issuer) == ("阳城县", "山西省", "county", "阳城县科学技术局")
    assert (m.published_on, m.signed_on, m.report_year) == ("2021-01-04", None, 2020)


def test_news_item_about_rule_of_law_is_other() -> None:
    text = ("当前位置: > 工作动态 >\n市科技局“一把手”谈科技创新助法治示范创建\n2021-08-24 08:48\n"
            "2021年8月23日,市科技局党组书记、局长就全国法治政府建设示范市创建工作接受市电视台专访。\n"
            "他说:市科技局紧紧围绕市委、市政府关于法治政府建设示范市创建工作要求,坚持以建设法治政府为核心。\n"
            "下一步,市科技局将继续严格贯彻执行市委、市政府关于法治政府建设示范市创建的各项工作部署。\n"
            "上一篇:市科技局多措并举维护公平竞争\n")
    m = extract_metadata(doc(text))
    assert m.doc_type == "other"
    assert m.report_year is None


def test_disclosure_report_is_other_but_keeps_its_signature() -> None:
    text = ("县科技局2018年政府信息公开工作年度报告\n发布时间:2020-06-22\n"
            "今年以来,我局结合自身实际,认真贯彻落实工作机制,整理发布政府信息,稳步有序地推进各项工作。现汇报如下:\n"
            "1、政府信息公开工作基本概况。\n平阳县科学技术局\n\n2019年1月2日")
    m = extract_metadata(doc(text))
    assert m.doc_type == "other"
    assert (m.issuer, m.region, m.signed_on, m.published_on) == (
        "平阳县科学技术局", "平阳县", "2019-01-02", "2020-06-22")


def test_county_government_work_report() -> None:
    text = ("政府工作报告\n2019年3月2日在浮山县第十六届人民代表大会第四次会议上\n栗 俊 昌\n各位代表:\n"
            "现在,我代表县人民政府向大会报告工作,请予审议,并请县政协委员和其他列席人员提出意见。\n"
            "一、2018年工作回顾\n过去一年,在市委、市政府和县委的坚强领导下,县政府认真落实各项决策部署。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.region, m.province, m.admin_level) == (
        "government_work_report", "浮山县", "山西省", "county")
    assert (m.issuer, m.report_year, m.signed_on) == ("浮山县人民政府", 2018, "2019-03-02")


def test_news_about_a_work_report_is_other() -> None:
    text = ("3月4日,贞丰县第十四届人民代表大会第四次会议隆重开幕,县委副书记、县人民政府县长在大会上作政府工作报告。\n"
            "会议结束后,参会的人大代表分成6个组对报告展开讨论。代表们对政府工作报告给予了高度评价。\n")
    assert extract_metadata(doc(text)).doc_type == "other"


def test_a_province_named_in_the_opener_is_not_the_subject() -> None:
    text = ("2020年,我局深入学习贯彻习近平总书记考察安徽重要讲话精神,认真贯彻落实法治政府建设部署要求,"
            "现将有关情况报告如下:\n一、主要举措和成效\n(一)认真开展《合肥市科技创新条例》起草工作。"
            "合肥市人大常委会将条例列入立法计划,全市科技创新法治保障不断加强。\n")
    m = extract_metadata(doc(text))
    assert (m.region, m.admin_level, m.region_source) == ("合肥市", "prefecture", "body")
    assert m.issuer is None  # "我局": a department that does not say its name


def test_a_name_in_passing_yields_to_the_gov_cn_host() -> None:
    text = ("2023年,市科技局坚持以习近平法治思想为指导,学习借鉴深圳经验,扎实推进法治政府建设,现将有关情况报告如下:\n"
            "一、主要举措和成效\n(一)强化组织领导。\n")
    m = extract_metadata(doc(text, url="https://kj.hangzhou.gov.cn/art/2024/1/30/art_1.html"))
    assert (m.region, m.region_source, m.issuer) == ("杭州市", "url", "杭州市科学技术局")


# --- made-up variants of the classes issue 16 names --------------------------------------------

SPEECH = ("各位代表:\n现在,我代表{who}向大会报告工作,请予审议,并请市政协委员和其他列席人员提出意见。\n"
          "一、2024年工作回顾\n")


def test_work_report_names_its_province_and_counties_more_than_itself() -> None:
    # a city's report: the province and the counties are named far more often than the city
    body = ("过去一年,在省委、省政府和市委的坚强领导下,全市上下深入学习贯彻习近平总书记对福建工作的重要讲话精神,"
            "福建全省上下奋力拼搏。永安市、尤溪县、大田县、将乐县加快发展,宁化县、清流县、明溪县持续向好,"
            "永安市、尤溪县工业增长较快,福建各地齐头并进,福建经济稳中有进。\n"
            "各位代表!让我们奋力谱写中国式现代化三明篇章!\n")
    m = extract_metadata(doc(SPEECH.format(who="市人民政府") + body))
    assert (m.doc_type, m.region, m.province, m.admin_level) == (
        "government_work_report", "三明市", "福建省", "prefecture")
    assert (m.issuer, m.report_year) == ("三明市人民政府", 2024)


def test_work_report_names_its_city_in_the_delivery_sentence() -> None:
    body = "全省经济持续回升,湖北各地协同发展,湖北省委部署落实有力,宜都市、枝江市、当阳市齐头并进。\n"
    m = extract_metadata(doc(SPEECH.format(who="宜昌市人民政府") + body))
    assert (m.region, m.issuer, m.region_source) == ("宜昌市", "宜昌市人民政府", "deputy")


def test_league_office_delivers_as_its_administrative_office() -> None:
    text = ("各位主任、委员:\n下面,我代表行署作工作报告,请各位主任、委员和列席同志提出意见。\n一、2024年工作回顾\n"
            "过去一年,在盟委的坚强领导下,全盟经济稳中向好,乌兰浩特市、阿尔山市、科尔沁右翼前旗、突泉县协同发展,"
            "全盟上下团结奋斗。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.region, m.admin_level) == ("government_work_report", "兴安盟", "prefecture")
    assert m.issuer == "兴安盟行政公署"


@pytest.mark.parametrize("masked", ["XX市", "××市", "某市"])
def test_masked_template_names_no_area(masked: str) -> None:
    text = (f"{masked}政府工作报告\n——2024年1月X日在{masked}第X届人民代表大会第X次会议上\n"
            + SPEECH.format(who="市人民政府")
            + "过去一年,全省经济稳中有进,全市地区生产总值增长5%,杭州湾新区建设提速。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.region, m.issuer) == ("government_work_report", None, None)
    assert m.admin_level == "prefecture"  # the level is plain even where the name is masked


def test_compilation_of_one_provinces_reports() -> None:
    text = ("浙江省政府工作报告专辑\n目录\n1. 温州市政府工作报告 3\n2. 嘉兴市政府工作报告 38\n"
            "3. 湖州市政府工作报告 66\n4. 绍兴市政府工作报告 90\n温州市政府工作报告\n"
            "——2024年1月20日在温州市第十四届人民代表大会第四次会议上\n"
            + SPEECH.format(who="市人民政府"))
    m = extract_metadata(doc(text))
    assert (m.region, m.issuer, m.province, m.signed_on) == (None, None, "浙江省", None)


@pytest.mark.parametrize(("opener", "body"), [
    ("2023年,生态环境部坚持以习近平新时代中国特色社会主义思想为指导,深入推进法治政府建设。", "生态环境部"),
    ("2022年,水利部党组认真贯彻落实党中央、国务院关于法治政府建设的决策部署。", "水利部"),
])
def test_national_ministry_has_no_region(opener: str, body: str) -> None:
    text = (opener + "现将法治政府建设情况报告如下:\n一、深入学习贯彻习近平法治思想\n"
            "部党组把学习贯彻习近平法治思想作为首要政治任务,在浙江、广东召开现场会。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.issuer, m.region, m.province, m.admin_level) == (
        "rule_of_law_report", body, None, None, None)
    assert m.report_year == int(opener[:4])


@pytest.mark.parametrize(("opener", "issuer"), [
    ("2023年,桐庐县人社局坚持以习近平法治思想为指导,", "桐庐县人力资源和社会保障局"),
    ("2023年,江西省自然资源厅全面贯彻落实党的二十大精神,", "江西省自然资源厅"),
    ("2023年,省卫生健康委坚持以习近平新时代中国特色社会主义思想为指导,", "江西省卫生健康委员会"),
    ("根据《法治政府建设与责任落实督察工作规定》要求,区财政局认真梳理总结2023年度法治政府建设情况,", "青山湖区财政局"),
])
def test_a_department_as_the_subject_is_the_issuer_not_its_government(opener: str, issuer: str) -> None:
    text = (f"{opener}在区委、区政府的正确领导下,认真落实市委、市政府相关工作部署,现将有关情况报告如下:\n"
            "一、2023年度推进法治政府建设的主要举措和成效\n")
    url = "http://www.qingshanhu.gov.cn/a/1.html" if "区" in opener[:30] else None
    place = {"桐庐": "http://www.tonglu.gov.cn/x.html", "省": "http://www.jiangxi.gov.cn/x.html"}
    url = url or next((u for k, u in place.items() if k in opener[:12]), None)
    m = extract_metadata(doc(text, url=url))
    assert m.issuer == issuer


def test_department_named_only_by_its_host() -> None:
    text = ("2023年,我局坚持以习近平法治思想为指导,全面落实市委、市政府决策部署,推进财政法治建设。"
            "现将有关情况报告如下:\n一、主要举措和成效\n")
    m = extract_metadata(doc(text, url="http://czj.wuhan.gov.cn/zwgk/2024/01/t1.html"))
    assert (m.issuer, m.region) == ("武汉市财政局", "武汉市")


def test_department_named_only_by_its_path() -> None:
    text = ("为深入贯彻落实习近平总书记关于法治政府建设的重要指示精神,按照《浙江省法治政府建设实施纲要》要求,"
            "我局以实施创新驱动发展战略为主线,推进法治建设。\n一、基本情况及主要工作特点\n")
    m = extract_metadata(doc(text, url="http://mirror.example.com/bmpd/nbskxjsj/zwgk/post_1.html"))
    assert (m.issuer, m.region, m.province) == ("宁波市科学技术局", "宁波市", "浙江省")


def test_news_about_a_congress_has_its_area_but_no_issuer() -> None:
    text = ("1月12日上午,桐乡市第十七届人民代表大会第四次会议开幕,市长作政府工作报告。\n"
            "过去一年,全市新增高新技术企业120家,嘉兴市下达的目标全面完成,嘉兴各地纷纷学习。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.issuer, m.region) == ("other", None, "桐乡市")


@pytest.mark.parametrize(("delivery", "review", "year"), [
    ("——2026年1月20日在某某省第十四届人民代表大会第四次会议上", "一、2025年工作回顾", 2025),
    ("——2021年12月21日在兰陵县第十九届人民代表大会第一次会议上", "一、过去五年工作回顾", 2021),
    ("", "一、“十二五”时期经济社会发展的回顾", 2015),
    ("——2016年1月10日在莒县第十八届人大五次会议上", "一、“十二五”及2015年工作回顾", 2015),
])
def test_report_year_of_work_reports_and_five_year_reviews(delivery: str, review: str, year: int) -> None:
    text = f"政府工作报告\n{delivery}\n" + SPEECH.format(who="县人民政府").replace("一、2024年工作回顾", review)
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.report_year) == ("government_work_report", year)
    if delivery:
        assert m.signed_on == find_dates(delivery)[0].iso


def test_a_plan_report_delivered_to_the_congress_is_other_but_signed() -> None:
    text = ("(2024年1月17日在平湖市第十届人民代表大会第三次会议上)\n平湖市发展和改革局\n各位代表:\n"
            "受市人民政府委托,向大会书面报告平湖市2023年国民经济和社会发展计划执行情况与2024年国民经济和社会发展计划"
            "(草案),请予审议。\n一、2023年国民经济和社会发展计划执行情况\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.issuer, m.signed_on) == ("other", "平湖市发展和改革局", "2024-01-17")


def test_summary_titled_by_next_years_plan_covers_the_year_before() -> None:
    text = ("区科技局202X年度工作总结及2026年度工作计划\n今年以来,区科技局紧紧围绕区委区政府中心工作。\n"
            "一、主要工作成果\n")
    assert extract_metadata(doc(text)).report_year == 2025


def test_english_copy_of_a_ministry_report() -> None:
    text = ("Xinhua, March 30 -- According to the website of the Ministry of Natural Resources, the ministry released "
            "the 2022 annual report on the construction of a rule of law government. The report is as follows:\n"
            "1. Strengthen the leadership of the party over the construction of a rule of law government\n")
    m = extract_metadata(Document("en.txt", text, text))
    assert (m.doc_type, m.issuer, m.report_year, m.language) == ("rule_of_law_report", "自然资源部", 2022, "en")
    assert (m.region, m.province) == (None, None)


def test_an_english_copy_is_read_not_rejected(tmp_path: Path) -> None:
    from pipelines.extract.ingest import SourceRecord, read_file

    text = ("China News Service, March 29 -- According to the website of the Ministry of Justice, the ministry "
            "released "
            "the 2023 annual report on the construction of a rule of law government. The specific report is as "
            "follows:\n1. Persist in the leadership of the party over every aspect of building a rule of law "
            "government\nThe party group of the ministry has always adhered to and strengthened the party's "
            "leadership, emphasized the integration of political construction and business work, improved the "
            "system and mechanism for building a government under the rule of law, promoted legislation in key "
            "areas, standardized administrative law enforcement, resolved disputes through mediation and review, "
            "and trained officials to respect, study, observe and apply the law in their daily work. Next year, "
            "reforms will deepen: fewer approvals, open government information, digital services, better "
            "supervision of power, prompt handling of complaints, and wider public legal education campaigns.\n")
    p = tmp_path / "translated.txt"
    p.write_text(text, encoding="utf-8")
    rec = next(iter(read_file(p, tmp_path)))
    assert isinstance(rec, SourceRecord)
    d = next(iter(load_documents(tmp_path)))
    m = extract_metadata(d)
    assert (m.doc_type, m.issuer, m.report_year) == ("rule_of_law_report", "司法部", 2023)


def test_an_article_written_about_a_work_report_is_other() -> None:
    text = ("以下是一篇关于嘉兴政府工作报告的文章: 在嘉兴市第九届人民代表大会第五次会议上,市长代表嘉兴市人民政府"
            "向大会报告工作。\n一、2024 年工作回顾\n1.经济稳健向好:全市生产总值增长5.8%。\n")
    m = extract_metadata(doc(text))
    assert (m.doc_type, m.issuer) == ("other", None)


def test_a_work_report_without_a_date_reviews_the_year_before_its_plan():
    from pipelines.extract.document import Document
    from pipelines.extract.report import extract_document

    text = ("上海市政府工作报告\n各位代表：\n现在，我代表上海市人民政府，向大会报告工作，请予审议。\n"
            "一、过去五年工作回顾\n五年来，全社会研发经费支出相当于全市生产总值的比例达到4.2%左右。\n"
            "二、今后五年工作的总体要求和主要目标\n坚持稳中求进。\n三、2023年主要任务\n做好今年工作。\n")
    ex = extract_document(Document("t.txt", text, text), with_terms=False)
    assert ex.meta.doc_type == "government_work_report" and ex.meta.report_year == 2022
    assert [(f.indicator, f.value, f.year) for f in ex.indicators] == [("rd_intensity", 4.2, 2022)]


def test_press_digest_of_a_work_report_covers_the_reviewed_year() -> None:
    # 保定市 2023 as district.ce.cn carried it: a digest (news), titled by the report it digests
    raw = ("标题：2023年保定市政府工作报告\n发文单位：保定市人民政府\n发文时间：未知\n\n正文：\n\n"
           "――2023年1月30日在保定市第十六届人民代表大会第四次会议上\n保定市人民政府市长 闫继红\n"
           "2022年政府工作回顾\n"
           "1月30日，市长闫继红在市十六届人大四次会议上作政府工作报告时说，刚刚过去的一年，"
           "是党和国家历史上极为重要的一年。\n"
           "一是经济运行稳中有进、稳中向好。全市生产总值增长3.8%。\n")
    assert extract_metadata(doc(raw)).report_year == 2022
