"""Request models of a certifying body (the API's POST/PATCH and /beheer/instellingen)."""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    field_validator,
)

from pso.schemas.base import ApiInput, SafeLine, SafeText
from pso.text.identifiers import BODY_CODE_RE

NAME_LENGTH = {"min_length": 1, "max_length": 300}


ACCREDITATION_LENGTH = {"max_length": 2000}


ACCREDITATION_TEXT = "Accreditatie, bijv. RvA C 123 (ISO/IEC 17065)"


SEPARATE_TEXT = "Besluit door een andere auditor dan de beoordelaar"


class BodyIn(ApiInput):
    code: str = Field(min_length=2, max_length=20, description="Korte code, bijv. PSOCERT")
    name: SafeLine = Field(**NAME_LENGTH)
    accreditation: SafeText = Field(default="", description=ACCREDITATION_TEXT,
                                    **ACCREDITATION_LENGTH)
    separate_decision: bool = Field(default=True, description=SEPARATE_TEXT)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.upper()
        if not BODY_CODE_RE.match(value):
            raise ValueError("Gebruik hoofdletters, cijfers en '-' (2 tot 20 tekens).")
        return value


class BodyPatchIn(ApiInput):
    """Only the fields sent change; the code stays what the body was made with."""

    name: SafeLine | None = Field(default=None, **NAME_LENGTH)
    accreditation: SafeText | None = Field(default=None, description=ACCREDITATION_TEXT,
                                           **ACCREDITATION_LENGTH)
    separate_decision: bool | None = Field(default=None, strict=True, description=SEPARATE_TEXT)

    def changes(self) -> dict[str, Any]:
        """The fields sent, minus explicit nulls (null never empties a field)."""
        sent = self.model_dump(by_alias=False, exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None}
