"""Quantities (placeholder until the quantities extractor lands)."""

from __future__ import annotations

from pipelines.extract.document import Document, Quantity, Section


def extract_quantities(doc: Document, sections: list[Section]) -> list[Quantity]:
    return []
