"""Report metadata: what kind of report, who wrote it, for which area, which year, which dates.

The page is read the way an analyst reads it: a header (breadcrumbs, the 索引号/发布机构/发布日期
table, the title, a 来源 line with the date), then the body, which opens with the year and
the subject ("2023年,市科技局坚持…"), and, when the page is complete, a signature (the
issuer's name and the date). Each field is taken from the most telling place that has it;
a field no place shows stays None (a report year is never guessed for a rule-of-law report).

Region, province, level and adcode come from the gazetteer (``regions.py``); the cue words
are data (``dictionaries/metadata.toml``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from pipelines.extract.clean import is_traditional, to_simplified
from pipelines.extract.dates import TIME_AFTER, YEAR_NUMBER, find_dates, parse_date, plan_end, years
from pipelines.extract.dictionaries import load_toml
from pipelines.extract.document import Document, ReportMeta, Section
from pipelines.extract.regions import (
    Mention,
    Region,
    ancestor_set,
    ancestors,
    best_known,
    chain_pick,
    find_mentions,
    is_within,
    parent_of,
    pinyin_index,
    url_host_regions,
)
from pipelines.extract.sections import TOP_HEADING_LINE, cn_number

_CJK = r"\u4e00-\u9fff"
_LEVEL_WORDS = "省市区县州盟旗"
_ISSUER_LEVEL_WORDS = "省市区县州盟旗"  # 州科技局: a level word before a body's name
_GENERIC_ORGAN = re.compile(r"(?<=[省市区县州盟旗])[\u4e00-\u9fff]{2,14}?(?:局|厅|委员会)(?!长)")
# A line that is page chrome, not a title: breadcrumbs and metadata table cells.
_CHROME = re.compile(r"位置|首页|>|>>|索引号|分类|主题词|文号|浏览|字号|字体|打印|关闭|视力保护|无障碍")
_TITLE_TAIL = r"(?:通知|报告|总结|情况|意见|方案|安排|计划|要点|汇报)$"
_TITLE_LABEL = re.compile(r"^[\[【]?\s*(?:信\s*息\s*名\s*称|名\s*称|标\s*题|题\s*名)\s*[\]】]?\s*[:：]?\s*")
_SECTION_START = re.compile(rf"{TOP_HEADING_LINE.pattern}|^\s*各位代表", re.M)
# "在市委、市政府的正确领导下": the bodies named there are not the report's subject.
_UNDER = re.compile(r"在[^,。;]{0,60}?(?:领导|指导|支持|监督|关心)下")
_BOOK = re.compile(r"《[^》]{0,80}》")
_REVIEW = re.compile(rf"({YEAR_NUMBER})\s*年(?:度)?(?:主要)?(?:工作|政府工作)?(?:和[^\n]{{0,12}})?回顾")
# "我代表威海市人民政府向大会报告工作", "我代表市政府", "我代表行署作工作报告": who delivers a work report
_DEPUTY = re.compile(
    rf"我代表([{_CJK}]{{0,16}}?)(?:([省市区县州盟旗])(?:人民)?政府|(行署|行政公署))")
_DEPUTY_REPORTS = re.compile(
    rf"我代表[{_CJK}]{{0,16}}?(?:政府|行署|行政公署)[,，\s]*(?:向[{_CJK}]{{1,4}})?(?:作|报告|汇报)[^。\n]{{0,8}}工作")
# the congress a work report (or a plan report) is delivered to: 人民代表大会 (a page may break it
# across lines), 人代会, 市十六届人大三次会议
_CONGRESS = r"(?:人\s*民\s*代\s*表\s*大\s*会|人\s*代\s*会|届\s*人\s*大)"
_NAMED_CONGRESS = re.compile(rf"([{_CJK}]{{2,16}}?)第?[一二三四五六七八九十]+届\s*(?:人民代表大会|人大)")
_DELIVERY = re.compile(rf"在[^。\n]{{0,40}}?(?:\n\s*){{0,3}}[^。\n]{{0,20}}?{_CONGRESS}")
_CONGRESS_RE = re.compile(_CONGRESS)
# a person's title after the government's name (…区人民政府区长): the name is the issuer's area
_GOVERNMENT_HEAD = re.compile(rf"[{_CJK}]{{2,20}}?人民政府[{_CJK}]{{0,3}}长")
_NOT_CJK = re.compile(rf"[^{_CJK}]+")


def _cjk_count(s: str) -> int:
    return len(_NOT_CJK.sub("", s))  # (a findall of single characters built a list of them)


@lru_cache(maxsize=4)  # the region and the "no one area" test both read a page's head
def _deliveries(head: str) -> tuple[str, ...]:
    """The delivery lines (在…人民代表大会…) of ``head``. Each ends with a congress's name, so
    a head that names none is not scanned: the pattern's lazy runs make it slow where 在 is frequent."""
    return tuple(m.group() for m in _DELIVERY.finditer(head)) if _CONGRESS_RE.search(head) else ()


@cache
def _cues() -> dict:
    return load_toml("metadata.toml")


@cache
def _organs() -> str:
    """The organ names of the issuer dictionary as one alternation, the longest first."""
    c = _cues()["issuer"]
    return "|".join(map(re.escape, sorted(set(c["organs"]) | set(c["government_forms"]), key=len, reverse=True)))


@cache
def _organ_re() -> re.Pattern[str]:
    return re.compile(rf"([{_CJK}]{{0,24}}?)({_organs()})")


@dataclass
class _Page:
    text: str  # simplified
    lines: list[tuple[int, str]]  # (offset, line) of non-empty lines
    header: list[tuple[int, str]]
    body_start: int
    title: str | None = None  # simplified, for matching
    title_written: str | None = None  # as the page writes it
    opener: str = ""


def _split(doc: Document) -> _Page:
    text = doc.simplified
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((pos, raw.strip()))
        pos += len(raw) + 1
    header: list[tuple[int, str]] = []
    body_start = len(text)
    for i, (off, line) in enumerate(lines):
        cjk = _cjk_count(line)
        sentence = cjk >= 25 and "," in line and line.endswith(("。", ":"))
        # a long line of names with no punctuation is a menu; one behind a bullet is a slogan
        prose = cjk >= 60 and re.search(r"[,。]", line) and not line.startswith(("•", "·", "●", "■", "◆"))
        if i >= 40 or prose or (sentence and not line.startswith(("•", "·"))) or _SECTION_START.match(line):
            body_start = off
            break
        header.append((off, line))
    page = _Page(text, lines, header, body_start)
    page.title, page.title_written = _title(doc, page)
    body = text[body_start:body_start + 600]
    first, _, rest = body.partition("\n")
    addressee = (len(first) < 80 and first.rstrip().endswith((":", "："))
                 and not re.search(rf"[。]|如下|{YEAR_NUMBER}", first))
    if addressee and rest.strip():
        first = rest.strip().split("\n", 1)[0]  # 各乡镇人民政府,…有关单位: / 各位代表: are whom it addresses
    page.opener = _BOOK.sub("", _UNDER.sub("", first))[:120]
    return page


def _cells(page: _Page) -> list[tuple[int, str]]:
    """Header lines split into table cells ("标 题: | 阳城县科学技术局…报告 |"), with offsets."""
    out: list[tuple[int, str]] = []
    for off, line in page.header:
        lead = len(page.text[off:].split("\n", 1)[0]) - len(page.text[off:].split("\n", 1)[0].lstrip())
        pos = off + lead
        for cell in line.split("|"):
            stripped = cell.strip()
            if stripped and not re.fullmatch(r"[-\s]+", stripped):
                out.append((pos + cell.index(stripped), stripped))
            pos += len(cell) + 1
    return out


def _title(doc: Document, page: _Page) -> tuple[str | None, str | None]:
    """(simplified, as written): the scraper's title, else the header cell that reads as one."""
    if doc.title:
        return to_simplified(doc.title).strip(), doc.title.strip()
    c = _cues()["doc_type"]
    cues = [*c["rule_of_law"], *c["gwr_title"]]
    best, best_score, best_off = None, 0, 0
    for off, cell in _cells(page):
        label = _TITLE_LABEL.match(cell)
        cut = label.end() if label else 0
        line = cell[cut:].strip()
        if _CHROME.search(line) or not 6 <= len(line) <= 80 or re.search(r"[,。;:!?]", line):
            continue  # chrome, or a sentence rather than a title
        if re.search(r"发布机构|来源|发布日期|发布时间|生成日期", line):
            continue
        score = 3 * any(w in line for w in c["report_words"][:3]) + 3 * any(w in line for w in cues)
        if score > best_score:
            at = off + cell.index(line)
            best, best_score = (line, doc.text[at:at + len(line)]), score
            best_off = off
    if best:
        # a title the page broke over two lines: 关于印发西平县2020年度法治政府建设 / 工作安排的通知
        cells = _cells(page)
        nxt = next((cl for o, cl in cells if o > best_off), None)
        if nxt and len(nxt) <= 14 and re.search(_TITLE_TAIL, nxt) and not re.search(r"[,。;:!?]", nxt):
            best = (best[0] + nxt, best[1] + nxt)
    return best if best else (None, None)


# --- doc type ------------------------------------------------------------------------------


def _doc_type(page: _Page) -> str:
    c = _cues()["doc_type"]
    title = page.title or ""
    head = page.text[:3000]
    if any(w in page.text[:800] for w in c["not_gwr_body"]) or any(
            w in page.text[:300] for w in c["article_openers"]):
        return "other"
    gwr_in_title = any(w in title for w in c["gwr_title"])
    # the speech itself (各位代表: / 我代表市人民政府向大会报告工作) under whatever title a mirror gives it
    if gwr_in_title and (re.search(r"^\s*各位代表\s*[:：!！]", head, re.M) or _DEPUTY_REPORTS.search(head)):
        return "government_work_report"
    if title:
        if any(w in title for w in c["other_title"]):
            return "other"
        if gwr_in_title:
            # a news page headlined with the report (四川省政府工作报告丨2023年四川新增…) is news
            return "other" if _is_news(page) else "government_work_report"
        if any(w in title for w in c["plan_title"]):
            return "other"
        if any(w in title for w in c["rule_of_law"]) and any(w in title for w in c["report_words"]):
            return "rule_of_law_report"
    # the speech itself: a short 政府工作报告 line on top, or how the speaker addresses the
    # congress; news about the report ("…县长在大会上作政府工作报告") has neither
    gwr = "|".join(map(re.escape, c["gwr_title"]))
    if re.search(rf"^[^,。\n]{{0,20}}(?:{gwr})[^,。\n]{{0,16}}$", page.text[:300], re.M) or (
        any(w in head for w in c["gwr_body"]) and _deliveries(head)
    ) or sum(head.count(w) for w in c["gwr_body"]) >= 2 or _DEPUTY_REPORTS.search(head):
        return "government_work_report"
    rol = sum(head.count(w) for w in c["rule_of_law"])
    # the first top-level heading of the genre: "一、2023年推进法治政府建设的主要举措和成效"
    first_heading = next((m for m in TOP_HEADING_LINE.finditer(head) if cn_number(m.group(1)) == 1), None)
    if first_heading and any(w in first_heading.group(2)[:40] for w in c["rule_of_law"]):
        return "rule_of_law_report"
    # without a title, the genre's shape: 现将…报告如下, or much about 法治 under numbered headings
    if rol >= 1 and re.search(r"(?:报告|汇报|总结)如下", head):
        return "rule_of_law_report"
    if (rol >= 3 or head.count("法治") >= 5) and first_heading:
        return "rule_of_law_report"
    return "other"


# --- level of the issuer's area --------------------------------------------------------------


def _self_level(page: _Page) -> tuple[str | None, bool]:
    """(省/市/区/县, strong): how the report speaks of its own area.

    Strong when the report names itself with a level word (市科技局, 区政府, 我代表县人民政府)
    or opens with its area as the subject; otherwise the most frequent of 全市/县委/区政府 …
    """
    head = page.text[:4000]
    m = _DEPUTY.search(head)
    if m:
        # 行署: the office of a league or a prefecture (地区), which have no people's government
        return ("盟" if m.group(3) else m.group(2)), True
    subj = _opener_subject(page)
    if subj is not None:
        return subj.kind[-1:] if subj.kind[-1:] in _LEVEL_WORDS else None, True
    for subj_text in _subjects(page)[:1]:
        # the subject of the opening sentence: 省卫生健康委…, 区财政局… (not 落实市委、市政府部署)
        if subj_text[:1] in _LEVEL_WORDS and _organ_at(subj_text, 1):
            return subj_text[0], True
    for s in (page.opener[:60], page.title or ""):
        for m in _organ_re().finditer(s):
            prefix = m.group(1)
            if prefix and prefix[-1] in _LEVEL_WORDS:
                ms = find_mentions(prefix, loose=True)
                if ms and ms[-1].end == len(prefix) and not ms[-1].full:
                    continue  # 杭州科技局: the 州 belongs to the short name, it is no level word
                return prefix[-1], True
        for m in re.finditer(rf"(?<![{_CJK}])([{_LEVEL_WORDS}])", s):
            if _organ_at(s, m.end()):
                return m.group(1), True  # 州生态环境局: a body of the area the report is about
    body = page.text[page.body_start:page.body_start + 3000] or page.text[:3000]
    counts: Counter[str] = Counter()
    for pat in _cues()["region"]["self_patterns"]:
        for lw in _LEVEL_WORDS:
            counts[lw] += len(re.findall(pat.replace("{L}", lw), body))
    # 自治区 says 全区/区委 too; it is a province, so don't let it pass for a district
    counts["区"] -= body.count("自治区")
    if not counts or counts.most_common(1)[0][1] <= 0:
        return None, False
    return counts.most_common(1)[0][0], False


def _opener_subject(page: _Page) -> Region | None:
    """The area a report opens with as its subject: "2021年,青岛市坚持…", "2024年,广东坚持…"."""
    m = re.match(rf"\s*(?:{YEAR_NUMBER}\s*年(?:度)?(?:以来)?\s*[,，]?\s*)?", page.opener)
    rest = page.opener[m.end():] if m else page.opener
    rest = re.sub(r"^[,，\s]*(?:我们|全)?", "", rest)
    ms = find_mentions(rest[:20], loose=True)
    if ms and ms[0].start == 0:
        g = _groups(ms)[0]
        r = chain_pick(g)
        tail = rest[g[-1].end:g[-1].end + 2]
        if r is not None and not tail.startswith(tuple(_cues()["region"]["institution_suffixes"])):
            return r
    return None


def _fits(r: Region, level: str | None) -> bool:
    if level is None:
        return True
    if level == "省":
        return r.level == "province"
    if level == "市":
        return r.name.endswith("市")
    if level == "区":
        return r.name.endswith("区")
    if level == "县":
        return r.name.endswith(("县", "旗"))
    if level == "州":
        return r.name.endswith("州") and r.level == "prefecture"
    if level == "盟":
        return r.name.endswith(("盟", "地区"))
    if level == "旗":
        return r.name.endswith("旗")
    return True


# --- region ----------------------------------------------------------------------------------


@dataclass
class _Pick:
    name: str | None = None
    region: Region | None = None
    source: str | None = None
    province: str | None = None  # for zones outside the gazetteer


def _groups(ms: list[Mention]) -> list[list[Mention]]:
    """Adjacent mentions form one name (重庆市梁平区)."""
    out: list[list[Mention]] = []
    for m in ms:
        if out and out[-1][-1].end == m.start:
            out[-1].append(m)
        else:
            out.append([m])
    return out


BODY_SPAN = 20000  # characters of the page searched for place names
MASKED_MIN = 3.0  # how often a masked template's body must name an area for it to be the region
TAIL_SPAN = 3000  # and of its end, where a whole report names its area once more


def _shift(m: Mention, at: int) -> Mention:
    return Mention(m.start + at, m.end + at, m.surface, m.regions, m.full) if at else m


def _confirmed(strict: list[Mention], loose: list[Mention]) -> list[Mention]:
    """Short names that read as ordinary words (孝感, 长治, 黄石 are nouns to jieba) but whose
    own sub-areas the page names too: there they are the place. Only areas with parts (a
    province, a prefecture) can be confirmed so; 光明 or 合作 alone stay words."""
    taken = {(m.start, m.end) for m in strict}
    named = [r for m in strict for r in m.regions]
    out = []
    for m in loose:
        if (m.start, m.end) in taken:
            continue
        regions = tuple(r for r in m.regions if r.level != "county"
                        and any(c.adcode != r.adcode and is_within(c, r) for c in named))
        if regions:
            out.append(Mention(m.start, m.end, m.surface, regions, m.full))
    return out


class _Context:
    """The page's unambiguous place names, found only if a name needs disambiguating.

    Most reports name their area in the title or the opening line, so the scan of the body
    is skipped for them; when it is needed, it runs once and serves the body count too.
    """

    def __init__(self, page: _Page, url_regions: list[Region]) -> None:
        self.page, self.url_regions = page, url_regions

    @cached_property
    def mentions(self) -> list[Mention]:
        text = self.page.text
        spans = [(0, text[:BODY_SPAN])]
        if len(text) > BODY_SPAN:
            # a whole report names its own area again in its closing lines (…吉安篇章)
            at = max(BODY_SPAN, len(text) - TAIL_SPAN)
            spans.append((at, text[at:]))
        out: list[Mention] = []
        loose: list[Mention] = []
        for at, part in spans:
            out += [_shift(m, at) for m in find_mentions(part)]
            loose += [_shift(m, at) for m in find_mentions(part, loose=True) if not m.full]
        return out + _confirmed(out, loose)

    @cached_property
    def regions(self) -> list[Region]:
        return [m.regions[0] for m in self.mentions if len(m.regions) == 1] + self.url_regions

    @cached_property
    def region_counts(self) -> Counter[Region]:
        """How often each of :attr:`regions` is named (a candidate's score adds up its
        ancestors' counts: a loop over every mention per candidate was 10 % of the metadata)."""
        return Counter(self.regions)


def _disambiguate(cands: list[Region], context: _Context) -> Region | None:
    if len(cands) == 1:
        return cands[0]
    scored = Counter()
    named = context.region_counts
    for c in cands:
        # the context's names of areas that hold c (each once per mention)
        n = sum(named[a] for a in ancestor_set(c) if a.adcode != c.adcode)
        if n:
            scored[c.adcode] += n
    if scored:
        top = scored.most_common(2)
        if len(top) == 1 or top[0][1] > top[1][1]:
            return next(c for c in cands if c.adcode == top[0][0])
    return None


def _strong_pick(s: str, level: str | None, context: _Context, loose: bool = True) -> Region | None:
    inst = tuple(_cues()["region"]["institution_suffixes"])
    for g in _groups(find_mentions(s, loose=loose)):
        if s.startswith(inst, g[-1].end):
            continue  # 来源:陕西日报 names a newspaper, not the issuer's area
        r = chain_pick(g)
        if r is None:
            cands = [c for c in g[-1].regions if _fits(c, level)] or list(g[-1].regions)
            r = _disambiguate(cands, context)
        if r is not None and _fits(r, level):
            return r
    return None


def _issuer_lines(page: _Page) -> list[str]:
    out = []
    label = re.compile(r"来源|发布机构|信息来源|文章来源|发文机关|来自|发布单位")
    for i, (_, line) in enumerate(page.header):
        prev = page.header[i - 1][1] if i else ""
        if label.search(line) or (label.fullmatch(prev.strip(" :：[]|")) if prev else False):
            out.append(line)
    return out


def _signature(page: _Page) -> list[str]:
    """Short lines after the last paragraph of the body: the issuer's name and the date."""
    tail: list[str] = []
    for off, ln in reversed(page.lines[-6:]):
        if off < page.body_start or len(ln) > 40:
            break
        tail.append(ln)
    return tail[::-1]


def _zone(page: _Page) -> tuple[str, Region] | None:
    """A development zone that writes its own report (重庆高新区), not a gazetteer division."""
    sufs = sorted(_cues()["region"]["zone_suffixes"], key=len, reverse=True)
    pat = re.compile("|".join(map(re.escape, sufs)))
    committee = re.compile(r"\s*(?:管理委员会|管委会|党工委)")
    subject = re.sub(rf"^\s*(?:{YEAR_NUMBER}\s*年(?:度)?\s*[,，]?)?", "", page.opener)
    title = re.sub(rf"^\s*(?:关于)?(?:{YEAR_NUMBER}\s*年(?:度)?)?", "", page.title or "")
    # a zone is the issuer's area where it is the subject (opener, title start) or the
    # committee that runs it publishes the page; a zone merely mentioned is not
    for s, anywhere in ((subject, False), (title, False), *((ln, True) for ln in _issuer_lines(page))):
        for m in find_mentions(s, loose=True):
            z = pat.match(s, m.end)
            if not z or m.regions[0].level == "county":
                continue
            if (not anywhere and m.start > 8) or (anywhere and not committee.match(s, z.end())):
                continue
            return s[m.start:z.end()], m.regions[0]
    return None


def _region(page: _Page, doc: Document, level: str | None, strong_level: bool,
            url_regions: list[Region], *, masked: bool = False) -> _Pick:
    context = _Context(page, url_regions)
    zone = None if masked else _zone(page)
    if zone:
        return _Pick(zone[0], None, "zone", zone[1].province)
    # where an issuer names its area, most telling first; of the opening sentence only its
    # subject ("2021年,青岛市坚持…"): other names there are often not the area ("考察安徽…")
    strong: list[tuple[str, str | Region]] = []
    if page.title:
        strong.append(("title", page.title))
    head = page.text[:3000]
    deputy = _DEPUTY.search(head)
    if deputy and deputy.group(1):
        strong.append(("deputy", deputy.group(1) + (deputy.group(2) or "")))
    strong += [("delivery", d) for d in _deliveries(head)]
    # the congress a page opens with (坪山区第二届人民代表大会第二次会议召开): the area whose congress it is
    strong += [("congress", m.group(1)) for m in _NAMED_CONGRESS.finditer(head[:300])]
    strong += [("issuer", ln) for ln in _issuer_lines(page)]
    if "人民政府" in head:
        strong += [("issuer", m.group()) for m in _GOVERNMENT_HEAD.finditer(head)]
    subject = _opener_subject(page)
    if subject is not None:
        strong.append(("opener", subject))
    strong += [("signature", s) for s in _signature(page)]
    fit_level = level if strong_level else None
    if masked:
        strong = []  # the places that would name the area are masked (X市第七届人民代表大会)
    for source, s in strong:
        if isinstance(s, Region):
            r = s if _fits(s, fit_level) else None
        else:
            r = _strong_pick(s, fit_level, context, loose=source != "opener")
        if r is not None:
            return _Pick(r.name, r, source)

    # the body: how often each area is named, institutions (宁波大学) counting little
    inst = tuple(_cues()["region"]["institution_suffixes"])
    body = page.text
    scores: Counter[str] = Counter()
    regs: dict[str, Region] = {}
    for m in context.mentions:
        w = 1.0 if m.full else 0.8
        if body.startswith(inst, m.end):
            w = 0.2
        cands = list(m.regions)
        if len(cands) > 1 and level is not None and strong_level:
            cands = [c for c in cands if _fits(c, level)] or cands  # 甘孜 in a 州's report: the 州
        if len(cands) > 1:
            one = _disambiguate(cands, context)
            if one is None:
                continue
            cands = [one]
        for r in cands:
            scores[r.adcode] += w
            regs[r.adcode] = r
    url_codes = {r.adcode for r in url_regions}
    for code in scores:
        if code in url_codes:
            scores[code] += 0.5
    if level is not None and strong_level:
        # a city's report names its counties far more often than itself: each sub-area
        # named counts for the area of the report's level that holds it
        votes: Counter[str] = Counter()
        children: dict[str, set[str]] = {}
        for code, sc in list(scores.items()):
            for a in ancestors(regs[code]):
                if _fits(a, level):
                    votes[a.adcode] += sc / 2
                    children.setdefault(a.adcode, set()).add(code)
                    regs[a.adcode] = a
        for code, v in votes.items():
            # an area the page never names itself counts when three or more of its parts are named
            if code in scores or len(children[code]) >= 3:
                scores[code] += v
    fitting = [(s, c) for c, s in scores.items() if _fits(regs[c], level)]
    if not fitting and level in ("市", "区", None):
        # only sub-areas are named (上虞 in a 市 report): their common parent is the area
        parents: Counter[str] = Counter()
        for c, s in scores.items():
            p = parent_of(regs[c])
            if p is not None and p.level == "prefecture" and _fits(p, level):
                parents[p.adcode] += s
                regs[p.adcode] = p
        fitting = [(s, c) for c, s in parents.items()]
    from_url = best_known([r for r in url_regions if _fits(r, level)])
    if fitting:
        fitting.sort(reverse=True)
        if len(fitting) == 1 or fitting[0][0] > fitting[1][0]:
            r = regs[fitting[0][1]]
            # a name or two in passing ("学习借鉴深圳经验") yields to an unrelated gov.cn host
            unrelated = from_url is not None and not (is_within(r, from_url) or is_within(from_url, r))
            if not (unrelated and fitting[0][0] < 2) and not (masked and fitting[0][0] < MASKED_MIN):
                dept = _path_department(doc.url, context)
                if dept is not None and dept[0].adcode != r.adcode and is_within(dept[0], r):
                    return _Pick(dept[0].name, dept[0], "url_path")  # the province named, the city's bureau
                return _Pick(r.name, r, "body")
    if from_url is not None:
        return _Pick(from_url.name, from_url, "url")
    dept = _path_department(doc.url, context)
    if dept is not None:
        return _Pick(dept[0].name, dept[0], "url_path")
    return _Pick()


# --- issuer ----------------------------------------------------------------------------------


@cache
def _dict_organ_re() -> re.Pattern[str]:
    return re.compile(_organs())


@cache
def _generic_organ_re() -> re.Pattern[str]:
    ends = "|".join(map(re.escape, _cues()["issuer"]["generic_organ_endings"]))
    return re.compile(rf"[{_CJK}]{{1,12}}?(?:{ends})")


# words that a body's own name never holds: the match ran into a sentence
_NOT_IN_ORGAN = re.compile(r"政府|书记|[在的年]|党|人大|政协|领导|召开|关于|坚持|全面|深入|贯彻|认真")


def _organ_at(s: str, pos: int) -> str | None:
    """The name of a body that starts at ``s[pos]``, in its full form (人社局 -> 人力资源和社会保障局,
    卫生健康委 -> 卫生健康委员会); None if no body's name starts there."""
    c = _cues()["issuer"]
    m = _dict_organ_re().match(s, pos)
    if m:
        return c["canonical"].get(m.group(), m.group())
    m = _generic_organ_re().match(s, pos)
    if not m or m.group().endswith(tuple(c["not_organ_endings"])) or _NOT_IN_ORGAN.search(m.group()):
        return None
    name = m.group()
    if name in c["canonical"]:
        return c["canonical"][name]
    return name + "员会" if name.endswith("委") and len(name) > 2 else name


@cache
def _national_body_re() -> re.Pattern[str]:
    bodies = sorted(_cues()["issuer"]["national_bodies"], key=len, reverse=True)
    return re.compile(rf"\s*(?:第[一二三四五六七八九十]+届)?(?:中华人民共和国)?({'|'.join(map(re.escape, bodies))})")


def _national_body(s: str) -> str | None:
    """A national body (a ministry, 国务院) named at the start of ``s``."""
    m = _national_body_re().match(s)
    return m.group(1) if m else None


def _issuer_in(s: str, pick: _Pick, *, anchored: bool = False) -> tuple[str | None, bool]:
    """(issuer, found): the body named in ``s`` as [area names][body], the area completed from
    the report's region where the page writes it short (杭州科技局, 市科委, 区财政局).

    ``anchored``: only a name that opens ``s`` (the subject of an opening sentence), not a body
    named later in it (…认真落实区委、区政府相关部署)."""
    gov = set(_cues()["issuer"]["government_forms"])

    def done(named: str | None, organ: str) -> tuple[str | None, bool]:
        if not named:
            return None, True
        if organ in gov:
            return (f"{named}人民政府" if named != pick.name or pick.source != "zone" else None), True
        return f"{named}{organ}", True

    if pick.source == "zone" and pick.name:
        i = s.find(pick.name[:2])
        m = _dict_organ_re().search(s, max(i, 0)) if i >= 0 else None
        if m and (not anchored or i <= 1):
            return done(s[i:m.start()], _organ_at(s, m.start()) or m.group())
    for g in _groups(find_mentions(s, loose=True)):
        if anchored and g[0].start > 1:
            break
        organ = _organ_at(s, g[-1].end)
        if organ is None:
            continue
        named = s[g[0].start:g[-1].end]
        if not g[-1].full:
            r = chain_pick(g) or pick.region
            named = s[g[0].start:g[-1].start] + r.name if r else named
        return done(named, organ)
    # a level word for the area itself: 市科技局, 区财政局, 州生态环境局 (not 全市, 我区, 各县)
    for m in re.finditer(rf"(?<![{_CJK}])[{_ISSUER_LEVEL_WORDS}]", s):
        if anchored and m.start() > 1:
            break
        organ = _organ_at(s, m.end())
        if organ is not None:
            return done(pick.name, organ)
    return None, False


def _subjects(page: _Page) -> list[str]:
    """The subjects of the opening sentences: "2023年,通城县人社局坚持…" -> "通城县人社局坚持…"."""
    body = page.text[page.body_start:page.body_start + 1500]
    lead = re.compile(rf"^[\s,，]*(?:(?:{YEAR_NUMBER}\s*年(?:度)?|今年|去年|近年)(?:以来)?[\s,，、]*)?")
    out = []
    sentences = [x for x in page.opener.split("。")[1:3] if x.strip()]  # …良好局面。市交通运输局结合…
    for line in [page.opener, *sentences,
                 *re.findall(rf"^\s*{YEAR_NUMBER}\s*年(?:度)?(?:以来)?\s*[,，][^\n]{{0,60}}", body, re.M)]:
        line = _BOOK.sub("", _UNDER.sub("", line))
        line = line[lead.match(line).end():].lstrip(" ,，")
        # "根据…要求,", "按照市委市政府的工作部署,": the subject follows the clause
        line = re.sub(r"^(?:根据|按照|依据|遵照|为了?|围绕)[^,，。]{0,60}[,，]\s*", "", line)
        out.append(line)
    return out


_BYLINE_TRIM = " \t\u3000■□●◆·•|:：[]【】()（）"


def _bylines(page: _Page) -> list[str]:
    """Header lines that are nothing but a body's name (the issuer written above or below the title)."""
    out = []
    for _, line in page.header:
        ln = line.strip(_BYLINE_TRIM)
        if line.rstrip().endswith((":", "：")):
            continue  # 自治区人民政府: is whom the report is addressed to
        if 4 <= len(ln) <= 30 and not re.search(r"[,，。;；\d]", ln):
            out.append(ln)
    return out


def _compiled_by(page: _Page) -> str | None:
    """"本报告由山东省机关事务管理局根据…编制": the body a disclosure report names as its author."""
    m = re.search(rf"由([{_CJK}]{{4,30}}?)(?:根据|依据|按照|编制)", page.text[page.body_start:page.body_start + 400])
    return m.group(1) if m else None


def _host_department(url: str | None, pick: _Pick) -> str | None:
    """czj.taian.gov.cn: the first label of a government host names the department."""
    m = re.match(r"^[a-z]+://([a-z0-9]+)\.[^/]*\.gov\.cn(?:[:/]|$)", (url or "").strip().lower())
    organ = _cues()["issuer"]["host_labels"].get(m.group(1)) if m else None
    if organ is None or pick.region is None:
        return None
    return f"{pick.name}{organ}" if pick.region in url_host_regions(url) else None


@cache
def _organ_initials() -> dict[str, str]:
    """Pinyin initials of the bodies' names (kxjsj -> 科学技术局): how a site's path names a department."""
    from pypinyin import Style, lazy_pinyin

    c = _cues()["issuer"]
    names = set(c["organs"]) | set(c["host_labels"].values()) | set(c["canonical"].values())
    out = {"".join(lazy_pinyin(n, style=Style.FIRST_LETTER)): n for n in names if n not in c["government_forms"]}
    return {k: v for k, v in out.items() if len(k) >= 3} | dict(c["host_labels"])


_PATH_LEVEL = {"s": "市", "x": "县", "q": "区"}


def _path_department(url: str | None, context: _Context) -> tuple[Region, str] | None:
    """A department named by a segment of its page's path: /bmpd/jmskxjsj/ -> 江门 + 市 + 科学技术局.
    The region's spelling must be confirmed by an area the page itself names (广东省 for 江门)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", (url or "").lower())
    organs = _organ_initials()
    for seg in re.findall(r"(?<=/)[a-z]{5,16}(?=/)", path):
        for key, organ in organs.items():
            if not seg.endswith(key):
                continue
            head = seg[:-len(key)]
            lw = _PATH_LEVEL.get(head[-1:]) if len(head) > 2 else None
            place = head[:-1] if lw else head
            cands = [r for r in pinyin_index().get(place, ()) if lw is None or r.name.endswith(lw)]
            named = [r for r in cands if any(ctx.adcode != r.adcode and is_within(r, ctx) for ctx in context.regions)]
            if len(named) == 1:
                return named[0], organ
    return None


def _is_news(page: _Page) -> bool:
    """A page that reports on something (a congress opening, a meeting) rather than being it."""
    markers = _cues()["doc_type"]["news_markers"]
    lead = page.text[page.body_start:page.body_start + 120]
    return bool(re.match(r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})月\s*\d{1,2}\s*日", lead)) or any(
        w in lead or w in (page.title or "") for w in markers)


def _issuer(page: _Page, doc_type: str, pick: _Pick, url: str | None) -> str | None:
    head = page.text[:3000]
    if any(f"我代表{n}" in head for n in _cues()["issuer"]["national"]):
        return _cues()["issuer"]["national"][0]
    if doc_type == "government_work_report":
        if not pick.name:
            return None
        deputy = _DEPUTY.search(head)
        if deputy and deputy.group(3):
            return f"{pick.name}行政公署"
        return f"{pick.name}人民政府"
    if doc_type == "other" and _is_news(page):
        return None  # news names bodies, but none of them wrote the page
    if page.title:
        iss, found = _issuer_in(page.title, pick)
        if found:
            return iss
        if doc_type != "other" and find_mentions(page.title, loose=True) and pick.name:
            return f"{pick.name}人民政府"  # a report titled by its area is the government's
    for s in _bylines(page):
        iss, found = _issuer_in(s, pick, anchored=True)
        if iss:
            return iss
    by = _compiled_by(page)
    if by:
        iss, _ = _issuer_in(by, pick, anchored=True)
        if iss:
            return iss
    for s in _subjects(page):
        iss, found = _issuer_in(s, pick, anchored=True)
        if iss:
            return iss
        area = find_mentions(s[:12], loose=True)
        if doc_type != "other" and pick.name and pick.source != "zone" and (
                re.match(r"(?:我|全)[省市区县州盟旗]", s) or (area and area[0].start == 0)):
            return f"{pick.name}人民政府"  # "2023年,沈阳市坚持…", "我市坚持…": the area's government
    for s in (*_issuer_lines(page), *_signature(page)):
        iss, found = _issuer_in(s, pick)
        if found and iss:
            return iss
    dept = _host_department(url, pick)
    if dept:
        return dept
    if pick.source == "url_path":
        path_dept = _path_department(url, _Context(page, []))
        if path_dept:
            return f"{pick.name}{path_dept[1]}"
    if doc_type == "other" or re.search(r"我(?:局|厅|委|办)", page.opener[:40]):
        return None  # a department that doesn't say its name; a page that is no report of its own
    if pick.name and pick.source != "zone":
        return f"{pick.name}人民政府"
    return None


# --- dates -----------------------------------------------------------------------------------


def _published(page: _Page, doc: Document) -> str | None:
    d = _cues()["dates"]
    labels = sorted(d["published_labels"], key=len, reverse=True)
    nots = d["not_published_labels"]
    labelled: list[str] = []
    loose: list[str] = []
    hdr = page.header
    for i, (_, line) in enumerate(hdr):
        prev = hdr[i - 1][1] if i else ""
        for h in find_dates(line):
            before = line[:h.start]
            seg = re.split(r"[\s|\]\[]{2,}|\s(?=[^\s]*[:：])", before)[-1] if before else ""
            if any(n in before[-12:] for n in nots):
                continue
            rest = line[h.end:]
            after = hdr[i + 1][1] if i + 1 < len(hdr) and not rest.strip(" )）") else ""
            if re.match(rf"[\s)）]*在[^。]{{0,60}}?{_CONGRESS}", rest + after):
                continue  # a work report's delivery date ("2019年2月26日在…人民代表大会…上")
            if any(lab in seg or lab in before[-16:] for lab in labels) or (
                not before.strip() and prev.strip(" :：[]|") in labels
            ):
                labelled.append(h.iso)
            elif len(line) <= 40 and (h.written == "iso" or TIME_AFTER.match(line, h.end)):
                loose.append(h.iso)  # a bare date in the header: CMS metadata
    if labelled:
        return labelled[0]
    if loose:
        return loose[0]
    return parse_date(doc.published_on)


def _signed(page: _Page, doc_type: str) -> str | None:
    head = page.text[:3000]
    for h in find_dates(head):
        # the delivery date under a work report's (or a plan report's) title:
        # "2019年2月26日在…人民代表大会…上", "──2024年1月8日在市十六届人大三次会议上"
        if re.match(rf"\s*在[^。]{{0,60}}?{_CONGRESS}", head[h.end:h.end + 80]):
            return h.iso
    # signature at the end: the issuer's name and a date, nothing long after them
    tail = page.lines[-6:]
    for idx in range(len(tail) - 1, -1, -1):
        line = tail[idx][1]
        hits = [h for h in find_dates(line) if h.written == "zh"]
        if (hits and len(line) <= 30 and all(len(ln) <= 30 for _, ln in tail[idx + 1:])
                and len(line) - (hits[-1].end - hits[-1].start) <= 20):
            return hits[-1].iso
    # a date standing alone under the title (许昌市科学技术局 / 2021年度…汇报 / 2021年12月23日),
    # or under the name that signs a cover letter or notice above the report (…请审阅。/ 浙江省卫生健康委 /
    # 2024年3月8日)
    for _, line in page.lines[:max(20, len(page.header))]:
        hits = find_dates(line)
        if hits and hits[0].written == "zh" and re.fullmatch(r"[\s(（]*" + re.escape(
                line[hits[0].start:hits[0].end]) + r"[\s)）]*", line):
            return hits[0].iso
    return None


# --- report year -----------------------------------------------------------------------------


# 十一五 -> the plan period 2006-2010: a review of it covers the years up to its last
_PLAN_PERIOD = re.compile(r"“?十([一二三四五六七八九]?)五(?!届)”?(?:时期|期间)?[^\n。]{0,16}回顾")
# "工作总结及2025年工作计划": a summary titled by the plan that follows it covers the year before
_SUMMARY_THEN_PLAN = re.compile(rf"(?:总结|回顾)[^\n。]{{0,6}}?(?:和|及|暨|与)\s*({YEAR_NUMBER})\s*年(?:度)?"
                                r"[^\n。]{0,6}?(?:计划|思路|要点|打算|安排)")


_WORK_REPORT_TITLE = re.compile(rf"\s*{YEAR_NUMBER}\s*年[^\n]{{0,20}}?政府工作报告\s*")
_DATED_SUMMARY = re.compile(rf"{YEAR_NUMBER}\s*年(?:度)?[^\n。]{{0,4}}?(?:工作)?(?:总结|回顾)")


def _delivered_year(iso: str) -> int:
    """The year a work report delivered on ``iso`` reviews: the year before, unless it is
    delivered at the end of the year it reviews (a new congress meeting in December)."""
    return int(iso[:4]) if int(iso[5:7]) >= 10 else int(iso[:4]) - 1


def _report_year(page: _Page, doc_type: str, signed: str | None, published: str | None,
                 url: str | None) -> int | None:
    title = page.title or ""
    body = page.text[page.body_start:]
    head = page.text[:6000]
    # a press digest of a work report (2023年保定市政府工作报告, then 1月30日,市长…作政府工作报告时说)
    # is news, not the report, but covers the year the report reviews
    if doc_type == "government_work_report" or _WORK_REPORT_TITLE.fullmatch(title):
        m = _REVIEW.search(head) or re.search(rf"回顾({YEAR_NUMBER})年", head)
        if m:
            return int(m.group(1))
        m = _PLAN_PERIOD.search(head)
        if m:
            return plan_end(m.group(1))
        if signed:
            return _delivered_year(signed)
        dated = find_dates(title)
        if dated:
            return _delivered_year(dated[0].iso)  # 成华区人民政府工作报告(2024年1月16日)
        ys = years(title)
        if ys:
            return ys[0] - 1
        if published:
            return int(published[:4]) - 1
        m = re.search(rf"/({YEAR_NUMBER})(?:[-/]?(\d{{2}}))[-/]", url or "")
        if m and (not m.group(2) or int(m.group(2)) <= 4):
            return int(m.group(1)) - 1  # delivered in the first months of the year after
        return None
    for where in (title, page.text[:600]):
        m = _SUMMARY_THEN_PLAN.search(where)
        if m:
            if not _DATED_SUMMARY.search(where[:m.start() + 2]):
                return int(m.group(1)) - 1  # the summary's own year is masked or left out (202x年度…)
            break
    ys = years(title)
    if ys:
        return ys[0]
    opener = body[:400]
    m = re.search(rf"^\s*({YEAR_NUMBER})\s*年(?:度)?(?:以来)?\s*[,，、]", body[:1500], re.M)
    if m:
        return int(m.group(1))
    m = re.search(rf"现将[^。]{{0,40}}?({YEAR_NUMBER})\s*年[^。]{{0,40}}?(?:报告|汇报|总结)", body[:3000])
    if m:
        return int(m.group(1))
    ys = years(opener)
    if ys:
        return Counter(ys).most_common(1)[0][0]
    for m in TOP_HEADING_LINE.finditer(body[:3000]):
        ys = years(m.group(2)[:16])
        if ys:
            return ys[0]
    return None


# --- entry point -----------------------------------------------------------------------------


def _national_issuer(page: _Page) -> str | None:
    """A national body that writes the report: 国务院 delivering the work report, or a ministry
    as the subject of the title or the opening sentence (2022年,民政部党组坚持…)."""
    head = page.text[:3000]
    if any(f"我代表{n}" in head for n in _cues()["issuer"]["national"]):
        return _cues()["issuer"]["national"][0]
    for s in (page.title or "", *_subjects(page)[:2], *_bylines(page), *(ln for _, ln in page.header[:2])):
        body = _national_body(s)
        if body:
            return body
    return None


@cache
def _masked_re() -> re.Pattern[str]:
    marks = "|".join(map(re.escape, sorted(_cues()["doc_type"]["masked_places"], key=len, reverse=True)))
    firsts = "".join(sorted({re.escape(m[0]) for m in _cues()["doc_type"]["masked_places"]}))
    return re.compile(rf"(?=[{firsts}])(?<![A-Za-z])(?:{marks})(?:省|市|县|区|州|盟|旗|镇)(?![A-Za-z])")


def _body_province(page: _Page, url_regions: list[Region]) -> str | None:
    """The province of a page whose own area stays unknown (a masked template, 我局 with no
    name), when the places it names lie almost all in one province."""
    provinces = Counter(m.regions[0].province for m in _Context(page, url_regions).mentions if len(m.regions) == 1)
    if not provinces:
        return None
    (top, n), total = provinces.most_common(1)[0], sum(provinces.values())
    return top if n >= 2 and n >= 0.75 * total else None


_REPORT_AFTER = re.compile("人民政府工作报告|政府工作报告")  # ((?:人民)? first: tried at every character)
_NAME_BREAK = re.compile(f"[^{_CJK}]")  # a character no place name holds: a scan from there is in step


def _listed_areas(head: str) -> dict[str, tuple[Region, ...]]:
    """Areas a contents list names as the authors of the reports it collects (杭州市政府工作报告- 3 -)."""
    found: dict[str, tuple[Region, ...]] = {}
    for r in _REPORT_AFTER.finditer(head):
        for end in {r.start(), r.end() - len("政府工作报告")}:
            # names are scanned left to right, longest first: from the last character that no
            # name holds they are cut as a scan of the whole head cuts them (else: scan it all)
            breaks = [b.end() for b in _NAME_BREAK.finditer(head, max(0, end - 40), end)]
            start = breaks[-1] if breaks else 0 if end <= 40 else None
            part = head if start is None else head[start:end]
            at = 0 if start is None else start
            found |= {m.surface: m.regions for m in find_mentions(part, loose=True) if at + m.end == end}
    return found


def _common_province(regions: list[Region]) -> str | None:
    provinces = {r.province for r in regions}
    return provinces.pop() if len(provinces) == 1 else None


def _no_one_area(page: _Page) -> str | None:
    """"compilation" for a page that collects many areas' reports (a title with 各省, or a
    contents list naming three areas' 政府工作报告): it speaks for no one area. "masked" for a
    template whose place names are masked (XX市, ××县, 某区): its title and delivery line name
    no area, so only an area the body itself names often can be its region."""
    title = page.title or ""
    head = page.text[:3000]
    if any(w in title for w in _cues()["doc_type"]["compilation_title"]):
        return "compilation"
    listed = _listed_areas(head)
    if len(listed) >= 3:
        return "compilation"
    where = (title, page.text[:300], *_deliveries(head), page.opener[:40])
    bare = re.findall(r"(?=[Xx])(?<![A-Za-z\d])(?:XX|xx)(?![A-Za-z\d年月日])", head)  # 是xx在…: the place itself
    if any(_masked_re().search(s) for s in where) or len(_masked_re().findall(head)) + len(bare) >= 3:
        return "masked"
    return None


def _english(doc: Document) -> ReportMeta:
    """A report in translation: doc type, national issuer, year and dates from English wording."""
    c = _cues()["english"]
    head = doc.text[:3000]
    low = head.lower()
    doc_type = "other"
    if any(w in low for w in c["gwr"]):
        doc_type = "government_work_report"
    elif any(w in low for w in c["rule_of_law"]) and any(w in low for w in c["report_words"]):
        doc_type = "rule_of_law_report"
    hits = [(low.find(n.lower()), body) for n, body in c["bodies"].items() if n.lower() in low]
    issuer = min(hits)[1] if hits else None
    m = re.search(rf"\b({YEAR_NUMBER})\s+annual report", low) or re.search(rf"\bin\s+({YEAR_NUMBER})\s*,", low)
    year = int(m.group(1)) if m else None
    return ReportMeta(doc_type=doc_type, issuer=issuer, report_year=year,
                      published_on=parse_date(doc.published_on), title=doc.title, url=doc.url,
                      region_source=None, language="en")


def extract_metadata(doc: Document) -> ReportMeta:
    if _cjk_count(doc.text[:2000]) < 40 and re.search(r"[A-Za-z]{2,}", doc.text[:2000]):
        return _english(doc)  # a copy in translation (the ingest step has let only real text through)
    page = _split(doc)
    doc_type = _doc_type(page)
    url_regions = url_host_regions(doc.url)
    national = _national_issuer(page)
    no_area = None if national else _no_one_area(page)
    level, strong_level = (None, False) if national or no_area == "compilation" else _self_level(page)
    pick = _Pick() if national or no_area == "compilation" else _region(
        page, doc, level, strong_level, url_regions, masked=no_area == "masked")
    r = pick.region
    published = _published(page, doc)
    signed = _signed(page, doc_type)
    admin_level = r.level if r else None
    if r is None and pick.source is None and level and not national:
        # the area is unnamed (县科技局 …) but its level is plain; a 市 is most often a prefecture
        admin_level = {"省": "province", "市": "prefecture", "区": "county", "县": "county", "州": "prefecture",
                       "盟": "prefecture", "旗": "county"}.get(level)
    issuer = national or (None if no_area == "compilation" else _issuer(page, doc_type, pick, doc.url))
    province = r.province if r else pick.province
    if province is None and not national and no_area != "compilation":
        province = _body_province(page, url_regions)
    if no_area == "compilation":
        # a collection of one province's reports (浙江省政府工作报告专辑) still has its province
        listed = [reg for regs in _listed_areas(page.text[:3000]).values() if len(regs) == 1 for reg in regs]
        many = any(w in (page.title or "") for w in _cues()["doc_type"]["compilation_title"])  # 各省
        province, signed = (None if many else _common_province(listed)), None
    return ReportMeta(
        doc_type=doc_type,
        issuer=issuer,
        region=pick.name,
        province=province,
        admin_level=admin_level,
        adcode=r.adcode if r else None,
        report_year=None if no_area == "compilation" else _report_year(page, doc_type, signed, published, doc.url),
        published_on=published,
        signed_on=signed,
        title=page.title_written,
        url=doc.url,
        region_source=pick.source,
        language="zh-Hant" if is_traditional(doc.text) else "zh-Hans",
    )


_PLAN_HEADING = re.compile(rf"^\s*({YEAR_NUMBER})年(?!.*(?:回顾|总结|以来))[^\n]*(?:任务|安排|工作|要求|目标|取向)")


def year_before_plan(sections: list[Section]) -> int | None:
    """The year a work report reviews, from the heading of its plan part: a report whose plan
    is "2013年主要任务" reviews 2012. For the reports that carry no date and no year in their
    title (a five-year review's 过去五年工作回顾 names no single year)."""
    years = [int(m.group(1)) for sec in sections if sec.level == 1 and (m := _PLAN_HEADING.match(sec.heading))]
    return max(years) - 1 if years else None
