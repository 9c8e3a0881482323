"""Turn extraction results into table rows (one dict list per warehouse table).

Runs in worker processes, so it takes plain data and returns plain data or frames.
"""

from __future__ import annotations

from dataclasses import asdict  # vars() for the many small records: asdict deep-copies

import polars as pl

from pipelines.extract.clean import looks_truncated
from pipelines.extract.document import Document, IndicatorCandidate, Section
from pipelines.extract.formats import page_of
from pipelines.extract.ingest import make_document
from pipelines.extract.neardup import sketch
from pipelines.extract.numbers import parse_chinese
from pipelines.extract.regions import load_all
from pipelines.extract.report import extract_document
from pipelines.extract.terms import count_terms
from pipelines.store import CORE_TABLES as TABLES
from pipelines.tables import SCHEMAS, frame


def extract_rows(item: dict) -> tuple[dict[str, list[dict]], Document, list[Section]]:
    """Rows of every core table but ``section_terms`` for one raw document (terms are counted
    a batch at a time: :func:`extract_batch`), with the document and its sections.

    ``item`` holds report_id, source_file, raw_text, url, title_hint, published_on_hint,
    content_sha256 and optionally page_starts (a row of ``raw_documents``). The text is cleaned
    here, and only here: the cleaned text, its length and the truncation flag are stored with the
    rows extracted from it.
    """
    doc, clean = make_document(item["source_file"], item["raw_text"], item["url"], item["title_hint"],
                               item["published_on_hint"])
    ex = extract_document(doc, with_terms=False)
    pages = item.get("page_starts")
    if pages:  # the page of every record, from its raw offset (PDF, laid-out Word)
        for rec in (*ex.sections, *ex.quantities, *ex.indicators, *ex.candidates):
            rec.page = page_of(pages, clean.raw_span(rec.char_start, rec.char_end)[0])
    rid = item["report_id"]
    meta = asdict(ex.meta)
    report = {
        "report_id": rid, "source_file": doc.source_file,
        **{k: meta.get(k) for k in ("doc_type", "issuer", "region", "province", "admin_level", "adcode",
                                    "report_year", "published_on", "signed_on", "title", "url",
                                    "region_source", "language")},
        "n_chars": len(doc.text), "truncated": looks_truncated(doc.text), "content_sha256": item["content_sha256"],
    }
    sections = [{"report_id": rid, **vars(s)} for s in ex.sections]
    quantities = []
    for q in ex.quantities:
        row = {"report_id": rid, **vars(q)}
        row["raw_char_start"], row["raw_char_end"] = clean.raw_span(q.char_start, q.char_end)
        quantities.append(row)
    indicators = []
    for f in ex.indicators:  # (one fact per figure of a sentence: report.distinct_facts)
        row = {"report_id": rid, "fact_no": len(indicators) + 1, **vars(f)}
        row["raw_char_start"], row["raw_char_end"] = clean.raw_span(f.char_start, f.char_end)
        indicators.append(row)
    candidates = [{"report_id": rid, "candidate_no": n, **candidate_row(c)} for n, c in enumerate(ex.candidates, 1)]
    texts = {"report_id": rid, "clean_text": doc.text, "text_sketch": list(sketch(doc.text, doc.simplified))}
    tables = {"reports": [report], "report_texts": [texts],
              "sections": sections, "quantities": quantities, "indicators": indicators,
              "indicator_candidates": candidates}
    return tables, doc, ex.sections


def candidate_row(c: IndicatorCandidate) -> dict:
    """An indicator candidate as a row of ``indicator_candidates`` (the report's key and the
    candidate's number apart): every field but the accepted fact, the features as a list of
    (feature, value) structs. The warehouse and ``evaluate.score_raw`` both take it from here."""
    row = {k: v for k, v in vars(c).items() if k != "fact"}
    row["features"] = [{"feature": k, "value": v} for k, v in c.features.items()]
    return row


def extract_batch(items: list[dict]) -> dict[str, pl.DataFrame]:
    """One frame per core table for a batch of documents.

    Frames, not row dicts, cross back to the loading process: a frame pickles as Arrow
    buffers, ~10x cheaper than a million small dicts, and the conversion runs in the worker.
    """
    out: dict[str, list[dict]] = {t: [] for t in TABLES if t != "section_terms"}
    texts: list[tuple[str, list[Section]]] = []
    for item in items:
        rows, doc, sections = extract_rows(item)
        for table, table_rows in rows.items():
            out[table].extend(table_rows)
        texts.append((doc.simplified, sections))
    frames = {t: frame(t, rows) for t, rows in out.items()}
    # terms of the whole batch counted at once, straight into the table's list-per-section form
    ids = pl.Series("report_id", [item["report_id"] for item in items], pl.String)
    by_section = (count_terms(texts).group_by("doc", "section_position", maintain_order=True)
                  .agg(pl.struct("term", "count").alias("terms")))
    frames["section_terms"] = pl.DataFrame({
        "report_id": ids.gather(by_section["doc"]), "section_position": by_section["section_position"],
        "terms": by_section["terms"]}).cast(SCHEMAS["section_terms"])
    return {t: frames[t] for t in TABLES}


WARM_UP_TEXT = """某市科学技术局2023年法治政府建设年度报告
一、主要工作
(一)加强科技创新。全市高新技术企业达到100家,同比增长10%。
"""


def warm_up() -> None:
    """Load every extractor's modules and dictionaries (jieba's, the gazetteer) in this process."""
    load_all()
    parse_chinese("十二")  # imports cn2an, which numbers.py loads only when first needed
    extract_batch([{"report_id": "warm-up", "source_file": "warm-up.txt", "raw_text": WARM_UP_TEXT, "url": None,
                  "title_hint": None, "published_on_hint": None, "content_sha256": ""}])
