"""Skips that may not happen in CI: `CI=true` turns each of them into a failure.

A developer without Redis, chromium or the PostgreSQL server binaries still runs the rest
of the suite; CI (`CI=true`, set by every CI system and by `.ci/run`) must run everything,
so a missing tool there fails loudly instead of passing by skipping.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """Skip the test (locally) or fail it (CI=true); never returns."""
    if in_ci():
        pytest.fail(f"CI=true, so this may not be skipped: {reason}", pytrace=False)
    pytest.skip(reason)


def require_module(name: str) -> ModuleType:
    """importorskip that fails under CI=true."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(f"{name} is not installed ({exc})")
        raise  # unreachable: missing() raises
