"""Wall-clock time of a build's phases, in the process that runs the build.

Functions of the build steps are decorated with the phase they belong to (scan, decode,
extract, load, checks, publish). Time is exclusive: a phase called inside another (the
load's ``insert_frame`` inside the raw step's decoding or inside the extraction) is taken
out of the outer one, so the phases add up to the time spent in them. ``python -m pipelines
build`` prints the totals at the end (``govreports: phases {...}``), with what is left of
the run's wall clock as ``dagster`` (Dagster's own start, run record, events, and Python's).
Extraction runs in worker processes: ``extract`` is the time the loading process spends
waiting for them, so it is the extraction not hidden behind the load.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

PHASES = ("scan", "decode", "extract", "load", "checks", "publish")

_totals: dict[str, float] = dict.fromkeys(PHASES, 0.0)
_inner: list[float] = []  # per open phase, the time spent in phases called inside it


def timed(phase: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: the time spent in the function counts towards ``phase``."""
    if phase not in _totals:
        raise ValueError(f"unknown phase {phase!r}: one of {PHASES}")

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            t0 = time.perf_counter()
            _inner.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                _totals[phase] += elapsed - _inner.pop()
                if _inner:
                    _inner[-1] += elapsed
        return inner
    return wrap


def totals() -> dict[str, float]:
    """Seconds per phase since the process started (or since :func:`reset`)."""
    return dict(_totals)


def reset() -> None:
    for k in _totals:
        _totals[k] = 0.0
