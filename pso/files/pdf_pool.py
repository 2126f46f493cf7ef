"""PDF rendering for the service: a time limit, and optionally recycled worker processes.

PSO_PDF_WORKERS=0 (development, tests) renders in a thread of this process, as
`certificates.pdf.render_pdf_async` does. With PSO_PDF_WORKERS=N > 0 (production) renders
run in N spawned processes, each replaced after PSO_PDF_RENDERS_PER_WORKER renders: memory
that WeasyPrint, Pango and fontconfig keep between documents goes back to the system, so a
long-running server stays flat. A render that takes longer than PSO_PDF_TIMEOUT seconds
answers 503 problem details; in pool mode its workers are killed and a fresh pool started,
because a stuck render cannot be interrupted from outside any other way.

Only this module light imports at the top: spawned workers import it to find `_render`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import pickle
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger("pso.pdf")

DEFAULT_VARIANT = "pdf/a-3b"  # certificates.pdf.PDF_VARIANT, without importing WeasyPrint here


def warm_up() -> None:
    """`certificates.pdf.warm_up`, imported here: WeasyPrint (~0.6 s to import) loads when
    the server starts or renders, not when `pso.app` is imported (CLI commands, tests)."""
    from certificates.pdf import warm_up

    warm_up()


def _render(payload: bytes) -> bytes:
    """Runs in a worker process."""
    from certificates.pdf import render_pdf

    template, context, stylesheets, variant = pickle.loads(payload)  # our own bytes
    return render_pdf(template, context, stylesheets=stylesheets, variant=variant)


class WorkerPool:
    """A ProcessPoolExecutor that can be thrown away and replaced when a render hangs."""

    def __init__(self, workers: int, renders_per_worker: int) -> None:
        self.workers, self.renders_per_worker = workers, renders_per_worker
        self.generation = 0
        self.executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        self.generation += 1
        return ProcessPoolExecutor(
            max_workers=self.workers,
            # spawn: a fork of a running server would copy its threads' locks and sockets.
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=self.renders_per_worker,
            initializer=warm_up,
        )

    def replace(self, generation: int) -> None:
        """Kill the workers of `generation` (unless already replaced) and start afresh."""
        if generation != self.generation:
            return
        old, self.executor = self.executor, self._new_executor()
        for process in list((getattr(old, "_processes", None) or {}).values()):
            process.kill()
        old.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        return [p.pid for p in (getattr(self.executor, "_processes", None) or {}).values()]

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


_pool: WorkerPool | None = None
_timeout: float = 30.0


def configure(workers: int, renders_per_worker: int = 200, timeout: float = 30.0) -> None:
    """Called at app start-up; without it, renders run in a thread with a 30 s limit."""
    global _pool, _timeout
    shutdown()
    _timeout = timeout
    if workers > 0:
        _pool = WorkerPool(workers, max(1, renders_per_worker))


def shutdown() -> None:
    global _pool
    if _pool is not None:
        pool, _pool = _pool, None
        pool.close()


def worker_pids() -> list[int]:
    return _pool.pids() if _pool is not None else []


def _unavailable(detail: str):
    from pso.errors import ProblemError

    return ProblemError(detail, status=503, slug="pdf-unavailable", headers={"Retry-After": "10"})


async def render(
    template_name: str,
    context: Mapping,
    *,
    stylesheets: Sequence[str] | None = None,
    variant: str = DEFAULT_VARIANT,
) -> bytes:
    """`certificates.pdf.render_pdf` within the time limit, in a worker process when the
    pool is configured. Raises a 503 ProblemError on timeout; the caller's transaction
    then rolls back, so nothing half-issued remains."""
    pool = _pool
    payload = None
    if pool is not None:
        try:
            payload = pickle.dumps((template_name, dict(context), stylesheets, variant))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            # e.g. ORM objects in the context: render here rather than fail.
            log.warning("PDF context for %s cannot go to a worker (%s); rendering in-process",
                        template_name, exc)
    if pool is None or payload is None:
        return await _render_in_thread(template_name, context, stylesheets, variant)
    return await _render_in_pool(pool, payload, template_name)


async def _render_in_thread(template_name: str, context: Mapping,
                            stylesheets: Sequence[str] | None, variant: str) -> bytes:
    import anyio.to_thread

    from certificates.pdf import render_pdf

    call = functools.partial(render_pdf, template_name, context, stylesheets=stylesheets,
                             variant=variant)
    try:
        with anyio.fail_after(_timeout):
            # The abandoned thread finishes on its own; only the request stops waiting.
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
    except TimeoutError:
        log.error("PDF render of %s took longer than %s s", template_name, _timeout)
        raise _unavailable("Het maken van de PDF duurde te lang. Probeer het zo opnieuw.") from None


async def _render_in_pool(pool: WorkerPool, payload: bytes, template_name: str) -> bytes:
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        generation = pool.generation
        try:
            future = loop.run_in_executor(pool.executor, _render, payload)
        except RuntimeError:  # that executor was just replaced: use the new one
            continue
        try:
            return await asyncio.wait_for(future, _timeout)
        except TimeoutError:
            log.error("PDF render of %s took longer than %s s; restarting the PDF workers",
                      template_name, _timeout)
            pool.replace(generation)
            raise _unavailable(
                "Het maken van de PDF duurde te lang. Probeer het zo opnieuw."
            ) from None
        except BrokenProcessPool:
            # A worker died (killed after another render's timeout, or out of memory):
            # one more try on a fresh pool.
            log.warning("PDF worker pool broken (attempt %s); starting a new one", attempt)
            pool.replace(generation)
    raise _unavailable("De PDF-dienst is tijdelijk niet beschikbaar. Probeer het zo opnieuw.")
