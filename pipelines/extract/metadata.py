"""Report metadata (placeholder until the metadata extractor lands)."""

from __future__ import annotations

from pipelines.extract.document import Document, ReportMeta


def extract_metadata(doc: Document) -> ReportMeta:
    return ReportMeta(url=doc.url, title=doc.title, published_on=doc.published_on)
