"""Read a raw folder: decode each file, split JSONL batches, turn HTML into text.

Nothing here raises for bad input: every file or record becomes either a
:class:`SourceRecord` or a :class:`Rejection` with a reason an analyst can read.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from operator import itemgetter
from pathlib import Path

from charset_normalizer import from_bytes

from pipelines.extract import formats
from pipelines.extract.clean import CleanText, clean_text, to_simplified
from pipelines.extract.document import Document

# The largest real report seen (a provincial government work report) is ~100 KB of UTF-8;
# anything over 2 MB is an archive, a dump or a scraper error, not one report.
MAX_REPORT_BYTES = 2_000_000
# Fewer Chinese characters than this and it is not a report (a stub page, a login wall).
MIN_CJK_CHARS = 80
# ...unless it is a report in translation (an English copy of a ministry's report): as many
# different words as that. A stub page or a repeated line has far fewer.
MIN_DISTINCT_WORDS = 80
SUFFIXES = {".txt", ".jsonl", ".html", ".htm"}

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class SourceRecord:
    """One report as found in the raw folder, decoded but not cleaned."""

    source_file: str  # the report's name: its path under the raw folder, or a JSONL record's id
    source_path: str  # path relative to the raw folder (JSONL: the batch file, with :line)
    raw_text: str
    encoding: str
    content_sha256: str  # of the decoded text, so re-encoded copies are the same report
    file_sha256: str  # of the file's bytes, for change detection
    url: str | None = None
    title: str | None = None
    published_on: str | None = None
    fmt: str = "txt"  # txt | jsonl | html | docx | pdf | doc | wps
    file_path: str = ""  # the file under the raw folder (never split out of source_path: ':' is legal)
    line_no: int | None = None  # JSONL: the record's line
    page_starts: tuple[int, ...] | None = None  # paged formats: offset in raw_text where each page begins

    @property
    def key(self) -> tuple[str, int]:
        """Folder order: which of two records holding one text (or one id) comes first."""
        return (self.file_path, self.line_no or 0)


@dataclass(frozen=True)
class Rejection:
    source_file: str
    source_path: str
    reason: str
    detail: str = ""
    file_sha256: str | None = None
    file_path: str = ""
    line_no: int | None = None


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class DecodeError(ValueError):
    pass


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text that lost its BOM: NULs in every other byte where ASCII is, Chinese elsewhere."""
    odd = data[1::2].count(b"\x00")
    for enc in ("utf-16-le", "utf-16-be"):
        # ASCII (digits, line breaks) in UTF-16 puts its NULs on one side of each pair
        on_side = odd if enc == "utf-16-le" else data.count(b"\x00") - odd
        if on_side < 0.9 * data.count(b"\x00"):
            continue
        try:
            text = data[: len(data) // 2 * 2].decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        if sample and sum(1 for _ in _CJK.finditer(sample)) >= 0.2 * len(sample):
            return text, enc
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns ``(text, encoding)``.

    UTF-8 (with or without BOM) is tried first because it is self-validating; anything else
    is detected by charset-normalizer and accepted only if it is a Chinese encoding or the
    result reads as Chinese. A few stray NUL bytes (a scraper's padding) are dropped wherever
    they are; text with many is UTF-16 (with or without BOM) or binary.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_utf8(data[3:], "utf-8-sig")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    nuls = data.count(b"\x00")
    if nuls:
        if nuls <= max(2, len(data) // 200):  # a few stray NULs: the text around them decides
            with contextlib.suppress(DecodeError, UnicodeDecodeError):
                text, enc = decode_bytes(data.replace(b"\x00", b""))
                return text, f"{enc} ({nuls} NUL removed)"
        found = _utf16_without_bom(data)
        if found is not None:
            return found
        raise DecodeError(f"binary file ({nuls} NUL bytes)")
    return _decode_utf8(data, "utf-8")


def _decode_utf8(data: bytes, label: str) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), label
    except UnicodeDecodeError as exc:
        # A UTF-8 file damaged in a few places (a cut download, flipped bytes) is still that
        # text: keep it, with U+FFFD where bytes were lost, rather than read it as GB18030 garbage.
        if exc.start > 0 or len(data) > 64:
            text = data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(2, len(data) // 200):  # at most 0.5 % of the bytes lost
                return text, f"{label} ({bad} damaged)"
    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "big5", "utf_16"]).best()
    if best is None:
        raise DecodeError("undecodable: no Chinese encoding fits these bytes")
    enc = best.encoding
    text = str(best)
    # GBK text is a subset of GB18030: decode with the superset so no character is lost.
    if enc in ("gbk", "gb2312"):
        text, enc = data.decode("gb18030"), "gb18030"
    return text, enc


def _check_text(text: str) -> str | None:
    """A reason why ``text`` is not a report, or None."""
    if not text.strip():
        return "empty"
    if sum(1 for _ in islice(_CJK.finditer(text, 0, 20000), MIN_CJK_CHARS)) < MIN_CJK_CHARS and len(  # stops at enough
            {w.lower() for w in _WORD.findall(text, 0, 20000)}) < MIN_DISTINCT_WORDS:
        return "not a report: too little Chinese text"
    return None


def _looks_html(text: str) -> bool:
    """An HTML page whatever its name (a .txt or a JSONL record that holds the page itself)."""
    return text.lstrip()[:200].lower().startswith(("<!doctype html", "<html"))


def html_to_text(html: str) -> tuple[str, str | None, str | None]:
    """Article text, title and date of an HTML page, without navigation and footers."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=True, favor_recall=True,
                                      with_metadata=True)
    if doc is None:
        return "", None, None
    text = doc.text or ""
    title = doc.title
    date = doc.date
    if title and title not in text[:500]:
        text = f"{title}\n{text}"
    return text, title, date


def display_name(rel: str) -> str:
    """``rel`` as text a database can hold: bytes of a non-UTF-8 file name shown as ``\\xNN``."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        try:  # a file name's undecodable bytes (os.fsdecode's U+DC80..U+DCFF)
            return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate from a JSON escape
            return rel.encode("utf-8", "backslashreplace").decode("utf-8")


# Files nobody means as a report, ignored by rule but listed in rejected_files: hidden files
# and folders (.git, .DS_Store), editor and office lock or backup files.
_IGNORED = re.compile(r"(?:^\.|^~\$|^#.*#$|~$|\.(?:swp|swo|tmp|part|crdownload)$)", re.I)


def ignored_name(name: str) -> bool:
    return bool(_IGNORED.search(name))


CHUNK = 1 << 20


def hash_file(path: Path | str) -> str:
    """SHA-256 of a file's bytes, read in chunks (memory does not follow the file size)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def entry_problem(path: Path, st: os.stat_result | None, listed_as: str | None = None) -> tuple[str, str] | None:
    """``(reason, detail)`` for a folder entry that cannot be a report file, or None."""
    if listed_as:
        return listed_as, ""
    if st is None:
        return "unreadable", "cannot stat"
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return "dangling symlink", f"-> {display_name(target)}"
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "not a regular file", "a FIFO, socket or device"
    return None


def read_file(path: Path, root: Path, st: os.stat_result | None = None, listed_as: str | None = None,
              fsha: str | None = None) -> Iterator[SourceRecord | Rejection]:
    """All records of one raw file (a JSONL batch holds many).

    ``st``/``listed_as``/``fsha``: the entry's stat, the reason the listing gave it (a loop,
    an unreadable folder) and the file's hash, when the caller has them.
    """
    rel = path.relative_to(root).as_posix()
    # a report is identified by its path in the raw folder: real folders hold 2021.txt or
    # index.html in many sub-folders (the scorer matches gold names against path tails)
    name = display_name(rel)

    def reject(reason: str, detail: str = "", fsha: str | None = None) -> Rejection:
        return Rejection(name, name, reason, detail, fsha, name)

    if st is None and listed_as is None:
        try:
            st = path.stat()
        except FileNotFoundError:
            st = path.lstat() if path.is_symlink() else None
        except OSError as exc:
            yield reject("unreadable", exc.strerror or str(exc))
            return
    problem = entry_problem(path, st, listed_as)
    if problem:
        yield reject(*problem)
        return
    if ignored_name(path.name) or any(part.startswith(".") for part in Path(rel).parts[:-1]):
        yield reject("ignored: hidden or editor file", "names starting with '.', '~$', ending in '~', '.swp', '.tmp'")
        return
    if name != rel:
        yield reject("file name is not valid UTF-8", "rename the file")
        return
    suffix = path.suffix.lower()
    paged = suffix in formats.SUFFIXES  # Word and PDF: pipelines/extract/formats.py
    limit = formats.MAX_FILE_BYTES if paged else MAX_REPORT_BYTES  # a Word file carries its images
    try:
        if suffix not in SUFFIXES and not paged:
            yield reject("unsupported file type", suffix or "(no suffix)", hash_file(path))
            return
        if suffix == ".jsonl":
            yield from _read_jsonl(path, rel, fsha)
            return
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)  # never more: a 2 GB file costs 2 MB
            h = hashlib.sha256(data)
            size = len(data)
            while chunk := fh.read(CHUNK):
                h.update(chunk)
                size += len(chunk)
    except OSError as exc:
        yield reject("unreadable", exc.strerror or str(exc))
        return
    fsha = h.hexdigest()
    if size > limit:
        yield reject("too large for one report", f"{size} bytes > {limit}", fsha)
        return
    if paged:
        yield _read_document(data, suffix, name, rel, fsha, reject)
        return
    try:
        text, enc = decode_bytes(data)
    except (DecodeError, UnicodeDecodeError) as exc:
        yield reject("undecodable", str(exc), fsha)
        return
    url = title = published = None
    fmt = "txt"
    if suffix in (".html", ".htm") or _looks_html(text):
        fmt = "html"
        text, title, published = html_to_text(text)
    reason = _check_text(text)
    if reason:
        yield reject(reason, "", fsha)
        return
    yield SourceRecord(name, rel, text, enc, sha256(text), fsha, url, title, published, fmt, rel)


def _read_document(data: bytes, suffix: str, name: str, rel: str, fsha: str, reject) -> SourceRecord | Rejection:
    try:
        ex = formats.read_document(data, suffix)
    except formats.FormatError as exc:
        return reject(exc.reason, exc.detail, fsha)
    if len(ex.text.encode("utf-8")) > MAX_REPORT_BYTES:
        return reject("too large for one report", f"text over {MAX_REPORT_BYTES} bytes", fsha)
    reason = _check_text(ex.text)
    if reason:
        return reject(reason, f"text of the {ex.fmt}", fsha)
    return SourceRecord(name, rel, ex.text, ex.encoding, sha256(ex.text), fsha, fmt=ex.fmt, file_path=rel,
                        page_starts=ex.page_starts)


def _lines(fh) -> Iterator[tuple[int, bytes | None]]:
    r"""``(line number, bytes)`` of a file split on ``\n`` only, one line in memory at a time;
    a line over the size limit comes as None (and is skipped, not held)."""
    lineno = 0
    while True:
        line = fh.readline(MAX_REPORT_BYTES + 2)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_REPORT_BYTES + 1 or (len(line) == MAX_REPORT_BYTES + 2 and not line.endswith(b"\n")):
            while line and not line.endswith(b"\n"):
                line = fh.readline(CHUNK)
            yield lineno, None
            continue
        yield lineno, line


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return decode_bytes(line)[0]  # one mis-encoded record: detect its encoding alone


def _read_jsonl(path: Path, rel: str, fsha: str | None = None) -> Iterator[SourceRecord | Rejection]:
    r"""The records of a scraper batch, streamed line by line: memory follows the longest line.

    Lines are split on ``\n`` alone (U+2028, U+2029 and U+0085 are legal inside JSON strings)
    and decoded one by one, so one mis-encoded record is one rejection. Every record carries
    the batch's hash: computed first (``fsha``, or one streaming pass), never by holding the batch.
    """
    fsha = fsha or hash_file(path)
    with open(path, "rb") as fh:
        for lineno, line in _lines(fh):
            where = f"{rel}:{lineno}"
            if line is None:
                yield Rejection(where, where, "too large for one report", f"line > {MAX_REPORT_BYTES} bytes",
                                fsha, rel, lineno)
                continue
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            yield replace(_jsonl_record(line, rel, lineno, where), file_sha256=fsha)


def _jsonl_record(line: bytes, rel: str, lineno: int, where: str) -> SourceRecord | Rejection:
    def reject(reason: str, detail: str = "", name: str = where) -> Rejection:
        return Rejection(name, where, reason, detail, None, rel, lineno)

    try:
        obj = json.loads(_decode_line(line))
    except (json.JSONDecodeError, DecodeError, UnicodeDecodeError) as exc:
        return reject("malformed JSON line", str(exc))
    if not isinstance(obj, dict):
        return reject("malformed JSON line", "not an object")
    rid = obj.get("id")
    if rid is None or rid == "":
        return reject("record without id")
    # An id is a string; an integer is accepted as its digits (so 1 and "1" are one id, and
    # a second record with it is a name collision); anything else is not an id.
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        return reject("record without id", f"id must be a string or an integer, not {type(rid).__name__}")
    name = str(rid)
    bad = [k for k in ("id", "text", "url", "title", "published_on") if isinstance(obj.get(k), str)
           and _SURROGATE.search(obj[k])]
    if bad:
        return reject("invalid text", f"lone surrogate escape in {', '.join(bad)}", display_name(name))
    body = obj.get("text")
    if not isinstance(body, str) or not body.strip():
        return reject("record without text", "", name)
    if len(body.encode("utf-8")) > MAX_REPORT_BYTES:
        return reject("too large for one report", f"> {MAX_REPORT_BYTES} bytes", name)
    fmt = "jsonl"
    if _looks_html(body):
        body, _, _ = html_to_text(body)
    reason = _check_text(body)
    if reason:
        return reject(reason, "", name)
    return SourceRecord(name, where, body, "utf-8", sha256(body), "", _opt(obj, "url"), _opt(obj, "title"),
                        _opt(obj, "published_on"), fmt, rel, lineno)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _opt(obj: dict, key: str) -> str | None:
    v = obj.get(key)
    return str(v) if v not in (None, "") else None


Listing = list[tuple[str, os.stat_result]]


def scan_folder(root: Path) -> tuple[Listing, dict[str, str]]:
    """Every entry of the raw folder, sorted by path: ``(path under root, stat)``, and the
    entries the walk could not enter with the reason (``{path: reason}``).

    Files (and what is not a regular file: a FIFO, a dangling symlink) come with their stat;
    a folder is entered once, even through links (a link to a parent or to a folder already
    walked is listed as one entry, never walked again); a hidden folder is listed, not
    entered. ``os.scandir`` gives each entry's stat from the directory read itself: ~6x
    faster than ``Path.rglob`` + ``stat`` on 10,000 files.
    """
    out: Listing = []
    problems: dict[str, str] = {}
    top = root.stat()
    seen = {(top.st_dev, top.st_ino)}
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            if prefix:  # the root itself failing is the caller's error
                rel = prefix[:-1]
                problems[rel] = f"unreadable folder: {exc.strerror or exc}"
                with contextlib.suppress(OSError):
                    out.append((rel, os.lstat(folder)))
                continue
            raise
        for e in entries:
            rel = prefix + e.name
            try:
                st = e.stat()
            except OSError:
                try:
                    st = e.stat(follow_symlinks=False)  # a dangling link, a loop
                except OSError:
                    continue  # removed while we looked
            if stat.S_ISDIR(st.st_mode):
                if e.name.startswith("."):
                    problems[rel] = "ignored: hidden or editor file"
                elif (st.st_dev, st.st_ino) in seen:
                    problems[rel] = "symlink loop"  # or a second link to a folder already walked
                else:
                    seen.add((st.st_dev, st.st_ino))
                    stack.append((rel + "/", e.path))
                    continue
            elif e.is_symlink() and not stat.S_ISREG(st.st_mode) and stat.S_ISLNK(st.st_mode):
                try:
                    os.stat(e.path)
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        problems[rel] = "symlink loop"
            out.append((rel, st))
    out.sort(key=itemgetter(0))
    return out, problems


def scan_raw_files(root: Path) -> Listing:
    """``(path under root, stat)`` of every entry the pipeline looks at, sorted by path."""
    return scan_folder(root)[0]


def list_raw_files(root: Path) -> list[Path]:
    """Every entry under ``root`` the pipeline looks at, in a stable order."""
    return [root / rel for rel, _ in scan_raw_files(root)]


def read_folder(root: Path) -> Iterator[SourceRecord | Rejection]:
    files, problems = scan_folder(root)
    for rel, st in files:
        yield from read_file(root / rel, root, st, problems.get(rel))


def make_document(source_file: str, raw_text: str, url: str | None = None, title: str | None = None,
                  published_on: str | None = None) -> tuple[Document, CleanText]:
    """Clean decoded text into the :class:`Document` the extractors take (and its offset map)."""
    clean = clean_text(raw_text)
    doc = Document(source_file=source_file, text=clean.text, simplified=to_simplified(clean.text),
                   url=url, title=title, published_on=published_on)
    return doc, clean


def to_document(rec: SourceRecord) -> tuple[Document, CleanText]:
    return make_document(rec.source_file, rec.raw_text, rec.url, rec.title, rec.published_on)


def load_documents(root: Path | str) -> Iterable[Document]:
    """Documents of every readable report under ``root`` (rejections skipped).

    For extractor development and tests; the pipeline keeps the rejections.
    """
    for rec in read_folder(Path(root)):
        if isinstance(rec, SourceRecord):
            yield to_document(rec)[0]
