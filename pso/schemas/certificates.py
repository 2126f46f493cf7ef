"""Request models of the actions on an issued certificate."""

from __future__ import annotations

from pydantic import (
    Field,
)

from pso.schemas.base import ApiInput, SafeText


class RevocationIn(ApiInput):
    reason: SafeText = Field(min_length=3, max_length=2000, description="Reden van intrekking")


class SuspensionIn(ApiInput):
    reason: SafeText | None = Field(default=None, max_length=2000)
