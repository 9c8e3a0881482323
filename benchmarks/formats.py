"""What a page of PDF or Word costs beside the same page as text.

    python -m benchmarks.formats [--pdf-dir DIR] [--repeat N]

For each of the 31 provincial reports in tests/data/docx/ (the real .docx, its .txt twin and,
where one exists, a PDF of it: tests/data/pdf/, or every PDF in ``--pdf-dir``, e.g. made with
``soffice --headless --convert-to pdf``), times the raw layer's read (``ingest.read_file``:
bytes to report text) and the extraction of that text (``rows.extract_rows``: what every
report costs whatever its format). Pages are the PDF's pages (the .docx and .txt of a report
are counted with the same pages). One process, one core. Writes results/formats.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import tempfile
import time
from pathlib import Path

from pipelines.extract.formats import read_document
from pipelines.extract.ingest import SourceRecord, read_file
from pipelines.rows import extract_rows, warm_up

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data"


def _read_seconds(path: Path, root: Path, repeat: int) -> tuple[float, SourceRecord]:
    best = float("inf")
    rec = None
    for _ in range(repeat):
        t = time.perf_counter()
        rec = next(iter(read_file(path, root)))
        best = min(best, time.perf_counter() - t)
    assert isinstance(rec, SourceRecord), rec
    return best, rec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdf-dir", type=Path, default=DATA / "pdf")
    ap.add_argument("--repeat", type=int, default=3, help="reads per file; the fastest counts")
    args = ap.parse_args(argv)
    warm_up()
    read_document((DATA / "pdf" / "2025年河南省政府工作报告.pdf").read_bytes(), ".pdf")  # load PDFium
    totals = {k: 0.0 for k in ("txt_read", "docx_read", "pdf_read", "extract")}
    pages = pdf_pages = 0
    n = n_pdf = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for docx in sorted((DATA / "docx").glob("*.docx")):
            txt = root / docx.with_suffix(".txt").name
            txt.write_bytes(gzip.decompress(docx.with_suffix(".txt.gz").read_bytes()))
            shutil.copy(docx, root / docx.name)
            pdf = args.pdf_dir / docx.with_suffix(".pdf").name
            t_txt, rec = _read_seconds(txt, root, args.repeat)
            t_docx, _ = _read_seconds(root / docx.name, root, args.repeat)
            t = time.perf_counter()
            extract_rows({"report_id": "b", "source_file": rec.source_file, "raw_text": rec.raw_text, "url": None,
                          "title_hint": None, "published_on_hint": None, "content_sha256": "", "truncated": False})
            t_extract = time.perf_counter() - t
            if pdf.exists():
                shutil.copy(pdf, root / pdf.name)
                t_pdf, prec = _read_seconds(root / pdf.name, root, args.repeat)
                totals["pdf_read"] += t_pdf
                pdf_pages += len(prec.page_starts or ())
                n_pdf += 1
                report_pages = len(prec.page_starts or ())
            else:
                report_pages = max(1, round(len(rec.raw_text) / 600))  # ~600 characters a page of these reports
            totals["txt_read"] += t_txt
            totals["docx_read"] += t_docx
            totals["extract"] += t_extract
            pages += report_pages
            n += 1
    ms = {k: round(1000 * v / pages, 2) for k, v in totals.items() if k != "pdf_read"}
    if pdf_pages:
        ms["pdf_read"] = round(1000 * totals["pdf_read"] / pdf_pages, 2)
    result = {"reports": n, "pages": pages, "pdf_reports": n_pdf, "pdf_pages": pdf_pages,
              "ms_per_page": ms, "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "note": "read = raw layer (bytes to text), extract = core layer on that text (jieba included)"}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "formats.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
