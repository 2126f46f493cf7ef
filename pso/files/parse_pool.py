"""Uploaded files are read outside the event loop, within a time limit.

PSO_PARSE_WORKERS=N > 0 (the production default is 1) reads them in N spawned worker
processes: a parse then shares neither the interpreter lock nor memory with the server, and
one that runs over its time limit is stopped by killing its worker (pso.files.pdf_pool.WorkerPool
does the same for PDFs). With 0 (development, tests) a worker thread reads them; the parser
checks its own deadline between rows, as a thread cannot be stopped from outside.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from pso.files.pdf_pool import WorkerPool

log = logging.getLogger("pso.upload")
T = TypeVar("T")


def _warm_up_worker() -> None:
    import openpyxl  # noqa: F401 - the first upload should not wait for the imports

    import pso.files.upload  # the readers, and the bid import's model:
    import pso.schemas.procurement  # noqa: F401 - pydantic builds it on import


class ParsePool(WorkerPool):
    def _new_executor(self) -> ProcessPoolExecutor:
        self.generation += 1
        return ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   max_tasks_per_child=self.renders_per_worker,
                                   initializer=_warm_up_worker)


_pool: ParsePool | None = None


def configure(workers: int) -> None:
    """Called at app start-up; without it, files are read in a worker thread."""
    global _pool
    shutdown()
    if workers > 0:
        _pool = ParsePool(workers, 500)
        # Start the workers now: spawning one costs a second of CPU that should not fall
        # inside the first upload (or other requests at that moment).
        for _ in range(workers):
            _pool.executor.submit(_warm_up_worker)


def shutdown() -> None:
    global _pool
    if _pool is not None:
        pool, _pool = _pool, None
        pool.close()


class TooSlow(Exception):
    """The parse ran over its time limit (and was stopped)."""


async def run(call: Callable[..., T], *args: Any, seconds: float) -> T:
    """`call(*args)` in a worker process (or thread), at most `seconds` long."""
    pool = _pool
    if pool is None:
        try:
            with anyio.fail_after(seconds):
                return await anyio.to_thread.run_sync(functools.partial(call, *args),
                                                      abandon_on_cancel=True)
        except TimeoutError:
            raise TooSlow from None
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        generation = pool.generation
        try:
            future = loop.run_in_executor(pool.executor, functools.partial(call, *args))
        except RuntimeError:  # that executor was just replaced: use the new one
            continue
        try:
            return await asyncio.wait_for(future, seconds)
        except TimeoutError:
            log.warning("reading an upload took longer than %s s; restarting its workers",
                        seconds)
            pool.replace(generation)
            raise TooSlow from None
        except BrokenProcessPool:
            log.warning("upload worker pool broken (attempt %s); starting a new one", attempt)
            pool.replace(generation)
    raise TooSlow
