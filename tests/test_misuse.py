"""The raw step under real misuse (issue 13): each fault is one rejected entry with a reason,
never a dead pipeline; nothing is lost or counted twice; and whatever order the folder came
in, re-running gives what a clean build gives. Real seed reports throughout.

These run the raw step alone (no Dagster, no extraction), so many runs stay cheap; the
build-level faults (two builds at once, a full disk, a failed run's workers) are in
test_build_faults.py.
"""

from __future__ import annotations

import json
import os
import shutil
import tracemalloc
from pathlib import Path

import duckdb
import pytest
from conftest import SEEDS
from test_identity import ingest_only

from pipelines import stages
from pipelines.config import Paths
from pipelines.extract import ingest
from pipelines.extract.ingest import MAX_REPORT_BYTES, Rejection, SourceRecord, read_file

TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]


def documents(wh: Path) -> list[tuple[str, str, str]]:
    """(source_file, source_path, raw_text) of every document of a build file."""
    con = duckdb.connect(str(Paths(wh.parent, wh).work_db), read_only=True)
    try:
        return con.execute("SELECT source_file, source_path, raw_text FROM raw_documents").fetchall()
    finally:
        con.close()


def state(wh: Path) -> dict[str, list[tuple]]:
    """raw_documents and rejected_files of a build file, without build_no."""
    con = duckdb.connect(str(Paths(wh.parent, wh).work_db), read_only=True)
    try:
        out = {}
        for t in ("raw_documents", "rejected_files", "raw_files"):
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if r[0] not in ("build_no", "mtime_ns")]
            out[t] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def names(wh: Path) -> set[str]:
    return {r[1] for r in state(wh)["raw_documents"]}


def reasons(wh: Path) -> dict[str, str]:
    con = duckdb.connect(str(Paths(wh.parent, wh).work_db), read_only=True)
    try:
        return dict(con.execute("SELECT source_path, reason FROM rejected_files").fetchall())
    finally:
        con.close()


def equals_clean(raw: Path, wh: Path, tmp_path: Path, runs: int = 3) -> None:
    """Run the raw step ``runs`` more times: every run gives the same tables as a clean build."""
    fresh = tmp_path / f"fresh{len(list(tmp_path.glob('fresh*')))}" / "reports.duckdb"
    ingest_only(raw, fresh)
    want = state(fresh)
    for _ in range(runs):
        ingest_only(raw, wh)
        assert state(wh) == want


def jsonl(path: Path, records: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def folder(tmp_path) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    raw.mkdir()
    return raw, tmp_path / "wh" / "reports.duckdb"


# -- 2: one bad entry is one rejection -------------------------------------------------------------
def test_lone_surrogate_in_a_record_is_one_rejection(folder, tmp_path):
    raw, wh = folder
    batch = raw / "batch.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "ok1", "text": TEXTS[0]}, ensure_ascii=False),
        '{"id": "bad\\ud83d", "text": ' + json.dumps(TEXTS[1], ensure_ascii=False) + "}",
        '{"id": "bad-text", "text": "\\ud83d' + json.dumps(TEXTS[2], ensure_ascii=False)[1:] + "}",
        json.dumps({"id": "ok2", "text": TEXTS[3]}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    s = ingest_only(raw, wh)
    assert names(wh) == {"ok1", "ok2"} and s.reasons == {"invalid text": 2}
    assert reasons(wh) == {"batch.jsonl:2": "invalid text", "batch.jsonl:3": "invalid text"}
    equals_clean(raw, wh, tmp_path)


def test_non_utf8_file_name_and_symlink_loops_are_rejections(folder, tmp_path):
    raw, wh = folder
    shutil.copy(SEEDS[0], raw / "good.txt")
    bad = os.fsencode(raw) + b"/report\xff\xfe.txt"
    with open(bad, "wb") as fh:
        fh.write(SEEDS[1].read_bytes())
    (raw / "sub").mkdir()
    shutil.copy(SEEDS[2], raw / "sub" / "in_sub.txt")
    os.symlink("..", raw / "sub" / "up")  # a folder link to its parent
    os.symlink("self.txt", raw / "self.txt")  # a link to itself
    s = ingest_only(raw, wh)
    assert names(wh) == {"good.txt", "sub/in_sub.txt"}  # each loaded once, the loop not walked
    got = reasons(wh)
    assert got == {"report\\xff\\xfe.txt": "file name is not valid UTF-8", "sub/up": "symlink loop",
                   "self.txt": "symlink loop"}, got
    assert s.documents == 2
    equals_clean(raw, wh, tmp_path)


# -- 5: a rejection never vanishes; incremental equals clean ---------------------------------------
def test_duplicate_record_stays_recorded_and_loads_when_the_original_goes(folder, tmp_path):
    raw, wh = folder
    shutil.copy(SEEDS[0], raw / "a_original.txt")
    jsonl(raw / "z_batch.jsonl", [{"id": "copy", "text": TEXTS[0]}, {"id": "other", "text": TEXTS[1]}])
    ingest_only(raw, wh)
    ingest_only(raw, wh)  # the unchanged folder again: the duplicate is still recorded
    assert reasons(wh) == {"z_batch.jsonl:1": "duplicate"}
    assert names(wh) == {"a_original.txt", "other"}
    equals_clean(raw, wh, tmp_path)
    (raw / "a_original.txt").unlink()  # the kept original goes: the copy is the report now
    ingest_only(raw, wh)
    assert names(wh) == {"copy", "other"} and reasons(wh) == {}
    equals_clean(raw, wh, tmp_path)


def test_a_copy_added_before_the_original_in_folder_order_takes_its_place(folder, tmp_path):
    raw, wh = folder
    shutil.copy(SEEDS[0], raw / "m.txt")
    ingest_only(raw, wh)
    shutil.copy(SEEDS[0], raw / "a.txt")  # same text, earlier in folder order: a clean build keeps a.txt
    ingest_only(raw, wh)
    assert names(wh) == {"a.txt"} and reasons(wh) == {"m.txt": "duplicate"}
    equals_clean(raw, wh, tmp_path)


# -- 6: unreadable entries get a reason ------------------------------------------------------------
def test_unreadable_fifo_dangling_and_hidden_entries_are_listed(folder, tmp_path, monkeypatch):
    raw, wh = folder
    shutil.copy(SEEDS[0], raw / "good.txt")
    shutil.copy(SEEDS[1], raw / "denied.txt")
    shutil.copy(SEEDS[2], raw / "broken_disk.txt")
    os.mkfifo(raw / "pipe.txt")
    os.symlink("nowhere.txt", raw / "dangling.txt")
    for hidden in (".DS_Store", "~$report.txt", "report.txt~", ".report.txt.swp"):
        (raw / hidden).write_text(TEXTS[3], encoding="utf-8")
    (raw / ".git").mkdir()
    (raw / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    real_open = open

    def failing_open(path, *a, **kw):  # root reads anything: EACCES and EIO are injected
        name = os.fspath(path)
        if name.endswith("denied.txt"):
            raise PermissionError(13, "Permission denied", name)
        if name.endswith("broken_disk.txt"):
            raise OSError(5, "Input/output error", name)
        return real_open(path, *a, **kw)

    monkeypatch.setattr(ingest, "open", failing_open, raising=False)
    ingest_only(raw, wh)
    assert names(wh) == {"good.txt"}
    ignored = "ignored: hidden or editor file"
    assert reasons(wh) == {"denied.txt": "unreadable", "broken_disk.txt": "unreadable",
                           "pipe.txt": "not a regular file", "dangling.txt": "dangling symlink",
                           ".DS_Store": ignored, "~$report.txt": ignored, "report.txt~": ignored,
                           ".report.txt.swp": ignored, ".git": ignored}
    # readable again: the next run loads it (an unreadable file is looked at every run)
    monkeypatch.setattr(ingest, "open", real_open, raising=False)
    ingest_only(raw, wh)
    assert names(wh) == {"good.txt", "denied.txt", "broken_disk.txt"}
    again = ingest_only(raw, wh)  # the FIFO, links and hidden files are not looked at again
    assert again.files_unchanged == again.files and again.added == 0
    equals_clean(raw, wh, tmp_path)


# -- 7: two batches with one id; a collision never outlives itself ---------------------------------
def test_an_id_delivered_again_in_a_later_batch_replaces_the_earlier(folder, tmp_path):
    raw, wh = folder
    jsonl(raw / "2024-01.jsonl", [{"id": "r1", "text": TEXTS[0]}, {"id": "r2", "text": TEXTS[1]}])
    ingest_only(raw, wh)
    jsonl(raw / "2024-02.jsonl", [{"id": "r1", "text": TEXTS[2]}])  # r1 re-scraped, new text
    ingest_only(raw, wh)
    docs = {r[1]: r[2] for r in state(wh)["raw_documents"]}
    assert docs == {"r1": "2024-02.jsonl:1", "r2": "2024-01.jsonl:2"}
    assert reasons(wh) == {"2024-01.jsonl:1": "name collision"}
    equals_clean(raw, wh, tmp_path)
    (raw / "2024-02.jsonl").unlink()  # the collision is over: the earlier record loads again
    ingest_only(raw, wh)
    assert {r[1]: r[2] for r in state(wh)["raw_documents"]} == {"r1": "2024-01.jsonl:1", "r2": "2024-01.jsonl:2"}
    assert reasons(wh) == {}
    equals_clean(raw, wh, tmp_path)


def test_a_record_taking_one_report_s_name_and_another_s_text_is_decided_as_a_clean_build_would(folder, tmp_path):
    # contention is settled over the records that share a name or a text with a contender:
    # here the chain runs name → text → the first report's text, now held by nobody
    raw, wh = folder
    jsonl(raw / "2024-01.jsonl", [{"id": "r1", "text": TEXTS[0]}, {"id": "r2", "text": TEXTS[1]},
                                  {"id": "r3", "text": TEXTS[2]}])
    shutil.copy(SEEDS[3], raw / "alone.txt")  # shares nothing: stays as it is
    ingest_only(raw, wh)
    jsonl(raw / "2024-02.jsonl", [{"id": "r1", "text": TEXTS[1]}])  # r1's name, r2's text
    ingest_only(raw, wh)
    docs = {r[1]: r[2] for r in state(wh)["raw_documents"]}
    # r1's later record wins the name, then loses its text to r2 (first in folder order):
    # r1 is left with no record and its first text with no name
    assert docs == {"r2": "2024-01.jsonl:2", "r3": "2024-01.jsonl:3", "alone.txt": "alone.txt"}
    assert reasons(wh) == {"2024-01.jsonl:1": "name collision", "2024-02.jsonl:1": "duplicate"}
    equals_clean(raw, wh, tmp_path)
    (raw / "2024-02.jsonl").unlink()
    ingest_only(raw, wh)
    assert {r[1] for r in state(wh)["raw_documents"]} == {"r1", "r2", "r3", "alone.txt"} and reasons(wh) == {}
    equals_clean(raw, wh, tmp_path)


# -- 8: ':' in a path ----------------------------------------------------------------------------
def test_colon_in_paths_does_not_break_change_detection(folder, tmp_path):
    raw, wh = folder
    shutil.copy(SEEDS[0], raw / "a:b.txt")
    jsonl(raw / "batch:2024" / "x.jsonl", [{"id": "x1", "text": TEXTS[1]}])
    ingest_only(raw, wh)
    s = ingest_only(raw, wh)
    assert s.added == 0 and s.removed == 0  # the batch is not re-ingested on every run
    (raw / "a:b.txt").write_text(TEXTS[2], encoding="utf-8")  # an edit
    ingest_only(raw, wh)
    texts = {name: text for name, _, text in documents(wh)}
    assert texts["a:b.txt"] == TEXTS[2] and texts["x1"] == TEXTS[1]
    equals_clean(raw, wh, tmp_path)


# -- 9: JSONL is split on \n only and decoded per line ---------------------------------------------
def test_line_separators_inside_json_strings_and_one_misencoded_line(folder, tmp_path):
    raw, wh = folder
    body = TEXTS[0].replace("。", "。\u2028", 3).replace("，", "\u2029", 1) + "\u0085"
    lines = [json.dumps({"id": "sep", "text": body}, ensure_ascii=False).encode("utf-8"),
             json.dumps({"id": "gbk", "text": TEXTS[1].replace("\xa0", " ")}, ensure_ascii=False).encode("gb18030"),
             json.dumps({"id": "last", "text": TEXTS[2]}, ensure_ascii=False).encode("utf-8")]
    (raw / "b.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    ingest_only(raw, wh)
    docs = {name: (where, text) for name, where, text in documents(wh)}
    assert docs["sep"] == ("b.jsonl:1", body)  # one record, not two malformed lines
    assert docs["gbk"] == ("b.jsonl:2", TEXTS[1].replace("\xa0", " "))  # the GB18030 line, decoded alone
    assert docs["last"][0] == "b.jsonl:3" and reasons(wh) == {}  # line numbers did not shift
    equals_clean(raw, wh, tmp_path)


# -- 12: smaller ones ------------------------------------------------------------------------------
def test_big_file_is_never_read_whole(tmp_path):
    big = tmp_path / "dump.txt"
    with open(big, "wb") as fh:
        fh.write(SEEDS[0].read_bytes())
        fh.truncate(200 * 2**20)  # 200 MB, sparse
    tracemalloc.start()
    try:
        recs = list(read_file(big, tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.reason for r in recs] == ["too large for one report"]
    assert peak < 3 * MAX_REPORT_BYTES  # the 2 MB the check needs, not the file


def test_nul_bytes_and_utf16_without_bom(tmp_path):
    data = SEEDS[0].read_bytes()
    (tmp_path / "nul.txt").write_bytes(data[:100] + b"\x00" + data[100:])  # a NUL in the first 4 KB
    rec = next(read_file(tmp_path / "nul.txt", tmp_path))
    assert isinstance(rec, SourceRecord) and rec.raw_text == TEXTS[0] and "NUL removed" in rec.encoding
    for enc in ("utf-16-le", "utf-16-be"):
        (tmp_path / f"{enc}.txt").write_bytes(TEXTS[1].encode(enc))
        rec = next(read_file(tmp_path / f"{enc}.txt", tmp_path))
        assert isinstance(rec, SourceRecord) and rec.raw_text == TEXTS[1] and rec.encoding == enc
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 64)
    rec = next(read_file(tmp_path / "bin.txt", tmp_path))
    assert isinstance(rec, Rejection) and rec.reason == "undecodable"


def test_non_string_ids(folder, tmp_path):
    raw, wh = folder
    jsonl(raw / "ids.jsonl", [{"id": 1, "text": TEXTS[0]}, {"id": "1", "text": TEXTS[1]},
                              {"id": 1.5, "text": TEXTS[2]}, {"id": True, "text": TEXTS[3]},
                              {"id": 7, "text": TEXTS[4]}])
    ingest_only(raw, wh)
    # 1 and "1" are one id (the later record is kept); 1.5 and true are not ids at all
    assert {r[1]: r[2] for r in state(wh)["raw_documents"]} == {"1": "ids.jsonl:2", "7": "ids.jsonl:5"}
    assert reasons(wh) == {"ids.jsonl:1": "name collision", "ids.jsonl:3": "record without id",
                           "ids.jsonl:4": "record without id"}
    equals_clean(raw, wh, tmp_path)


def test_raw_path_that_is_a_file_says_so(tmp_path):
    f = tmp_path / "raw.txt"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        stages.check_raw_dir(f)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        stages.check_raw_dir(tmp_path / "missing")
