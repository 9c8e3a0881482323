"""The data files analysts extend (pipelines/dictionaries/): one place that knows where they are."""

from __future__ import annotations

import tomllib
from pathlib import Path

DICTIONARIES = Path(__file__).resolve().parent.parent / "dictionaries"


def load_toml(name: str) -> dict:
    """Parse ``dictionaries/<name>`` (callers cache what they derive from it)."""
    return tomllib.loads((DICTIONARIES / name).read_text(encoding="utf-8"))


def path(name: str) -> Path:
    return DICTIONARIES / name
