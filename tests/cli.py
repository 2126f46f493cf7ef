"""The `pso` command line run inside the test process (click's CliRunner), for the tests of
what a command does; a real `pso` process costs 1.3-2 s of imports per call.

    result = run_cli("users", "add", "--role", "admin", env={"PSO_DATABASE_URL": url})
    assert result.returncode == 2 and "KvK" in result.stderr

`env` is laid over os.environ for the call, as a subprocess would get it; stdin is what the
command reads from standard input. The command runs in a thread of its own: it calls
`asyncio.run`, which an async test's running loop would refuse, and the thread's loop
leaves the caller's event loop state alone. Process-wide state the CLI sets (os.environ,
`pso.clock`'s fixed day, `pso.passwords`' profile, the mail link base, logging) is put back
after each call. tests/test_cli_process.py runs the installed entry point for real.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from click.testing import CliRunner, Result

from pso import clock, passwords
from pso.cli import main
from pso.mail import outbox


@dataclass(frozen=True)
class CliResult:
    """What subprocess.CompletedProcess gave the tests: exit code and both streams."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: Mapping[str, str] | None = None,
            stdin: str | None = None) -> CliResult:
    """`pso ARGS...` in this process; an unexpected exception is exit code 1 with its
    traceback in stderr, as Python reports it in a process."""
    outcome: list[Result | BaseException] = []

    def invoke() -> None:
        try:
            outcome.append(CliRunner().invoke(main, list(args), input=stdin, env=env,
                                             prog_name="pso"))
        except BaseException as exc:  # noqa: BLE001 (re-raised in the caller's thread)
            outcome.append(exc)

    with _restored_state():
        worker = threading.Thread(target=invoke, name="pso-cli")
        worker.start()
        worker.join(timeout=120)
    if worker.is_alive():
        raise TimeoutError(f"pso {' '.join(args)} did not finish within 120 s")
    [result] = outcome
    if isinstance(result, BaseException):
        raise result
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return CliResult(result.exit_code, result.stdout, stderr)


@contextlib.contextmanager
def _restored_state() -> Iterator[None]:
    environ = dict(os.environ)
    fixed_day = clock.fixed_day()
    hasher = passwords._hasher
    public_url = outbox.public_url()
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(environ)
        clock.fix(fixed_day)
        if passwords._hasher is not hasher:
            passwords._hasher = hasher
            passwords._dummy_hash.cache_clear()
        outbox.configure(public_url)
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.disable(disabled)
