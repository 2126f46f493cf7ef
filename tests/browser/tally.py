"""The accessibility gate's tally: how many distinct page states axe-core scanned
(tests/browser/support.py, AxeGate). When the whole browser suite ran and passed, fewer than
100 states fail the session: the gate must keep covering the site, not a corner of it.

The hooks are called from tests/conftest.py, which every process loads: under pytest-xdist
(`make test` runs two workers) each worker scans part of the site and reports its states at
the end (`workeroutput`); the controller adds them up, counting a state scanned by both once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

MINIMUM_STATES = 100
HERE = Path(__file__).parent
_run: dict[str, Any] = {"whole_suite": False, "scanned": {}, "failed": set(), "seconds": []}


def _support():
    return sys.modules.get("tests.browser.support")


def collected(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if Path(str(item.fspath)).parent == HERE]
    modules = {Path(str(item.fspath)).name for item in ours}
    every = {path.name for path in HERE.glob("test_*.py")}
    narrowed = config.option.keyword or config.option.markexpr or config.option.deselect
    _run["whole_suite"] = bool(ours) and modules == every and not narrowed


def _add(scanned: dict[str, str], failed: list[str], seconds: list[float]) -> None:
    _run["scanned"].update(scanned)
    _run["failed"].update(failed)
    _run["seconds"].extend(seconds)


def node_down(node: Any) -> None:
    """A worker finished (controller side): take its share."""
    output = getattr(node, "workeroutput", None) or {}
    _add(output.get("axe_scanned", {}), output.get("axe_failed", []),
         output.get("axe_seconds", []))
    _run["whole_suite"] = _run["whole_suite"] or output.get("axe_whole_suite", False)


def finish(session: pytest.Session, exitstatus: int) -> None:
    support = _support()
    if support is not None:
        _add(support.SCANNED, support.FAILED, support.SCAN_SECONDS)
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # a worker: the controller judges the sum
        output.update(axe_scanned=_run["scanned"], axe_failed=sorted(_run["failed"]),
                      axe_seconds=_run["seconds"], axe_whole_suite=_run["whole_suite"])
        return
    if (not _run["whole_suite"] or exitstatus != 0 or session.testsfailed
            or session.config.option.collectonly):
        return
    if len(_run["scanned"]) < MINIMUM_STATES:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\naccessibility gate: only {len(_run['scanned'])} page states scanned, "
              f"at least {MINIMUM_STATES} expected", file=sys.stderr)


def summary(terminalreporter: Any) -> None:
    seconds = _run["seconds"]
    if not _run["scanned"] or not seconds:
        return
    terminalreporter.write_sep("-", "accessibility gate (axe-core, WCAG 2.1 A and AA)")
    terminalreporter.write_line(
        f"{len(_run['scanned'])} distinct page states scanned, "
        f"{len(_run['failed'])} with violations; "
        f"{sum(seconds):.1f} s in all, {1000 * sum(seconds) / len(seconds):.0f} ms each")
