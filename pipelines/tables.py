"""The columns and types of the warehouse tables, as Polars schemas.

They mirror ``warehouse/schema/*.sql``; rows are turned into frames of these types where they
are made (in the extraction workers too), so the loading process only inserts Arrow data.
"""

from __future__ import annotations

import polars as pl

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "raw_documents": {
        "report_id": pl.String, "source_file": pl.String, "source_path": pl.String, "file_path": pl.String,
        "line_no": pl.Int32, "format": pl.String, "encoding": pl.String, "content_sha256": pl.String,
        "file_sha256": pl.String, "url": pl.String, "title_hint": pl.String, "published_on_hint": pl.String,
        "raw_n_chars": pl.Int32, "raw_text": pl.String, "page_starts": pl.List(pl.Int32),
    },
    "rejected_files": {
        "source_file": pl.String, "source_path": pl.String, "file_path": pl.String, "line_no": pl.Int32,
        "reason": pl.String, "detail": pl.String, "duplicate_of": pl.String, "report_id": pl.String,
        "similarity": pl.Float64, "file_sha256": pl.String,
    },
    "reports": {
        "report_id": pl.String, "source_file": pl.String, "doc_type": pl.String, "issuer": pl.String,
        "region": pl.String, "province": pl.String, "admin_level": pl.String, "adcode": pl.String,
        "report_year": pl.Int32, "published_on": pl.String, "signed_on": pl.String, "title": pl.String,
        "url": pl.String, "region_source": pl.String, "language": pl.String, "n_chars": pl.Int32,
        "truncated": pl.Boolean, "content_sha256": pl.String, "near_duplicate_of": pl.String,
    },
    "sections": {
        "report_id": pl.String, "position": pl.Int32, "level": pl.Int32, "parent_position": pl.Int32,
        "marker": pl.String, "heading": pl.String, "category": pl.String, "body": pl.String,
        "char_start": pl.Int32, "char_end": pl.Int32, "page": pl.Int32,
    },
    "quantities": {
        "report_id": pl.String, "position": pl.Int32, "value": pl.Float64, "value_high": pl.Float64,
        "unit": pl.String, "number_text": pl.String, "approx": pl.String, "sentence": pl.String,
        "section_position": pl.Int32, "char_start": pl.Int32, "char_end": pl.Int32,
        "raw_char_start": pl.Int32, "raw_char_end": pl.Int32, "page": pl.Int32,
    },
    "indicators": {
        "report_id": pl.String, "fact_no": pl.Int32, "indicator": pl.String, "measure": pl.String,
        "value": pl.Float64, "unit": pl.String, "year": pl.Int32, "approx": pl.String, "cue": pl.String,
        "rule": pl.String, "evidence": pl.String, "section_position": pl.Int32, "char_start": pl.Int32,
        "char_end": pl.Int32, "raw_char_start": pl.Int32, "raw_char_end": pl.Int32, "page": pl.Int32,
    },
    "indicator_candidates": {
        "report_id": pl.String, "candidate_no": pl.Int32, "indicator": pl.String, "measure": pl.String,
        "value": pl.Float64, "unit": pl.String, "year": pl.Int32, "rule": pl.String, "score": pl.Float64,
        "features": pl.List(pl.Struct({"feature": pl.String, "value": pl.Float64})), "accepted": pl.Boolean,
        "reason": pl.String, "cue": pl.String, "evidence": pl.String, "section_position": pl.Int32,
        "char_start": pl.Int32, "char_end": pl.Int32, "page": pl.Int32,
    },
    "dim_indicator": {
        "indicator": pl.String, "label": pl.String, "kind": pl.String, "unit": pl.String,
        "display_unit": pl.String, "display_per": pl.Float64, "flow": pl.Boolean, "max_level": pl.Float64,
    },
    "raw_files": {"source_path": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "file_sha256": pl.String},
    "report_texts": {"report_id": pl.String, "clean_text": pl.String},
    "section_terms": {"report_id": pl.String, "section_position": pl.Int32,
                      "terms": pl.List(pl.Struct({"term": pl.String, "count": pl.Int32}))},
}


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """``rows`` as a frame of ``table``'s columns and types (keys not in the table are dropped)."""
    return pl.DataFrame(rows, schema=SCHEMAS[table])
