"""Section tree (placeholder until the sections extractor lands)."""

from __future__ import annotations

from pipelines.extract.document import Document, Section


def extract_sections(doc: Document) -> list[Section]:
    return []
