"""The records that flow between the extraction steps.

Every extractor takes a :class:`Document` and returns plain dataclasses; the pipeline turns
lists of them into Polars frames and DuckDB rows. Character spans (``char_start``/``char_end``)
always index ``Document.text`` (== ``Document.simplified``: the two have the same length).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One report, decoded and cleaned, ready for extraction."""

    source_file: str
    """File name (no folder), or the record ``id`` for a JSONL batch."""
    text: str
    """Cleaned text in its original script (headings are kept as written)."""
    simplified: str
    """``text`` in simplified characters, same length, so spans are shared."""
    url: str | None = None
    title: str | None = None
    """Title given by a scraper record, if any (the text usually carries its own)."""
    published_on: str | None = None
    """ISO date given by a scraper record, if any."""


@dataclass
class ReportMeta:
    doc_type: str = "other"  # rule_of_law_report | government_work_report | other
    issuer: str | None = None
    region: str | None = None
    province: str | None = None
    admin_level: str | None = None  # province | prefecture | county
    adcode: str | None = None
    report_year: int | None = None
    published_on: str | None = None  # ISO YYYY-MM-DD
    signed_on: str | None = None  # ISO YYYY-MM-DD
    title: str | None = None
    url: str | None = None
    region_source: str | None = None  # where the region came from: title, issuer, body, url, ...
    language: str = "zh-Hans"  # zh-Hans | zh-Hant


@dataclass
class Section:
    position: int  # 1-based, document order
    level: int  # 1 = top (一、), 2 = (一), 3 = 1., 4 = 一是 ...
    marker: str  # the marker as written: "一、", "(二)", "3.", "一是"
    heading: str  # without marker and trailing punctuation
    body: str
    char_start: int  # span of the whole section (heading + body) in Document.text
    char_end: int
    parent_position: int | None = None
    category: str | None = None  # canonical category from dictionaries/section_categories
    page: int | None = None  # page of the heading in a paged source (set from the page map, rows.py)


@dataclass
class Quantity:
    position: int  # 1-based, document order
    value: float  # normalised: yuan for money, percent number for %, count otherwise
    unit: str  # normalised unit: yuan, percent, times, 家, 份, 项, 个, 人, 人次, ...
    number_text: str  # as written: "290.92亿元", "3000余家", "三十二次"
    approx: str | None  # 余 / 多 / 近 / 超 / 约 / 以上 ... or None
    sentence: str
    char_start: int
    char_end: int
    value_high: float | None = None  # upper bound of a range ("3-5家")
    section_position: int | None = None
    page: int | None = None  # page in a paged source (set from the page map, rows.py)


@dataclass
class IndicatorFact:
    indicator: str  # high_tech_enterprises, tech_smes, ... (eval/gold/README.md)
    measure: str  # level | new | growth_pct
    value: float
    unit: str
    year: int | None
    evidence: str  # the sentence the figure came from
    char_start: int  # span of the figure in Document.text
    char_end: int
    cue: str  # the indicator wording that matched
    rule: str  # which rule took it (for audit)
    approx: str | None = None
    section_position: int | None = None
    page: int | None = None  # page in a paged source (set from the page map, rows.py)


@dataclass
class IndicatorCandidate:
    """A figure weighed as a fact of an indicator: the fact if accepted, else why not."""

    indicator: str  # the indicator (or "a|b" where the unit was to decide)
    measure: str | None  # level | new | growth_pct, once decided
    value: float
    unit: str
    year: int | None
    rule: str  # direct | figure_first | continuation | respectively
    score: float  # 1 = every word known; lower for unknown words; 0 = rejected by a rule
    features: dict[str, float]  # what lowered the score: gap_unknown, pre_unknown, bare_list
    accepted: bool
    reason: str | None  # why it is no fact (None for a fact)
    cue: str
    evidence: str
    char_start: int
    char_end: int
    section_position: int | None = None
    page: int | None = None  # page in a paged source (set from the page map, rows.py)
    fact: IndicatorFact | None = None  # not stored: the accepted fact itself


@dataclass
class TermCount:
    term: str
    count: int
    section_position: int | None = None  # None = text before the first heading


@dataclass
class Extraction:
    """Everything extracted from one document."""

    meta: ReportMeta
    sections: list[Section] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    indicators: list[IndicatorFact] = field(default_factory=list)
    candidates: list[IndicatorCandidate] = field(default_factory=list)
    terms: list[TermCount] = field(default_factory=list)
