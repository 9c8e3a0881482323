"""Terms (placeholder until the jieba term extractor lands)."""

from __future__ import annotations

from pipelines.extract.document import Document, Section, TermCount


def extract_terms(doc: Document, sections: list[Section]) -> list[TermCount]:
    return []
