"""Make a large, realistic corpus by recombining the real reports in raw/.

Each synthetic report takes the opening of one real report and top-level sections of
others (their inner headings, numbers and sentences untouched), renumbers the top level,
and gives it a real region from the gazetteer and a year, with the years inside shifted
to match. So the text, the quantities and the heading systems stay real; only the mix is new.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.extract.ingest import load_documents

_TOP = re.compile(r"^[ \t]*([一二三四五六七八九十]{1,3})[、.．]", re.M)
_NUMERALS = "一二三四五六七八九十"
_YEAR = re.compile(r"20[12]\d(?=年)")


@dataclass
class Parts:
    openings: list[tuple[str, int]]  # (text before the first top-level heading, its report year)
    sections: list[tuple[str, int]]  # (a top-level section without its marker, its report year)


def _year_of(text: str) -> int:
    years = [int(y) for y in _YEAR.findall(text[:600])]
    return max(set(years), key=years.count) if years else 2023


def collect(raw_dir: Path) -> Parts:
    parts = Parts([], [])
    for doc in load_documents(raw_dir):
        text = doc.text
        year = _year_of(text)
        marks = list(_TOP.finditer(text))
        if len(marks) < 2:
            continue
        opening = text[: marks[0].start()].strip().split("\n")[-1]  # the lead paragraph, no chrome
        if len(opening) > 40:
            parts.openings.append((opening, year))
        for a, b in zip(marks, [*marks[1:], None], strict=True):
            body = text[a.end(): b.start() if b else len(text)].strip()
            if 80 < len(body) < 5000:  # report-sized sections; a work report chapter is longer
                parts.sections.append((body, year))
    if not parts.openings or not parts.sections:
        raise SystemExit(f"no reports with top-level sections under {raw_dir}")
    return parts


def regions() -> list[str]:
    """Names of real divisions (provinces, prefectures, counties) from the project's gazetteer."""
    from pipelines.extract.regions import gazetteer

    return [r.name for r in gazetteer() if r.name.endswith(("市", "县", "区", "省"))]


def _shift(text: str, src: int, dst: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group()) - src + dst), text)


def report(parts: Parts, names: list[str], rng: random.Random, n: int) -> str:
    region = rng.choice(names)
    year = rng.randint(2019, 2025)
    opening, oy = rng.choice(parts.openings)
    chosen = rng.sample(parts.sections, k=min(len(parts.sections), rng.randint(3, 6)))
    title = f"{region}科学技术局{year}年度法治政府建设情况报告"
    lines = [title, "", f"报告编号:{n}", "", _shift(opening, oy, year), ""]
    for i, (body, sy) in enumerate(chosen):
        lines += [f"{_NUMERALS[i]}、{_shift(body, sy, year)}", ""]
    lines += ["", f"{region}科学技术局", f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
    return "\n".join(lines)


def make_corpus(raw_dir: Path, out: Path, n: int, seed: int = 7, start: int = 0) -> Path:
    """Write reports ``start`` .. ``start + n - 1`` under ``out`` (1,000 a folder); returns ``out``."""
    parts = collect(raw_dir)
    names = regions()
    rng = random.Random(seed * 1_000_003 + start)
    for i in range(start, start + n):
        folder = out / f"batch_{i // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"synthetic_{i:06d}.txt").write_text(report(parts, names, rng, i), encoding="utf-8")
    return out
