"""Run every extractor on one document: the single entry point the pipeline calls."""

from __future__ import annotations

from collections.abc import Iterable

from pipelines.extract.document import Document, Extraction, IndicatorFact
from pipelines.extract.indicators import indicator_candidates
from pipelines.extract.metadata import extract_metadata, year_before_plan
from pipelines.extract.quantities import extract_quantities
from pipelines.extract.sections import extract_sections
from pipelines.extract.terms import extract_terms


def extract_document(doc: Document, *, with_terms: bool = True) -> Extraction:
    meta = extract_metadata(doc)
    sections = extract_sections(doc)
    if meta.report_year is None and meta.doc_type == "government_work_report":
        meta.report_year = year_before_plan(sections)
    quantities = extract_quantities(doc, sections)
    candidates = indicator_candidates(doc, meta, sections, quantities)
    indicators = distinct_facts(c.fact for c in candidates if c.fact is not None)
    terms = extract_terms(doc, sections) if with_terms else []
    return Extraction(meta=meta, sections=sections, quantities=quantities, indicators=indicators, candidates=candidates,
                      terms=terms)


def distinct_facts(facts: Iterable[IndicatorFact]) -> list[IndicatorFact]:
    """The facts, each figure of a sentence once: the same figure stated in the same sentence
    twice (a body pasted twice, a summary repeating a paragraph word for word) is one fact."""
    seen: set[tuple] = set()
    out = []
    for f in facts:
        key = (f.indicator, f.measure, f.value, f.unit, f.year, f.evidence)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
