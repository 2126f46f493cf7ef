"""Tenant isolation rules shared by every service."""

from __future__ import annotations

from pso.auth import Actor
from pso.errors import Forbidden


def ensure_kvk_access(actor: Actor, kvk: str) -> None:
    """A company token reaches only its own organisation; other roles are checked by guards."""
    if actor.role == "company" and actor.kvk != kvk:
        raise Forbidden("Dit token hoort bij een andere organisatie.")


def ensure_municipality_access(actor: Actor, municipality_code: str) -> None:
    if actor.role == "municipality" and actor.municipality_code != municipality_code:
        raise Forbidden("Dit token hoort bij een andere gemeente.")
