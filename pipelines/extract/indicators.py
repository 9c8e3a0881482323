"""Indicator facts (placeholder until the indicator extractor lands)."""

from __future__ import annotations

from pipelines.extract.document import Document, IndicatorFact, Quantity, ReportMeta, Section


def extract_indicators(doc: Document, meta: ReportMeta, sections: list[Section],
                       quantities: list[Quantity]) -> list[IndicatorFact]:
    return []
