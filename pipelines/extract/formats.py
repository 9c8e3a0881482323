"""Read reports as bureaus publish them: Word (.docx; .doc/.wps through LibreOffice) and PDF.

Text in, text out, like the rest of ``pipelines/extract``: :func:`read_document` takes a
file's bytes and returns an :class:`Extracted` (the text and, for paged formats, the offset at
which every page starts), or raises :class:`FormatError` with a reason an analyst can read in
``rejected_files``. Nothing here raises anything else for bad input.

What a reader does is what only a reader of that format can do; the general repair of scraped
text (lines broken mid-sentence, spaces in numbers) is ``clean``'s.

* Word: body paragraphs in order (tables as one line per row, cells tab-separated), Word's
  automatic list numbering rendered as the text markers it shows (一、 （一） 1.), footnotes,
  comments, headers and footers left out (they are separate parts of the package). A ``.docx``
  whose paragraphs are plain text gives exactly the text "one line per ``<w:p>``".
* PDF (PDFium's text layer): running headers, footers and page numbers (``— 3 —``,
  ``第 3 页 共 13 页``) removed, two-column pages in reading order, the lines of a paragraph
  joined where the layout shows it (a line that reaches the right margin goes on in the next
  one unless that one is indented), spaces PDFium invents between a Chinese character and a
  digit dropped.
"""

from __future__ import annotations

import ctypes
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from statistics import median

SUFFIXES = {".docx", ".pdf", ".doc", ".wps"}
# A published PDF or Word file carries fonts and pictures: far larger than its text (the
# provincial reports: 30-600 KB as .docx, ~0.5 MB as PDF). Past this it is not one report.
MAX_FILE_BYTES = 100_000_000
MAX_PAGES = 2000
# Uncompressed size of word/document.xml past which a .docx is refused (a zip bomb, a dump).
MAX_DOCX_XML = 200_000_000
LEGACY_TIMEOUT_S = 120

LEGACY_REASON = "legacy Word format: save as .docx"
SCANNED_REASON = "scanned PDF: no text layer"


class FormatError(ValueError):
    """A file that cannot be read as its type says: ``reason`` goes to ``rejected_files``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Extracted:
    text: str
    fmt: str  # docx | pdf | doc | wps
    encoding: str  # how the text was had: "docx XML", "PDF text layer", "doc via LibreOffice"
    page_starts: tuple[int, ...] | None = None  # offset in ``text`` where each page begins


def page_of(page_starts: tuple[int, ...] | list[int] | None, offset: int) -> int | None:
    """1-based page of character ``offset`` given a page map, or None for unpaged text."""
    if not page_starts:
        return None
    return max(1, bisect_right(page_starts, offset))


# ------------------------------------------------------------------------------------ dispatch
def sniff(data: bytes) -> str:
    """What the bytes are, whatever the name says: pdf | zip | ole | html | rtf | other."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # Word 97-2003, WPS, or an encrypted OOXML package
    if data.startswith(b"{\\rtf"):
        return "rtf"
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml")) or b"<html" in low:
        return "html"
    return "other"


def read_document(data: bytes, suffix: str) -> Extracted:
    """Text of a ``.docx``/``.pdf``/``.doc``/``.wps`` file's bytes; raises :class:`FormatError`."""
    suffix = suffix.lower()
    if not data:
        raise FormatError("empty")
    if len(data) > MAX_FILE_BYTES:
        raise FormatError("too large for one report", f"{len(data)} bytes > {MAX_FILE_BYTES}")
    kind = sniff(data)
    if suffix == ".pdf":
        if kind != "pdf":
            raise FormatError("not a PDF", _what(kind))
        return read_pdf(data)
    if suffix == ".docx":
        if kind == "ole":
            if _is_encrypted_ooxml(data):
                raise FormatError("encrypted Word document", "password-protected: save without a password")
            return convert_legacy(data, ".doc")  # a Word 97-2003 file named .docx
        if kind != "zip":
            raise FormatError("not a Word document", _what(kind))
        return read_docx(data)
    if suffix in (".doc", ".wps"):
        if kind == "zip":  # a .docx under an old name
            return read_docx(data, fmt=suffix[1:])
        if kind not in ("ole", "rtf"):
            raise FormatError("not a Word document", _what(kind))
        return convert_legacy(data, suffix)
    raise FormatError("unsupported file type", suffix or "(no suffix)")


def _what(kind: str) -> str:
    return {"html": "the file is an HTML page", "pdf": "the file is a PDF", "zip": "the file is a zip archive",
            "ole": "the file is an old Office (OLE) file", "rtf": "the file is RTF",
            "other": "unrecognised content"}[kind]


def _is_encrypted_ooxml(data: bytes) -> bool:
    # an encrypted .docx is an OLE container with these streams (MS-OFFCRYPTO)
    return "EncryptionInfo".encode("utf-16-le") in data[:65536] or "EncryptedPackage".encode("utf-16-le") in data


# ---------------------------------------------------------------------------------------- Word
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TR, _TC, _SDT, _SDTCONTENT = (f"{_W}{t}" for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_T, _TAB, _BR, _CR, _RPB, _NOBREAK = (f"{_W}{t}" for t in ("t", "tab", "br", "cr", "lastRenderedPageBreak",
                                                           "noBreakHyphen"))
# runs of these are not body text: drawings/text boxes (and their AlternateContent fallback,
# which repeats them), deleted text, field instructions, footnote and comment references
_SKIP = {f"{_W}{t}" for t in ("drawing", "pict", "del", "instrText", "delText", "footnoteReference",
                              "endnoteReference", "commentReference", "pPr", "rPr", "object")}
_SKIP.add(f"{_MC}AlternateContent")


def read_docx(data: bytes, fmt: str = "docx", encoding: str = "docx XML") -> Extracted:
    """Body text of a Word (OOXML) file, one line per paragraph, numbering as text."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "word/document.xml" not in names:
                what = "an OpenDocument file" if "content.xml" in names else "a zip of something else"
                raise FormatError("not a Word document", f"{what}: no word/document.xml")
            info = z.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML:
                raise FormatError("too large for one report", f"word/document.xml is {info.file_size} bytes")
            z.testzip()  # CRC of every member: a truncated download fails here, not half way
    except zipfile.BadZipFile as exc:
        raise FormatError("corrupt Word document", f"damaged or truncated zip: {exc}") from exc
    except (OSError, EOFError, RuntimeError, zipfile.LargeZipFile) as exc:
        raise FormatError("corrupt Word document", str(exc)) from exc
    import docx  # python-docx: parses the package, its relationships, numbering and styles
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError as exc:
        raise FormatError("not a Word document", str(exc)) from exc
    except Exception as exc:
        raise FormatError("corrupt Word document", f"{type(exc).__name__}: {exc}") from exc
    numbering = _Numbering(document)
    lines: list[str] = []
    pages: list[int] = []  # offsets where Word last laid out a new page (w:lastRenderedPageBreak)
    length = 0

    def emit(text: str, breaks: list[int]) -> None:
        nonlocal length
        pages.extend(length + b for b in breaks)
        lines.append(text)
        length += len(text) + 1

    for kind, el in _body_blocks(document.element.body):
        if kind == "p":
            text, breaks = _paragraph_text(el)
            marker = numbering.marker(el, bool(text.strip()))
            emit(marker + text, [len(marker) + b for b in breaks])
        else:  # a table row: its cells' paragraphs, a tab between cells (its pages: where the row begins)
            cells, breaks = [], []
            for tc in el.iterchildren(_TC):
                parts = []
                for _, p in _body_blocks(tc):
                    t, b = _paragraph_text(p) if p.tag == _P else ("", [])
                    breaks += b[:1]
                    if t.strip():
                        parts.append(numbering.marker(p, True) + t.strip())
                cells.append(" ".join(parts))
            emit("\t".join(cells).rstrip("\t"), [0] if breaks else [])
    text = "\n".join(lines)
    page_starts = tuple([0, *sorted(set(p for p in pages if 0 < p < len(text)))]) if pages else None
    return Extracted(text, fmt, encoding, page_starts)


def _body_blocks(parent):
    """``("p", el)`` and ``("tr", el)`` of a body or cell in document order (content controls opened)."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _P:
            yield "p", child
        elif tag == _TBL:
            for tr in child.iter(_TR):
                if tr.getparent() is child or tr.getparent().tag == _SDTCONTENT:
                    yield "tr", tr
        elif tag == _SDT:
            content = child.find(_SDTCONTENT)
            if content is not None:
                yield from _body_blocks(content)


def _paragraph_text(p) -> tuple[str, list[int]]:
    """Text of one ``<w:p>`` and the offsets in it where Word began a new page."""
    out: list[str] = []
    breaks: list[int] = []
    size = 0
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        piece = ""
        if tag == _T:
            piece = el.text or ""
        elif tag == _TAB:
            piece = "\t"
        elif tag in (_BR, _CR):
            if el.get(f"{_W}type") != "page" and el.get(f"{_W}type") != "column":
                piece = "\n"
        elif tag == _RPB:
            breaks.append(size)
        elif tag == _NOBREAK:
            piece = "-"
        elif len(el):
            stack.append(iter(el))
        if piece:
            out.append(piece)
            size += len(piece)
    return "".join(out), breaks


_CN_DIGITS = "零一二三四五六七八九"
_FORMATS = {
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥",
    "decimalEnclosedCircle": "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
    "decimalEnclosedCircleChinese": "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
    "decimalEnclosedParen": "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇",
    "decimalEnclosedFullstop": "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛",
}


def chinese_count(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """Word's ``chineseCounting``: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五."""
    if n <= 0:
        return str(n)
    if n >= 10000:
        return str(n)
    out = ""
    s = str(n)
    zero = False
    for i, ch in enumerate(s):
        d = int(ch)
        power = len(s) - i - 1
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += digits[0]
            zero = False
        if not (d == 1 and power == 1 and not out):  # 十二, not 一十二
            out += digits[d]
        if power:
            out += units[power - 1]
    return out


def format_number(n: int, fmt: str) -> str:
    """A list counter as Word shows it in format ``fmt`` (``w:numFmt``)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseDigitalTenThousand"):
        return chinese_count(n)
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return chinese_count(n, "零壹贰叁肆伍陆柒捌玖", "拾佰仟")
    if fmt in _FORMATS:
        seq = _FORMATS[fmt]
        return seq[n - 1] if 0 < n <= len(seq) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        s = _roman(n)
        return s.lower() if fmt == "lowerRoman" else s
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and anything unknown


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


class _Numbering:
    """Word's automatic numbering (numbering.xml), counted in document order like Word does."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, dict]] = {}  # numId -> ilvl -> {fmt, text, start, restart}
        self.counters: dict[str, list[int]] = {}
        self.style_num: dict[str, tuple[str | None, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            self._load(root)
        try:
            styles = document.part.styles.element
        except (KeyError, AttributeError):
            styles = None
        if styles is not None:
            self._load_styles(styles)

    def _load(self, root) -> None:
        abstract: dict[str, dict[int, dict]] = {}
        for an in root.iterchildren(f"{_W}abstractNum"):
            lv: dict[int, dict] = {}
            for lvl in an.iterchildren(f"{_W}lvl"):
                lv[int(lvl.get(f"{_W}ilvl", "0"))] = _level(lvl)
            abstract[an.get(f"{_W}abstractNumId")] = lv
        for num in root.iterchildren(f"{_W}num"):
            aid = num.find(f"{_W}abstractNumId")
            lv = {k: dict(v) for k, v in abstract.get(aid.get(f"{_W}val") if aid is not None else "", {}).items()}
            for ov in num.iterchildren(f"{_W}lvlOverride"):
                ilvl = int(ov.get(f"{_W}ilvl", "0"))
                lvl = ov.find(f"{_W}lvl")
                if lvl is not None:
                    lv[ilvl] = _level(lvl)
                so = ov.find(f"{_W}startOverride")
                if so is not None:
                    lv.setdefault(ilvl, {"fmt": "decimal", "text": f"%{ilvl + 1}.", "restart": None})
                    lv[ilvl]["start"] = int(so.get(f"{_W}val", "1"))
            self.levels[num.get(f"{_W}numId")] = lv

    def _load_styles(self, styles) -> None:
        based: dict[str, str] = {}
        own: dict[str, tuple[str | None, int]] = {}
        for st in styles.iterchildren(f"{_W}style"):
            sid = st.get(f"{_W}styleId")
            b = st.find(f"{_W}basedOn")
            if b is not None:
                based[sid] = b.get(f"{_W}val")
            num = st.find(f"{_W}pPr/{_W}numPr")
            if num is not None:
                own[sid] = _num_pr(num)
        for sid in set(own) | set(based):
            seen, s = set(), sid
            while s and s not in own and s not in seen:
                seen.add(s)
                s = based.get(s)
            if s in own:
                self.style_num[sid] = own[s]

    def marker(self, p, has_text: bool) -> str:
        """The number Word shows before paragraph ``p`` ("一、", "（二）", "3."), or ""."""
        if not self.levels:
            return ""
        ppr = p.find(f"{_W}pPr")
        num_id, ilvl = None, 0
        if ppr is not None:
            style = ppr.find(f"{_W}pStyle")
            if style is not None and style.get(f"{_W}val") in self.style_num:
                num_id, ilvl = self.style_num[style.get(f"{_W}val")]
            npr = ppr.find(f"{_W}numPr")
            if npr is not None:
                nid, lvl = _num_pr(npr)
                num_id = nid if nid is not None else num_id
                if npr.find(f"{_W}ilvl") is not None:
                    ilvl = lvl
        if num_id is None or num_id == "0" or num_id not in self.levels or not has_text:
            return ""
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, [0] * 9)
        if not counts[ilvl]:
            counts[ilvl] = levels[ilvl].get("start", 1)
        else:
            counts[ilvl] += 1
        for deeper in range(ilvl + 1, 9):  # a new item at this level restarts the ones below
            restart = levels.get(deeper, {}).get("restart")
            if restart is None or restart > ilvl:
                counts[deeper] = 0
        lvl = levels[ilvl]
        if lvl["fmt"] == "bullet":
            return ""

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            n = counts[k] or levels.get(k, {}).get("start", 1)
            fmt = "decimal" if lvl.get("legal") and k != ilvl else levels.get(k, {}).get("fmt", "decimal")
            return format_number(n, fmt)

        return re.sub(r"%([1-9])", sub, lvl["text"])


def _level(lvl) -> dict:
    def val(tag: str, default: str | None = None) -> str | None:
        el = lvl.find(f"{_W}{tag}")
        return el.get(f"{_W}val", default) if el is not None else default

    restart = val("lvlRestart")
    return {"fmt": val("numFmt", "decimal"), "text": val("lvlText", "") or "", "start": int(val("start", "1")),
            "restart": int(restart) - 1 if restart is not None else None, "legal": lvl.find(f"{_W}isLgl") is not None}


def _num_pr(npr) -> tuple[str | None, int]:
    nid = npr.find(f"{_W}numId")
    ilvl = npr.find(f"{_W}ilvl")
    return (nid.get(f"{_W}val") if nid is not None else None,
            int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0)


# ------------------------------------------------------------------------- legacy .doc / .wps
def soffice_binary() -> str | None:
    """LibreOffice's command, if installed (Debian: libreoffice-writer-nogui)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_legacy(data: bytes, suffix: str, timeout: float = LEGACY_TIMEOUT_S) -> Extracted:
    """A Word 97-2003 / WPS file read through LibreOffice (``soffice --headless --convert-to docx``).

    Started here with a private profile directory (so runs never share or lock a user's
    profile) and a timeout; without LibreOffice the file is rejected with :data:`LEGACY_REASON`.
    """
    binary = soffice_binary()
    fmt = suffix.lstrip(".") or "doc"
    if binary is None:
        raise FormatError(LEGACY_REASON, "LibreOffice (soffice) is not installed to convert it")
    with tempfile.TemporaryDirectory(prefix="govreports-lo-") as tmp:
        src = Path(tmp) / f"report{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [binary, "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
               "--convert-to", "docx", "--outdir", str(out), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise FormatError(LEGACY_REASON, f"LibreOffice did not convert it within {timeout:g} s") from None
        except OSError as exc:
            raise FormatError(LEGACY_REASON, f"LibreOffice could not be started: {exc}") from exc
        result = out / "report.docx"
        if proc.returncode != 0 or not result.is_file():
            err = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            raise FormatError(LEGACY_REASON, "LibreOffice could not convert it" + (f": {err[-1]}" if err else ""))
        try:
            return read_docx(result.read_bytes(), fmt=fmt, encoding=f"{fmt} via LibreOffice")
        except FormatError as exc:
            raise FormatError(LEGACY_REASON, f"LibreOffice's conversion is unreadable: {exc}") from exc


# ----------------------------------------------------------------------------------------- PDF
@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float  # bottom (PDF coordinates grow upwards)
    y1: float  # top
    size: float  # typical glyph height: the unit of margins and indents
    lead: float  # width of the line's first unbreakable unit (a character with its punctuation, a word)


_CJK_OR_PUNCT = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2010-\u206f]")
# a line that is nothing but a page number: 3 | - 3 - | — 3 — | 第3页 | 第 3 页 共 13 页 | 3/13 | Page 3 of 13
_PAGE_NO = re.compile(
    r"[\s\-—–－―~·•]*(?:第\s*)?[0-9０-９]{1,4}\s*(?:页)?(?:\s*(?:[/／]|共|of)\s*[0-9０-９]{1,4}\s*页?)?[\s\-—–－―~·•]*"
    r"|[\s\-—–－―]*(?:page|Page|PAGE)\s*[0-9]{1,4}(?:\s*(?:of|/)\s*[0-9]{1,4})?\s*"
    r"|[\s\-—–－―]*第?\s*[一二三四五六七八九十百〇零]{1,5}\s*页\s*[\s\-—–－―]*")
_DIGITS = re.compile(r"[0-9０-９]+")
_SENT_END = "。！？!?；;：:"
_HEADING_START = re.compile(r"\s*(?:第[一二三四五六七八九十]+[部分章篇节]|[一二三四五六七八九十]+[、.．]"
                            r"|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、](?!\d))")
_MARGIN_BAND = 0.12  # headers and footers live in the outer 12 % of the page height


def read_pdf(data: bytes) -> Extracted:
    """Text layer of a PDF in reading order, paragraphs joined, page furniture removed."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == 4 or "password" in str(exc).lower():
            raise FormatError("encrypted PDF: password required", str(exc)) from exc
        raise FormatError("corrupt PDF", f"damaged or truncated: {exc}") from exc
    try:
        n = len(pdf)
        if n == 0:
            raise FormatError("corrupt PDF", "no pages")
        if n > MAX_PAGES:
            raise FormatError("too large for one report", f"{n} pages > {MAX_PAGES}")
        pages: list[tuple[list[_Line], float, float]] = []
        for i in range(n):
            try:
                page = pdf[i]
            except pdfium.PdfiumError as exc:
                raise FormatError("corrupt PDF", f"page {i + 1} cannot be read: {exc}") from exc
            try:
                width, height = page.get_size()
                textpage = page.get_textpage()
                try:
                    pages.append((_page_lines(textpage), width, height))
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        pdf.close()
    if not any(line.text.strip() for lines, _, _ in pages for line in lines):
        raise FormatError(SCANNED_REASON, f"{n} page(s), no characters: OCR it first")
    _drop_furniture(pages)
    return _assemble([_reading_order(lines, width) for lines, width, _ in pages])


def _page_lines(textpage) -> list[_Line]:
    """The page's lines as PDFium splits them, with their boxes.

    The page's text comes in one call; boxes are asked for only where they are used (a
    line's first unit, its last character, a few for its height): per-character calls through
    ctypes cost more than all the rest of the reading.
    """
    import pypdfium2.raw as c

    tp = textpage.raw
    n = c.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buf = (ctypes.c_ushort * (n + 1))()
    got = c.FPDFText_GetText(tp, 0, n, buf)
    units = list(buf[: max(0, got - 1)])
    if len(units) != n:  # never seen; keep index alignment the slow way
        units = [c.FPDFText_GetUnicode(tp, i) for i in range(n)]
    # loose boxes: the glyph's advance and the font's height, not its ink (a "，" is inked in
    # its left half only, and a line ending in one would look short of the margin)
    rect = c.FS_RECTF()
    ref = ctypes.byref(rect)

    def box(i: int) -> tuple[float, float, float, float] | None:
        if c.FPDFText_GetLooseCharBox(tp, i, ref):
            return rect.left, rect.right, rect.bottom, rect.top
        return None

    lines: list[_Line] = []
    i = 0
    while i < n:
        j = i
        while j < n and units[j] != 10:
            j += 1
        idx = [k for k in range(i, j) if units[k] not in (13, 0, 2, 0xFFFE)]
        i = j + 1
        chars = [(chr(units[k]), units[k] == 32 and c.FPDFText_IsGenerated(tp, k) == 1) for k in idx]
        text = _line_text(chars)
        if not text:
            continue
        ink = [k for k, (ch, _) in zip(idx, chars, strict=True) if not ch.isspace()]
        # the first unit: opening marks, one CJK character or a Latin word, closing marks
        lead_end = 1
        while lead_end < len(ink) and _continues_unit(chr(units[ink[lead_end - 1]]), chr(units[ink[lead_end]])):
            lead_end += 1
        probes = sorted({ink[0], ink[lead_end - 1], ink[-1], ink[len(ink) // 2], ink[len(ink) // 4]})
        boxes = {k: b for k in probes if (b := box(k)) is not None}
        if not boxes:
            continue
        first = boxes.get(ink[0]) or next(iter(boxes.values()))
        last = boxes.get(ink[-1]) or first
        lead_box = boxes.get(ink[lead_end - 1]) or first
        size = max(median(b[3] - b[2] for b in boxes.values()), 1.0)
        lines.append(_Line(text, first[0], last[1], min(b[2] for b in boxes.values()),
                           max(b[3] for b in boxes.values()), size, lead_box[1] - first[0]))
    return lines


_OPENING = "“‘（(《〈「『【〔["
_CLOSING = "，。、；：？！,.;:?!”’）)》〉」』】〕]%％"


_QUOTES = "“”‘’\"'"
_CJK_CLOSING = "，。、；：？！）》」』】"


def _continues_unit(prev: str, ch: str) -> bool:
    """Whether ``ch`` belongs to the same line-breaking unit as ``prev`` (no break allowed between).

    After the rules layout engines follow (Unicode line breaking, UAX #14, as ICU and LibreOffice
    apply it to Chinese): no break before closing or after opening punctuation, none on either
    side of a quotation mark, none inside a Latin word or number or after a prefix sign (+, ¥),
    and a number stays with the Chinese punctuation before it ("、100亿元").
    """
    if ch in _CLOSING or prev in _OPENING or ch in _QUOTES or prev in _QUOTES or prev in "+¥$￥#":
        return True
    if prev in _CJK_CLOSING and ch.isascii() and ch.isalnum():
        return True
    return prev.isascii() and not prev.isspace() and ch.isascii() and not ch.isspace()  # a Latin word, 5.1%


def _line_text(chars: list[tuple[str, bool]]) -> str:
    """A line's characters; a space PDFium generated next to a Chinese character is dropped
    (a Latin/digit run in a Chinese line is its own text object: "平台 23 家" is "平台23家")."""
    out = []
    for i, (ch, generated) in enumerate(chars):
        if generated and ch == " ":
            before = chars[i - 1][0] if i else ""
            after = chars[i + 1][0] if i + 1 < len(chars) else ""
            if not before or not after or _CJK_OR_PUNCT.match(before) or _CJK_OR_PUNCT.match(after):
                continue
        out.append(ch)
    return "".join(out).strip()


def _drop_furniture(pages: list[tuple[list[_Line], float, float]]) -> None:
    """Remove page numbers and running headers/footers (in place).

    A line in the top or bottom band of a page goes if it is a page number, or if the same
    text (digits aside) stands in that band on at least 40 % of the pages (3 at least).
    """
    def band_lines(lines: list[_Line], height: float) -> list[_Line]:
        return [ln for ln in lines if ln.y0 > height * (1 - _MARGIN_BAND) or ln.y1 < height * _MARGIN_BAND]

    counts: dict[str, int] = {}
    for lines, _, height in pages:
        for key in {_DIGITS.sub("#", ln.text.replace(" ", "")) for ln in band_lines(lines, height)}:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(3, 0.4 * len(pages))
    for idx, (lines, width, height) in enumerate(pages):
        drop = set()
        for ln in band_lines(lines, height):
            key = _DIGITS.sub("#", ln.text.replace(" ", ""))
            if _PAGE_NO.fullmatch(ln.text) or counts.get(key, 0) >= threshold:
                drop.add(id(ln))
        if drop:
            pages[idx] = ([ln for ln in lines if id(ln) not in drop], width, height)


def _reading_order(lines: list[_Line], width: float) -> list[list[_Line]]:
    """The page's lines as columns in reading order (one column unless the page has two).

    A page is two-column when at least three lines lie wholly on each side of the middle
    and lines crossing the middle are fewer than a third; then a crossing line (a title
    over both columns) ends a block, and each block is read left column first.
    """
    if len(lines) < 6:
        return [lines]
    lo = min(ln.x0 for ln in lines)
    hi = max(ln.x1 for ln in lines)
    mid = (lo + hi) / 2
    size = median(ln.size for ln in lines)
    left = [ln for ln in lines if ln.x1 < mid + 0.5 * size]
    right = [ln for ln in lines if ln.x0 > mid - 0.5 * size]
    spanning = len(lines) - len(left) - len(right)
    if len(left) < 3 or len(right) < 3 or spanning * 3 > len(lines) or hi - lo < width * 0.5:
        return [lines]
    ordered = sorted(lines, key=lambda ln: -ln.y1)
    out: list[list[_Line]] = []
    block: list[_Line] = []

    def flush() -> None:
        if block:
            out.append([ln for ln in block if ln.x1 < mid + 0.5 * size])
            out.append([ln for ln in block if not ln.x1 < mid + 0.5 * size])
            block.clear()

    for ln in ordered:
        if ln.x0 < mid - 0.5 * size and ln.x1 > mid + 0.5 * size:
            flush()
            out.append([ln])
        else:
            block.append(ln)
    flush()
    return [col for col in out if col]


def _assemble(pages: list[list[list[_Line]]]) -> Extracted:
    """Join lines into paragraphs across columns and pages; record where each page starts.

    A line goes on in the next one when the next line's first unit (a character with its
    punctuation, a Latin word or number) would not have fitted in the room left at the line's
    end, i.e. the engine broke the line for want of room, and the next line is not indented
    and does not open a heading after a line that closed a sentence. Every other line break
    is a paragraph break.
    """
    parts: list[str] = []
    length = 0
    page_starts: list[int] = []
    prev: _Line | None = None
    prev_join = False
    prev_right = 0.0
    for columns in pages:
        page_starts.append(length)
        for col in columns:
            if not col:
                continue
            right = _percentile([ln.x1 for ln in col], 0.95)
            left = _percentile([ln.x0 for ln in col], 0.2)
            for ln in col:
                indented = ln.x0 > left + 0.8 * ln.size
                if prev is not None:
                    room = prev_right - prev.x1
                    joins = prev_join and room < ln.lead + 0.5 * ln.size and not indented and not (
                        prev.text[-1] in _SENT_END and _HEADING_START.match(ln.text))
                    sep = ""
                    if not joins:
                        sep = "\n"
                    elif prev.text[-1].isascii() and prev.text[-1].isalnum() and ln.text[0].isascii() \
                            and ln.text[0].isalnum():
                        sep = " "
                    if sep and page_starts[-1] == length:
                        page_starts[-1] += len(sep)  # the page begins after the break, not on it
                    parts.append(sep)
                    length += len(sep)
                parts.append(ln.text)
                length += len(ln.text)
                prev = ln
                prev_right = right
                prev_join = len(col) > 1
    text = "".join(parts)
    starts = [0]
    for s in page_starts[1:]:
        starts.append(min(max(s, starts[-1]), len(text)))
    return Extracted(text, "pdf", "PDF text layer", tuple(starts))


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]
