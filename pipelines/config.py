"""Where things are: the raw folder, the published warehouse and the pipeline's two build files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQL_DIR = REPO / "warehouse"


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    warehouse: Path  # the published file analysts open (read-only)

    @property
    def builds(self) -> tuple[Path, Path]:
        """The pipeline's two build files; the published warehouse is a hard link to one."""
        d = self.warehouse.parent / ".build"
        return d / f"{self.warehouse.stem}.a.duckdb", d / f"{self.warehouse.stem}.b.duckdb"

    @property
    def published_build(self) -> Path | None:
        """The build file the warehouse is a link to (same inode), or None."""
        try:
            pub = self.warehouse.stat()
        except OSError:
            return None
        for b in self.builds:
            try:
                st = b.stat()
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (pub.st_dev, pub.st_ino):
                return b
        return None

    @property
    def work_db(self) -> Path:
        """The build file a run writes: the one that is not published.

        Readers never see it, so a load never waits on an analyst's lock and an analyst
        never sees half a load.
        """
        a, b = self.builds
        return b if self.published_build == a else a

    @classmethod
    def from_env(cls, raw_dir: str | os.PathLike | None = None, warehouse: str | os.PathLike | None = None) -> Paths:
        """Arguments as given (relative to the working directory); a relative $GOVREPORTS_RAW_DIR or
        $GOVREPORTS_WAREHOUSE is taken from the repo root, as `make run` takes it, so a notebook
        (working directory notebooks/) opens the same warehouse."""
        raw = Path(raw_dir) if raw_dir else _from_repo(os.environ.get("GOVREPORTS_RAW_DIR") or "raw")
        wh = Path(warehouse) if warehouse else _from_repo(os.environ.get("GOVREPORTS_WAREHOUSE")
                                                          or "warehouse/reports.duckdb")
        return cls(raw.resolve(), wh.resolve())


def _from_repo(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else REPO / p
