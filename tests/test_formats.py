"""Word and PDF reports read as published (pipelines/extract/formats.py).

Material: the 31 provincial 2025 work reports as the real .docx files, each beside its text
twin (tests/data/docx/, the twin gzipped); the Henan report as a PDF made from its .docx by
LibreOffice; layouts made the same way from its paragraphs (tests/data/make_layouts.py):
page-number footers, a running header, two columns, Word's automatic numbering.
"""

from __future__ import annotations

import gzip
import os
import stat
import zipfile
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest
from conftest import build_warehouse

from pipelines.extract import formats
from pipelines.extract.formats import FormatError, read_document
from pipelines.extract.ingest import Rejection, SourceRecord, make_document, read_file
from pipelines.extract.report import extract_document

DATA = Path(__file__).parent / "data"
DOCX = sorted((DATA / "docx").glob("*.docx"))
HENAN = DATA / "docx" / "2025年河南省政府工作报告.docx"
HENAN_PDF = DATA / "pdf" / "2025年河南省政府工作报告.pdf"
LAYOUTS = DATA / "layouts"


def twin(path: Path) -> str:
    return gzip.open(path.with_suffix(".txt.gz"), "rt", encoding="utf-8").read()


def summary(name: str, text: str) -> tuple:
    """What the twins must share: metadata, the top sections, the facts."""
    ex = extract_document(make_document(name, text)[0], with_terms=False)
    m = ex.meta
    return ((m.doc_type, m.region, m.province, m.report_year, m.issuer),
            [(s.marker, s.heading) for s in ex.sections if s.level == 1],
            sorted((f.indicator, f.measure, f.value, f.year) for f in ex.indicators))


def paragraphs(n: int) -> list[str]:
    return [line for line in twin(HENAN).split("\n") if line.strip()][:n]


def test_there_are_31_word_reports_with_twins():
    assert len(DOCX) == 31
    assert all(p.with_suffix(".txt.gz").exists() for p in DOCX)


@pytest.mark.parametrize("path", DOCX, ids=lambda p: p.stem)
def test_word_report_is_its_text_twin(path):
    ex = read_document(path.read_bytes(), ".docx")
    text = twin(path)
    assert ex.fmt == "docx"
    # the twin is the document's paragraphs, one a line: so is the reader's text, hence the same
    # report_id and one report in a warehouse holding both. Two twins lack the empty closing
    # paragraph their .docx has (a self-closing <w:p/>): the same text but for that newline
    assert ex.text == text or ex.text == text + "\n"
    got, want = summary(path.name, ex.text), summary(path.name, text)
    assert got == want
    assert got[0][1] and got[0][3] == 2024  # region and year


def test_word_reports_are_byte_for_byte_their_twins():
    same = [read_document(p.read_bytes(), ".docx").text == twin(p) for p in DOCX]
    assert sum(same) == 29


def test_word_reports_have_their_top_sections():
    # one of the 31 (西藏) writes its headings without markers ("2024年工作回顾"): its .txt has
    # no top sections either, which is the section extractor's matter, not the reader's
    tops = [len(summary(p.name, read_document(p.read_bytes(), ".docx").text)[1]) for p in DOCX]
    assert sum(n >= 2 for n in tops) >= 30


def test_word_page_map_follows_words_layout():
    ex = read_document(HENAN.read_bytes(), ".docx")
    # Word laid this file out on 22 pages (21 w:lastRenderedPageBreak); LibreOffice gives 22 too
    assert len(ex.page_starts) == 22 and ex.page_starts[0] == 0
    assert list(ex.page_starts) == sorted(ex.page_starts)
    plain = read_document((DATA / "docx" / "2025年北京市政府工作报告.docx").read_bytes(), ".docx")
    assert plain.page_starts is None  # never laid out by Word: no pages rather than wrong ones


def test_word_numbering_comes_out_as_markers():
    # numbered.docx holds the Henan paragraphs with their written markers taken off and
    # Word's automatic numbering (chineseCounting "%1、", "（%2）") in their place
    ex = read_document((LAYOUTS / "numbered.docx").read_bytes(), ".docx")
    text = "\n".join(paragraphs(60))
    assert ex.text.split("\n") == text.split("\n")
    doc = make_document("numbered.docx", ex.text)[0]
    secs = [(s.level, s.marker) for s in extract_document(doc, with_terms=False).sections]
    want = [(s.level, s.marker) for s in extract_document(make_document("t", text)[0], with_terms=False).sections]
    assert secs == want and (1, "一、") in secs and (2, "(三)") in secs


@pytest.mark.parametrize(("n", "fmt", "text"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (12, "chineseCounting", "十二"),
    (20, "chineseCounting", "二十"), (105, "chineseCountingThousand", "一百零五"),
    (3, "taiwaneseCountingThousand", "三"), (3, "ideographTraditional", "丙"), (3, "decimalEnclosedCircle", "③"),
    (4, "upperRoman", "IV"), (2, "lowerLetter", "b"), (7, "decimal", "7"), (3, "chineseLegalSimplified", "叁"),
])
def test_number_formats(n, fmt, text):
    assert formats.format_number(n, fmt) == text


def test_tables_come_out_as_rows_and_headers_footers_footnotes_stay_out():
    import docx

    d = docx.Document()
    d.add_paragraph("某市科学技术局2023年法治政府建设年度报告" + "加强科技创新" * 10)
    d.sections[0].header.paragraphs[0].text = "页眉文字不是正文"
    d.sections[0].footer.paragraphs[0].text = "页脚文字不是正文"
    t = d.add_table(rows=2, cols=2)
    for (r, c), v in {(0, 0): "指标", (0, 1): "数值", (1, 0): "高新技术企业", (1, 1): "120家"}.items():
        t.cell(r, c).text = v
    d.add_paragraph("二、存在的问题")
    import io

    buf = io.BytesIO()
    d.save(buf)
    ex = read_document(buf.getvalue(), ".docx")
    assert ex.text.split("\n")[1:] == ["指标\t数值", "高新技术企业\t120家", "二、存在的问题"]
    assert "页眉" not in ex.text and "页脚" not in ex.text


def test_pdf_report_gives_the_same_report_as_its_text():
    ex = read_document(HENAN_PDF.read_bytes(), ".pdf")
    text = twin(HENAN)
    assert ex.fmt == "pdf" and len(ex.page_starts) == 22
    assert summary("henan.pdf", ex.text) == summary("henan.txt", text)
    # paragraphs joined back: the PDF's ~600 lines are the twin's paragraphs again
    lines = [line for line in ex.text.split("\n") if line.strip()]
    want = [line for line in text.split("\n") if line.strip()]
    assert len(lines) == len(want)
    assert sum(a == b for a, b in zip(lines, want, strict=True)) >= len(want) - 2  # two spaces PDFium drops


def test_pdf_page_of_every_fact_is_the_page_it_is_printed_on():
    ex = read_document(HENAN_PDF.read_bytes(), ".pdf")
    doc, clean = make_document("henan.pdf", ex.text)
    facts = extract_document(doc, with_terms=False).indicators
    assert facts
    pdf = pdfium.PdfDocument(HENAN_PDF.read_bytes())
    pages = [pdf[i].get_textpage().get_text_range().replace(" ", "").replace("\r\n", "") for i in range(len(pdf))]
    for f in facts:
        start, end = clean.raw_span(f.char_start, f.char_end)
        page = formats.page_of(ex.page_starts, start)
        assert ex.text[start:end].replace(" ", "") in pages[page - 1], (f, page)


def test_page_numbers_and_running_headers_are_removed():
    dash = read_document((LAYOUTS / "footer_dash.pdf").read_bytes(), ".pdf")
    of = read_document((LAYOUTS / "footer_of.pdf").read_bytes(), ".pdf")
    assert len(dash.page_starts) >= 5 and len(of.page_starts) >= 5
    assert "— 2 —" not in dash.text and "河南省人民政府公报" not in dash.text
    assert "页 共" not in of.text
    for ex, n in ((dash, 40), (of, 30)):
        got = ex.text.split("\n")
        want = paragraphs(n)
        # every paragraph is there, whole, in order: its lines joined across page breaks
        found = [got.index(w) for w in want if w in got]
        assert len(found) >= n - 1 and found == sorted(found)  # one lost its space: "企业 2500家"
        # and nothing lost or added: the same characters (PDFium drops the space of "企业 2500家")
        assert ex.text.replace("\n", "") == "".join(want).replace(" 2500", "2500")


def test_two_column_pages_read_column_by_column():
    ex = read_document((LAYOUTS / "two_column.pdf").read_bytes(), ".pdf")
    pos = [ex.text.find(p[:10]) for p in paragraphs(40)]  # where each paragraph begins
    assert all(p >= 0 for p in pos)
    assert pos == sorted(pos)
    whole = [p for p in paragraphs(40) if p in ex.text.split("\n")]
    assert len(whole) >= 39  # the lines of each paragraph joined across the column and page breaks


def _scan_of(path: Path) -> bytes:
    """A scanned report: the pages of a real PDF as pictures, no text."""
    src = pdfium.PdfDocument(path.read_bytes())
    out = pdfium.PdfDocument.new()
    for i in range(2):
        w, h = src[i].get_size()
        bitmap = src[i].render(scale=0.5)
        page = out.new_page(w, h)
        image = pdfium.PdfImage.new(out)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(w, h))
        page.insert_obj(image)
        page.gen_content()
    import io

    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return buf.getvalue()


HTML = "<!DOCTYPE html><html><body><p>页面不存在</p></body></html>".encode()


@pytest.mark.parametrize(("suffix", "data", "reason"), [
    (".pdf", lambda: _scan_of(HENAN_PDF), formats.SCANNED_REASON),
    (".pdf", lambda: (DATA / "pdf" / "encrypted.pdf").read_bytes(), "encrypted PDF: password required"),
    (".pdf", lambda: b"%PDF-1.7\n1 0 obj garbage", "corrupt PDF"),
    (".pdf", lambda: HENAN_PDF.read_bytes()[:2000], "corrupt PDF"),
    (".pdf", lambda: HTML, "not a PDF"),
    (".pdf", lambda: b"", "empty"),
    (".docx", lambda: HTML, "not a Word document"),
    (".docx", lambda: _zip({"data.csv": b"a,b\n1,2\n"}), "not a Word document"),
    (".docx", lambda: _zip({"content.xml": b"<x/>", "mimetype": b"application/vnd.oasis"}), "not a Word document"),
    (".docx", lambda: HENAN.read_bytes()[: len(HENAN.read_bytes()) // 2], "corrupt Word document"),
    (".docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + bytes(600),
     "encrypted Word document"),
    (".doc", lambda: HTML, "not a Word document"),
])
def test_each_bad_file_has_its_reason(suffix, data, reason):
    with pytest.raises(FormatError) as exc:
        read_document(data(), suffix)
    assert exc.value.reason == reason


def test_bad_files_are_rejections_in_the_raw_folder_never_crashes(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(_scan_of(HENAN_PDF))
    (tmp_path / "page.pdf").write_bytes(HTML)
    (tmp_path / "report.docx").write_bytes(HENAN.read_bytes())
    out = {p.name: list(read_file(p, tmp_path)) for p in tmp_path.iterdir()}
    assert isinstance(out["report.docx"][0], SourceRecord) and out["report.docx"][0].page_starts
    assert [(r.reason, type(r)) for r in out["scan.pdf"]] == [(formats.SCANNED_REASON, Rejection)]
    assert out["page.pdf"][0].reason == "not a PDF" and "HTML" in out["page.pdf"][0].detail


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    """A stand-in for LibreOffice's command on PATH (the real one is not installed by `make env`)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_legacy_word_without_libreoffice_is_rejected_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice anywhere
    with pytest.raises(FormatError) as exc:
        read_document((LAYOUTS / "numbered.doc").read_bytes(), ".doc")
    assert exc.value.reason == "legacy Word format: save as .docx" and "not installed" in exc.value.detail


def test_legacy_word_is_converted_by_libreoffice_started_by_the_pipeline(monkeypatch, tmp_path):
    # the stand-in checks the command line the pipeline gives LibreOffice and answers as it
    # does: the .docx in --outdir (here LibreOffice's own conversion of numbered.doc's source)
    target = LAYOUTS / "numbered.docx"
    body = f"""
case "$*" in *--headless*--convert-to\\ docx*) ;; *) echo "bad args: $*" >&2; exit 2;; esac
case "$*" in *-env:UserInstallation=file://*) ;; *) echo "no private profile" >&2; exit 3;; esac
while [ "$1" != "--outdir" ]; do shift; done
mkdir -p "$2"; cp "{target}" "$2/report.docx"
"""
    monkeypatch.setenv("PATH", f"{_fake_soffice(tmp_path, body)}{os.pathsep}{os.environ['PATH']}")
    ex = read_document((LAYOUTS / "numbered.doc").read_bytes(), ".doc")
    assert ex.fmt == "doc" and ex.encoding == "doc via LibreOffice" and ex.text.startswith("2025年河南省")


def test_legacy_conversion_that_hangs_or_fails_is_a_rejection(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", f"{_fake_soffice(tmp_path, 'sleep 30')}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(FormatError) as exc:
        formats.convert_legacy(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".wps", timeout=1)
    assert exc.value.reason == formats.LEGACY_REASON and "within 1 s" in exc.value.detail


def test_a_folder_of_word_and_pdf_builds_with_pages(tmp_path, dagster_home):
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in DOCX[:3]:
        (raw / p.name).write_bytes(p.read_bytes())
        (raw / p.with_suffix(".txt").name).write_text(twin(p), encoding="utf-8")  # the same report as text
    (raw / HENAN_PDF.name).write_bytes(HENAN_PDF.read_bytes())
    (raw / "scan.pdf").write_bytes(_scan_of(HENAN_PDF))
    wh = tmp_path / "wh.duckdb"
    build_warehouse(raw, wh, dagster_home)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 4  # 3 Word/text twins once, 1 PDF
        rej = dict(con.execute("SELECT source_file, reason FROM rejected_files").fetchall())
        assert rej.pop("scan.pdf") == formats.SCANNED_REASON
        assert sorted(rej.values()) == ["duplicate"] * 3
        fmt = dict(con.execute("SELECT format, count(*) FROM raw_documents GROUP BY 1").fetchall())
        assert fmt.get("pdf") == 1
        # every section, quantity and fact of the PDF has its page, and it is within the report
        for table in ("sections", "quantities", "indicators"):
            n, paged, lo, hi = con.execute(
                f"SELECT count(*), count(page), min(page), max(page) FROM {table} JOIN raw_documents d USING "
                "(report_id) WHERE d.format = 'pdf'").fetchone()
            assert n and paged == n and lo >= 1 and hi <= 22, table
        # the page map is in raw_documents, and the page column agrees with it
        bad = con.execute("""SELECT count(*) FROM indicators i JOIN raw_documents d USING (report_id)
            WHERE d.page_starts IS NOT NULL
              AND i.page <> len(list_filter(d.page_starts, s -> s <= i.raw_char_start))""").fetchone()[0]
        assert bad == 0
    finally:
        con.close()


def test_legacy_conversion_that_fails_says_why(monkeypatch, tmp_path):
    body = 'echo "Error: source file could not be loaded" >&2; exit 1'
    monkeypatch.setenv("PATH", f"{_fake_soffice(tmp_path, body)}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(FormatError) as exc:
        read_document((LAYOUTS / "numbered.doc").read_bytes(), ".doc")
    assert exc.value.reason == formats.LEGACY_REASON and "could not be loaded" in exc.value.detail


def test_too_large_and_not_chinese_are_the_usual_reasons(monkeypatch, tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Annual report on the rule of law. " * 40)  # a machine translation, say
    d.save(str(tmp_path / "english.docx"))
    (tmp_path / "big.pdf").write_bytes(HENAN_PDF.read_bytes())
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 100_000)
    reasons = {p.name: next(iter(read_file(p, tmp_path))).reason for p in tmp_path.iterdir()}
    assert reasons == {"english.docx": "not a report: too little Chinese text", "big.pdf": "too large for one report"}
