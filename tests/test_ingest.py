"""Decoding, cleaning and reading raw files: real reports, re-encoded and wrapped as scrapers deliver them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS

from pipelines.extract.clean import clean_text, looks_truncated, to_simplified
from pipelines.extract.ingest import (
    MAX_REPORT_BYTES,
    Rejection,
    SourceRecord,
    read_file,
    read_folder,
)

SEED = SEEDS[0].read_text(encoding="utf-8")  # 常德市科学技术局 2023


def _one(path: Path) -> SourceRecord | Rejection:
    recs = list(read_file(path, path.parent))
    assert len(recs) == 1
    return recs[0]


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
])
def test_encodings_are_detected_not_assumed(tmp_path, encoding, expected):
    text = SEED.replace("\xa0", " ")  # GBK has no no-break space
    rec = _one(_write(tmp_path / "r.txt", text.encode(encoding)))
    assert isinstance(rec, SourceRecord)
    assert rec.encoding == expected
    assert rec.raw_text == text
    # the same text in any encoding is the same report
    assert rec.content_sha256 == _one(_write(tmp_path / "u.txt", text.encode("utf-8"))).content_sha256


def _write(p: Path, data: bytes) -> Path:
    p.write_bytes(data)
    return p


def test_crlf_is_normalised_and_offsets_point_into_the_raw_text():
    raw = SEED.replace("\n", "\r\n")
    c = clean_text(raw)
    assert "\r" not in c.text
    i = c.text.index("技术合同登记份数达3023份")
    s, e = c.raw_span(i, i + len("技术合同登记份数达3023份"))
    assert raw[s:e] == "技术合同登记份数达3023份"


def test_every_kind_of_line_end_maps_each_clean_character_to_its_raw_one():
    # a report's lines with CRLF, lone CR, LF and runs of them mixed, as files joined from
    # several sources are: each clean character is the raw one at its offset (a line end at
    # the CR of its CRLF)
    lines = SEED.splitlines()[:40]
    ends = ["\r\n", "\r", "\n", "\r\n\r\n", "\r\r\n", "\n\r"]
    raw = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    c = clean_text(raw)
    assert "\r" not in c.text
    assert len([x for x in c.text.split("\n") if x.strip()]) == len([x for x in lines if x.strip()]) >= 20
    for i, ch in enumerate(c.text):
        r = raw[c.offsets[i]]
        folded = ord(r) in range(0xFF01, 0xFF5F) or r in "\u3000\xa0 "
        assert ch == r or (ch == "\n" and r == "\r") or folded, (i, ch, r)


def test_clean_removes_html_debris_and_chrome_keeps_metadata_lines():
    raw = (SEEDS[2].read_text(encoding="utf-8"))  # 许昌: ??span>?/span>, <font face>, 【我要打印】【关闭
    c = clean_text(raw)
    assert "span>" not in c.text and "<font" not in c.text and "font face" not in c.text
    assert "我要打印" not in c.text and "【关闭" not in c.text
    assert "信息时间:2022-01-03" in c.text  # the published date stays for the metadata extractor
    assert "二、狠抓工作落实,全面提升重点工作实效" in c.text
    for i in range(0, len(c.text), 50):  # every clean char maps to the same (or width-folded) raw char
        r = raw[c.offsets[i]]
        assert c.text[i] == r or ord(r) in range(0xFF01, 0xFF5F) or r in "\u3000\xa0" or c.text[i] == " "


def test_full_width_forms_become_half_width():
    c = clean_text("全市共有高新技术企业１２３家，同比增长１６％。")
    assert c.text == "全市共有高新技术企业123家,同比增长16%。"


def test_traditional_text_gets_a_simplified_twin_of_equal_length():
    t = "堅持旗幟領(lǐng)航,加強黨對法治建設(shè)的全面領(lǐng)導。廣東省科學技術廳"
    s = to_simplified(t)
    assert len(s) == len(t)
    assert "广东省科学技术厅" in s and "坚持旗帜领" in s


def test_html_page_loads_as_its_article_text(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in SEED.splitlines() if line.strip())
    html = (f"<!DOCTYPE html><html><head><title>常德市科学技术局法治政府建设情况工作报告</title></head><body>"
            f"<nav><a href='/'>首页</a> | <a href='/zwgk'>政务公开</a> | <a>联系我们</a></nav>"
            f"<div class='article'>{body}</div>"
            f"<footer>版权所有:常德市科学技术局 网站标识码 4307000001 主办单位</footer>"
            f"<script>var _hmt = _hmt || [];</script></body></html>")
    rec = _one(_write(tmp_path / "r.html", html.encode("utf-8")))
    assert isinstance(rec, SourceRecord) and rec.fmt == "html"
    assert "技术合同登记份数达3023份" in rec.raw_text
    assert "七、下一步工作打算" in rec.raw_text
    assert "_hmt" not in rec.raw_text and "网站标识码" not in rec.raw_text


def test_jsonl_batch_one_report_per_record_bad_lines_rejected(tmp_path):
    lines = [
        json.dumps({"id": "a1", "text": SEED, "url": "http://kjj.changde.gov.cn/x.html", "title": "t"},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a2", "text": ""}),
        json.dumps({"text": SEED[:500]}, ensure_ascii=False),
        "",
        json.dumps({"id": "a3", "text": SEEDS[1].read_text(encoding="utf-8"), "published_on": "2023-03-29"},
                   ensure_ascii=False),
    ]
    p = _write(tmp_path / "batch.jsonl", "\n".join(lines).encode("utf-8"))
    recs = list(read_file(p, tmp_path))
    ok = [r for r in recs if isinstance(r, SourceRecord)]
    bad = {r.source_file: r.reason for r in recs if isinstance(r, Rejection)}
    assert [r.source_file for r in ok] == ["a1", "a3"]
    assert ok[0].url == "http://kjj.changde.gov.cn/x.html" and ok[1].published_on == "2023-03-29"
    assert bad == {"batch.jsonl:2": "malformed JSON line", "a2": "record without text",
                   "batch.jsonl:4": "record without id"}


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b" \n\r\n\t", "empty"),
    ("binary.txt", bytes(range(256)) * 40, "undecodable"),
    ("english.txt", b"Annual report on the rule of law. " * 50, "not a report: too little Chinese text"),
    ("big.txt", ("法治政府建设情况报告。" * (MAX_REPORT_BYTES // 20)).encode("utf-8"), "too large for one report"),
    ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "unsupported file type"),
])
def test_bad_files_get_a_reason(tmp_path, name, data, reason):
    rec = _one(_write(tmp_path / name, data))
    assert isinstance(rec, Rejection)
    assert rec.reason == reason


def test_truncated_reports_are_flagged_not_dropped(tmp_path):
    cut = SEED[: len(SEED) // 2]
    rec = _one(_write(tmp_path / "cut.txt", cut.encode("utf-8")))
    assert isinstance(rec, SourceRecord)
    assert looks_truncated(clean_text(cut).text)
    assert not looks_truncated(clean_text(SEED).text)  # ends with the signature date


def test_shipped_raw_folder_reads_without_rejections():
    raw = Path(__file__).resolve().parent.parent / "raw"
    recs = list(read_folder(raw))
    assert [r for r in recs if not isinstance(r, SourceRecord)] == []
    # one report per file, one per line of a JSONL batch: .txt, .docx and .jsonl records alike
    files = [p for p in raw.rglob("*") if p.is_file()]
    lines = sum(len(p.read_text(encoding="utf-8").strip().split("\n")) for p in files if p.suffix == ".jsonl")
    assert len(recs) == sum(p.suffix != ".jsonl" for p in files) + lines
    assert {r.fmt for r in recs} >= {"txt", "jsonl", "docx"}


def test_damaged_utf8_keeps_its_text_and_says_so(tmp_path):
    data = bytearray(SEED.encode("utf-8"))
    for pos in (1000, 4000, 7000):  # three flipped bytes inside multi-byte characters
        data[pos] = 0xFF
    cut = bytes(data)[:-1]  # and cut inside the last character
    rec = _one(_write(tmp_path / "damaged.txt", cut))
    assert isinstance(rec, SourceRecord)
    lost = rec.raw_text.count("\ufffd")
    assert 4 <= lost <= 12 and rec.encoding == f"utf-8 ({lost} damaged)"
    assert "技术合同登记份数达3023份" in rec.raw_text and "七、下一步工作打算" in rec.raw_text


def test_gbk_is_not_mistaken_for_damaged_utf8(tmp_path):
    rec = _one(_write(tmp_path / "gbk.txt", SEED.replace("\xa0", " ").encode("gbk")))
    assert rec.encoding == "gb18030" and "常德市科学技术局" in rec.raw_text


def test_raw_files_keep_each_files_hash_new_touched_or_changed(tmp_path):
    """A new file is hashed by the read that loads it; a touched file with the same bytes is not
    read again; a changed one is, under its new hash (raw_files drives all three)."""
    import hashlib
    import os

    import duckdb

    from pipelines import stages, store
    from pipelines.config import Paths

    raw = tmp_path / "raw"
    raw.mkdir()
    for p in SEEDS[:3]:
        (raw / p.name).write_bytes(p.read_bytes())
    (raw / "notes.xyz").write_text("not a report", encoding="utf-8")  # rejected, hashed all the same
    paths = Paths(raw, tmp_path / "wh" / "reports.duckdb")

    def ingest() -> tuple[stages.IngestSummary, dict[str, str]]:
        store.prepare_work_db(paths)
        with store.connect(paths.work_db) as con:
            s = stages.ingest(con, raw)
        con = duckdb.connect(str(paths.work_db), read_only=True)
        try:
            return s, dict(con.execute("SELECT source_path, file_sha256 FROM raw_files").fetchall())
        finally:
            con.close()

    def sha(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    s, hashes = ingest()
    assert s.added == 3 and s.rejected == 1
    assert hashes == {p.name: sha(p) for p in raw.iterdir()}
    first = raw / SEEDS[0].name
    st = first.stat()
    os.utime(first, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: same bytes
    s, after = ingest()
    assert s.files_unchanged == 4 and s.added == 0 and after == hashes
    first.write_bytes(first.read_bytes() + "\n补记一行。".encode())
    s, after = ingest()
    assert s.files_unchanged == 3 and s.added == 1 and after[first.name] == sha(first) != hashes[first.name]
