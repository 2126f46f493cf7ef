"""Request models of an application's life: create, choose a body, submit, review, decide."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    model_validator,
)

from pso.clock import today
from pso.schemas.base import ApiInput, SafeText

Json = dict[str, Any]
BodyCode = Annotated[str, Field(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]+$",
                               description="Code van de certificerende instelling")]


class AssessmentIn(ApiInput):
    submission: Json = Field(description="De personeelsgegevens over het peiljaar (zie /score)")
    certifying_body: BodyCode | None = None


class BodyChoiceIn(ApiInput):
    certifying_body: BodyCode


class SubmitIn(ApiInput):
    certifying_body: BodyCode | None = None
    response: str | None = Field(default=None, max_length=5000,
                                 description="Antwoord op de vraag van de auditor")


class InformationRequestIn(ApiInput):
    message: str = Field(min_length=3, max_length=5000, description="De vraag aan het bedrijf")


class CorrectionIn(ApiInput):
    submission: Json = Field(description="De gecorrigeerde gegevens (volledige opgave)")
    note: str | None = Field(default=None, max_length=2000)


class DecisionIn(ApiInput):
    outcome: Literal["approved", "rejected"]
    reason: SafeText | None = Field(default=None, max_length=2000)
    corrected_submission: Json | None = None
    valid_from: date | None = None

    @model_validator(mode="after")
    def _rules(self) -> DecisionIn:
        if self.outcome == "rejected" and not (self.reason and self.reason.strip()):
            raise ValueError("Bij afwijzen is een reden verplicht.")
        if self.outcome == "rejected" and self.corrected_submission is not None:
            raise ValueError("Gecorrigeerde gegevens horen alleen bij goedkeuren.")
        if self.valid_from is not None and abs((self.valid_from - today()).days) > 366:
            raise ValueError("De ingangsdatum (validFrom) mag hoogstens een jaar van vandaag af liggen.")
        return self
