"""The extraction worker processes of one build: started early, used by extraction, always stopped.

A forkserver pool: a clean child per worker, not a fork of a process that runs Dagster's
threads. Workers start on demand, so ``warm_up`` starts one, which loads the extractors and
dictionaries (~1.5 s) while the raw step runs, instead of delaying the first extraction.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import polars as pl

Batch = list[dict]
Frames = dict[str, pl.DataFrame]


def default_count() -> int:
    return min(os.cpu_count() or 1, 4)


def _warm() -> None:
    from pipelines.rows import warm_up

    warm_up()


class Workers:
    """The pool of one build (``count`` processes; None: one per core, at most 4).

    ``keep``: the pool outlives a run (``python -m pipelines watch``: one warm process builds
    run after run); only :meth:`close` stops it.
    """

    def __init__(self, count: int | None = None, keep: bool = False) -> None:
        self.count = count or default_count()
        self.keep = keep
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.count, mp_context=get_context("forkserver"))

    def warm_up(self) -> None:
        """Start a worker now and have it load the extractors (no-op if already started)."""
        if self._pool is None:
            self._pool = self._new_pool()
            self._pool.submit(_warm)

    def run(self, fn: Callable[[Batch], Frames], batches: Iterator[Batch], n_batches: int) -> Iterator[Frames]:
        """``fn`` of batch after batch, at most two batches per worker in flight (bounded memory).

        One batch, or one worker, and no pool warmed: in this process (no worker is worth
        starting for it). The pool is shut down when the batches are done.
        """
        if self._pool is None and (self.count <= 1 or n_batches <= 1):
            for items in batches:
                yield fn(items)
            return
        # the pool stays ours while it works: a failure half way leaves it to close(), which
        # terminates the workers instead of waiting for the batches in flight
        pool = self._pool = self._pool or self._new_pool()
        pending: deque = deque()
        for items in batches:
            pending.append(pool.submit(fn, items))
            if len(pending) >= 2 * self.count:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        if not self.keep:
            self._pool = None
            pool.shutdown()

    def resize(self, count: int | None) -> None:
        """Use ``count`` processes (None or 0: keep the default); a pool already started keeps its size."""
        if count and self._pool is None:
            self.count = count

    def release(self) -> None:
        """Stop a pool warmed for work that did not come (duplicates, rejects, nothing new);
        a kept pool stays for the next run."""
        if self.keep:
            return
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers and the forkserver, whatever state the run ended in.

        A failed run left a warmed pool (a forkserver and workers of ~300 MB) alive, holding
        the run's stdout: ``make run | tee log`` never returned. Every exit path calls this.
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                with contextlib.suppress(Exception):
                    p.terminate()
                    p.join(5)
        from multiprocessing import forkserver

        with contextlib.suppress(Exception):
            forkserver._forkserver._stop()  # the forkserver outlives its pools otherwise
