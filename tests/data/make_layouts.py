"""How the layout PDFs and Word files in tests/data/layouts/ were made (run once, by hand).

Each takes the first paragraphs of a real report (tests/data/docx/), lays them out as
bureaus publish them, and lets a real engine (LibreOffice headless) make the PDF:

* ``footer_dash.pdf``: page number footer ``— 3 —`` and a running header on every page;
* ``footer_of.pdf``: ``第 3 页 共 5 页`` footer;
* ``two_column.pdf``: a title over two columns of body text;
* ``numbered.docx`` / ``numbered.doc``: the headings without their written markers, numbered by
  Word's automatic numbering (一、 at level 0, （一） at level 1, 1. at level 2): the .docx is
  written with python-docx, the .doc is LibreOffice's conversion of it (Word 97-2003).

    apt-get install libreoffice-writer-nogui fonts-noto-cjk
    .venv/bin/python tests/data/make_layouts.py
"""

from __future__ import annotations

import copy
import re
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).parent
SOURCE = HERE / "docx" / "2025年河南省政府工作报告.docx"
OUT = HERE / "layouts"


def _paragraphs(n: int) -> list[str]:
    return [p.text for p in docx.Document(str(SOURCE)).paragraphs if p.text.strip()][:n]


def _field(paragraph, instr: str) -> None:
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _document(paras: list[str], indent: bool = True) -> docx.document.Document:
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    for text in paras:
        p = d.add_paragraph(text)
        if indent and not text.startswith(("2025年", "各位代表")):
            p.paragraph_format.first_line_indent = Pt(28)
    return d


def _as_pdf(d: DocxDocument, name: str) -> None:
    """``name``.pdf from the document, laid out by LibreOffice (the .docx is not kept)."""
    path = OUT / f"{name}.docx"
    d.save(str(path))
    _convert(path)
    path.unlink()


def _convert(doc_path: Path, fmt: str = "pdf") -> None:
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{prof}", "--convert-to", fmt,
                        "--outdir", str(OUT), str(doc_path)], check=True, capture_output=True, timeout=120)


def footer_dash(paras: list[str]) -> None:
    d = _document(paras)
    sec = d.sections[0]
    sec.header.paragraphs[0].text = "河南省人民政府公报"
    f = sec.footer.paragraphs[0]
    f.add_run("— ")
    _field(f, "PAGE")
    f.add_run(" —")
    f.alignment = 1
    _as_pdf(d, "footer_dash")


def footer_of(paras: list[str]) -> None:
    d = _document(paras)
    f = d.sections[0].footer.paragraphs[0]
    f.add_run("第 ")
    _field(f, "PAGE")
    f.add_run(" 页 共 ")
    _field(f, "NUMPAGES")
    f.add_run(" 页")
    f.alignment = 1
    _as_pdf(d, "footer_of")


def two_column(paras: list[str]) -> None:
    d = docx.Document()
    d.styles["Normal"].font.size = Pt(11)
    d.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    d.add_paragraph(paras[0]).alignment = 1
    # a continuous section break: the title above spans the page, the body runs in two columns
    sect = d.sections[0]._sectPr
    p = d.paragraphs[-1]._p
    ppr = p.get_or_add_pPr()
    first = copy.deepcopy(sect)
    for child in list(first):
        if child.tag == qn("w:cols"):
            first.remove(child)
    ppr.append(first)
    for text in paras[1:]:
        d.add_paragraph(text).paragraph_format.first_line_indent = Pt(22)
    cols = sect.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        sect.append(cols)
    cols.set(qn("w:num"), "2")
    cols.set(qn("w:space"), "425")
    typ = OxmlElement("w:type")
    typ.set(qn("w:val"), "continuous")
    sect.insert(0, typ)
    _as_pdf(d, "two_column")


_MARKERS = [(re.compile(r"^[一二三四五六七八九十]+、"), 0), (re.compile(r"^（[一二三四五六七八九十]+）"), 1),
            (re.compile(r"^\d+\."), 2)]


def numbered(paras: list[str]) -> None:
    """Headings numbered by Word: numbering.xml with chineseCounting levels."""
    d = _document([])
    numbering = d.part.numbering_part.element
    an = OxmlElement("w:abstractNum")
    an.set(qn("w:abstractNumId"), "90")
    for ilvl, (fmt, text) in enumerate((("chineseCounting", "%1、"), ("chineseCounting", "（%2）"),
                                        ("decimal", "%3."))):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:suff", "nothing"), ("w:lvlText", text)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        an.append(lvl)
    numbering.insert(0, an)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    aid = OxmlElement("w:abstractNumId")
    aid.set(qn("w:val"), "90")
    num.append(aid)
    numbering.append(num)
    for text in paras:
        level = next((lv for rx, lv in _MARKERS if rx.match(text)), None)
        if level is None:
            d.add_paragraph(text)
            continue
        rx = _MARKERS[level][0]
        p = d.add_paragraph(rx.sub("", text, count=1))
        npr = OxmlElement("w:numPr")
        for tag, val in (("w:ilvl", str(level)), ("w:numId", "90")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            npr.append(el)
        p._p.get_or_add_pPr().append(npr)
    path = OUT / "numbered.docx"
    d.save(str(path))
    _convert(path, "doc")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    paras = _paragraphs(40)
    footer_dash(paras)
    footer_of(paras[:30])
    two_column(paras)
    numbered(_paragraphs(60))
