"""A CJK font for exported charts: vl-convert renders PNGs with its own font database and a
bare machine has no Chinese font, so every label would come out as boxes.

    python -m pipelines.fonts        # find (or fetch) the font, print its folder

Where the font comes from, first match wins:
1. the ``pylopdf-fonts-zh-cn`` wheel (Noto Sans SC, SIL OFL), a project dependency, so
   ``make env`` installs it with everything else, no root needed;
2. a font already unpacked into the git-ignored ``.fonts/`` folder of the repo;
3. Debian's ``fonts-wqy-microhei``: ``apt-get download`` (no root) + ``dpkg-deb -x`` into ``.fonts/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from pipelines.config import REPO

FONTS_DIR = REPO / ".fonts"
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
# CSS-style family list: vl-convert takes the first it has, a browser the first installed.
FONT_FAMILY = "Noto Sans SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, sans-serif"
DEBIAN_PACKAGE = "fonts-wqy-microhei"


def _fonts_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES) if folder.is_dir() else []


def _wheel_font_dir() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = pylopdf_fonts_zh_cn.sans_path()
    if not path.is_file():
        return None
    # the wheel also ships an 11 MB serif face: link only the sans one so registering is cheap
    own = FONTS_DIR / "wheel"
    try:
        own.mkdir(parents=True, exist_ok=True)
        link = own / path.name
        if link.is_symlink() and link.resolve() != path.resolve():
            link.unlink()  # left by an older environment
        if not link.exists():
            link.symlink_to(path)
        return own
    except OSError:  # read-only checkout: register the wheel's folder as it is
        return path.parent


def _fetch_debian_font(dest: Path) -> Path:
    """Download and unpack the Debian font package into dest (needs apt-get and dpkg-deb, not root)."""
    if not (shutil.which("apt-get") and shutil.which("dpkg-deb")):
        raise RuntimeError("no apt-get/dpkg-deb to fetch a CJK font")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", DEBIAN_PACKAGE], cwd=tmp, check=True,
                       capture_output=True, timeout=300)
        deb = next(Path(tmp).glob("*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(Path(tmp) / "x")], check=True, timeout=120)
        found = _fonts_in(Path(tmp) / "x")
        if not found:
            raise RuntimeError(f"{deb.name} holds no font file")
        dest.mkdir(parents=True, exist_ok=True)
        for f in found:
            shutil.copy2(f, dest / f.name)
    return dest


def ensure_cjk_font() -> Path:
    """Return a folder holding a CJK font, fetching one into .fonts/ when none is at hand."""
    wheel = _wheel_font_dir()
    if wheel is not None:
        return wheel
    debian = FONTS_DIR / "debian"
    if _fonts_in(debian):
        return debian
    try:
        return _fetch_debian_font(debian)
    except (RuntimeError, OSError, subprocess.SubprocessError, StopIteration) as exc:
        raise RuntimeError(
            "No CJK font for chart exports: run `make env` (installs pylopdf-fonts-zh-cn), "
            f"or put a .ttf/.otf/.ttc with Chinese glyphs into {FONTS_DIR}/debian ({exc})") from exc


@cache
def register_cjk_font() -> Path:
    """Make vl-convert (PNG/SVG export) use the CJK font; once per process."""
    import vl_convert

    folder = ensure_cjk_font()
    vl_convert.register_font_directory(str(folder))
    return folder


def main() -> int:
    try:
        folder = ensure_cjk_font()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
