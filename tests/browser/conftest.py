"""The accessibility gate's tally: how many distinct page states axe-core scanned
(tests/browser/support.py, AxeGate). When the whole browser suite ran and passed, fewer than
100 states fail the session: the gate must keep covering the site, not a corner of it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

MINIMUM_STATES = 100
HERE = Path(__file__).parent
_run = {"browser_tests": 0, "whole_suite": False}


def _gate():
    return sys.modules.get("tests.browser.support")


def pytest_collection_modifyitems(session, config, items) -> None:
    ours = [item for item in items if Path(str(item.fspath)).parent == HERE]
    modules = {Path(str(item.fspath)).name for item in ours}
    every = {path.name for path in HERE.glob("test_*.py")}
    narrowed = config.option.keyword or config.option.markexpr or config.option.deselect
    _run["browser_tests"] = len(ours)
    _run["whole_suite"] = bool(ours) and modules == every and not narrowed


def pytest_sessionfinish(session, exitstatus) -> None:
    support = _gate()
    if support is None or not _run["whole_suite"] or exitstatus != 0:
        return
    passed = session.testscollected - session.testsfailed
    if passed and len(support.SCANNED) < MINIMUM_STATES:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\naccessibility gate: only {len(support.SCANNED)} page states scanned, "
              f"at least {MINIMUM_STATES} expected", file=sys.stderr)


def pytest_terminal_summary(terminalreporter) -> None:
    support = _gate()
    if support is None or not support.SCANNED:
        return
    seconds = support.SCAN_SECONDS
    terminalreporter.write_sep("-", "accessibility gate (axe-core, WCAG 2.1 A and AA)")
    terminalreporter.write_line(
        f"{len(support.SCANNED)} distinct page states scanned, "
        f"{len(support.FAILED)} with violations; "
        f"{sum(seconds):.1f} s in all, {1000 * sum(seconds) / len(seconds):.0f} ms each")
