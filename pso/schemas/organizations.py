"""Request models of an applying organisation and its subsidiaries."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    field_validator,
)

from pso.schemas.base import ApiInput, SafeText
from pso.text.identifiers import KvkNumber, MunicipalityCode
from scoring.text import UNSAFE_REASON, unsafe_text


def _plain_name(value: str) -> str:
    if unsafe_text(value):  # names are printed on certificates and in the register
        raise ValueError(UNSAFE_REASON)
    return value


class SubsidiaryIn(ApiInput):
    kvk: KvkNumber = Field(description="KvK-nummer van de dochteronderneming")
    name: str = Field(min_length=1, max_length=300, description="Naam van de dochteronderneming")

    _name = field_validator("name")(_plain_name)


class SubsidiaryAssignment(SubsidiaryIn):
    """Een besluit van de beheerder, met de reden (bijvoorbeeld de schriftelijke
    instemming van de organisatie die het KvK-nummer zelf heeft geregistreerd)."""

    reason: SafeText = Field(min_length=5, max_length=2000,
                        description="Waarom de beheerder dit besluit neemt (komt in de audit-log)")


class OrganizationUpdate(ApiInput):
    """Alle gegevens van een aanvragende organisatie behalve het KvK-nummer; `subsidiaries`
    vervangt de hele lijst (leeg of weggelaten: geen dochterondernemingen)."""

    name: str = Field(min_length=1, max_length=300, description="Statutaire of handelsnaam")
    municipality_code: MunicipalityCode = Field(
        description="CBS-gemeentecode, bijvoorbeeld GM0200"
    )
    kind: Literal["company", "sw_company", "public_body"] = Field(
        description="Soort organisatie: bedrijf, SW-bedrijf of publieke organisatie"
    )
    subsidiaries: list[SubsidiaryIn] = Field(
        default_factory=list, max_length=200,
        description="Dochterondernemingen (KvK-nummer en naam) waarvan personeel en inkoop "
                    "in dezelfde aanvraag meetellen; het certificaat noemt ze.")

    _name = field_validator("name")(_plain_name)


class OrganizationIn(OrganizationUpdate):
    kvk: KvkNumber = Field(description="KvK-nummer: precies 8 cijfers", examples=["12345678"])
