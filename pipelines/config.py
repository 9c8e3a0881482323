"""Where things are: the raw folder, the published warehouse and the pipeline's private copy."""

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
    def work_db(self) -> Path:
        """The pipeline's own working database: only the pipeline ever opens it.

        Readers never see it, so a load never waits on an analyst's lock and an analyst
        never sees half a load; it is published by copy + atomic rename.
        """
        return self.warehouse.parent / ".build" / f"{self.warehouse.stem}.work.duckdb"

    @classmethod
    def from_env(cls, raw_dir: str | os.PathLike | None = None, warehouse: str | os.PathLike | None = None) -> Paths:
        raw = raw_dir or os.environ.get("GOVREPORTS_RAW_DIR") or REPO / "raw"
        wh = warehouse or os.environ.get("GOVREPORTS_WAREHOUSE") or REPO / "warehouse" / "reports.duckdb"
        return cls(Path(raw).resolve(), Path(wh).resolve())
