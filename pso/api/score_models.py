"""Documentation models of the score response (spec §2.5).

The engine returns a plain dict; these models only describe it in the OpenAPI document
(building them per request would cost more than scoring a typical submission).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from litestar.openapi.spec import OpenAPIType, Schema
from pydantic import Field

from pso.schemas.base import ApiModel

Rung = Literal["none", "aspirant", "basistrede", "trede1", "trede2", "trede3"]


class EmployeeScoreOut(ApiModel):
    reference: str
    starting_position: str
    contract_type: str
    counted_days: int = Field(description="Dagen in de periode die in dienst en binnen het "
                                          "telvenster vallen")
    fte: float = Field(description="min(1, uren/voltijd) × getelde dagen / dagen in de periode")
    position_weight: float
    contract_weight: float
    weight: float = Field(description="Weging uitgangspositie × weging contractvorm")
    weighted_fte: float
    note: str | None = Field(description="Uitleg, bijvoorbeeld waar het telvenster eindigt of "
                                         "waarom de weging 0 is")


class PurchaseScoreOut(ApiModel):
    supplier_name: str
    supplier_kvk: str
    supplier_kind: str
    attributed_fte: float = Field(description="factuur / omzet × FTE leverancier × directe "
                                              "bijdrage leverancier / 100")


class Pso30PlusOut(ApiModel):
    evaluated: bool = Field(description="Alleen bij trede 3")
    pct: float | None
    qualifies: bool


class NextRungOut(ApiModel):
    rung: Rung
    threshold_pct: float = Field(description="Norm van die trede bij de huidige omvang")
    additional_fte: float | None = Field(
        description="Kleinste extra FTE (veelvoud van 0,01) aan nieuwe voltijdmedewerkers met "
                    "weging 1 en regulier contract, de hele periode in dienst, waarmee de trede "
                    "wordt gehaald bij de nieuwe omvang")


class ScoreOut(ApiModel):
    rulebook: str = Field(description="Gebruikt rulebook, bijvoorbeeld pso-2.1")
    indicative: bool = Field(description="Het rulebook bevat aannames; zie assumptions")
    as_of: date
    eligible: bool = Field(description="Minstens 2 FTE")
    ineligible_reasons: list[str]
    size_fte: float
    direct_fte: float
    direct_pct: float
    indirect_fte: float
    indirect_pct: float
    indirect_pct_capped: float = Field(description="Indirect hoogstens 80 % van het totaal")
    total_pct: float
    thresholds: dict[str, float] = Field(description="Norm in % per trede bij deze omvang")
    quantitative_rung: Rung
    quality_passed: bool
    failed_quality_criteria: list[str]
    rung: Rung
    pso30_plus: Pso30PlusOut = Field(alias="pso30Plus")
    target_group_register_pct: float
    next_rung: NextRungOut | None
    employees: list[EmployeeScoreOut]
    purchases: list[PurchaseScoreOut]
    assumptions: list[str]
    explanation: list[str] = Field(description="Uitleg in gewone taal")


class InvalidParam(ApiModel):
    name: str
    reason: str


class ProblemOut(ApiModel):
    type: str
    status: int
    title: str
    detail: str
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None


_KEYS = {
    "anyOf": "any_of", "oneOf": "one_of", "allOf": "all_of", "exclusiveMinimum":
    "exclusive_minimum", "exclusiveMaximum": "exclusive_maximum", "maxLength": "max_length",
    "minLength": "min_length", "maxItems": "max_items", "minItems": "min_items",
    "additionalProperties": "additional_properties",
}
_PLAIN = {"description", "enum", "const", "format", "pattern", "minimum", "maximum", "default",
          "examples", "title", "required"}


def litestar_schema(json_schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Schema:
    """A pydantic JSON schema as a Litestar Schema, with $defs inlined (no recursion here).

    For bodies a handler reads itself: Litestar only documents bodies it parses.
    """
    defs = json_schema.get("$defs", defs) or {}
    if "$ref" in json_schema:
        return litestar_schema(defs[json_schema["$ref"].rsplit("/", 1)[-1]], defs)
    kwargs: dict[str, Any] = {}
    for key, value in json_schema.items():
        if key == "type":
            kwargs["type"] = ([OpenAPIType(v) for v in value] if isinstance(value, list)
                              else OpenAPIType(value))
        elif key == "properties":
            kwargs["properties"] = {k: litestar_schema(_untitled(v), defs)
                                    for k, v in value.items()}
        elif key == "items":
            kwargs["items"] = litestar_schema(value, defs)
        elif key in ("anyOf", "oneOf", "allOf"):
            kwargs[_KEYS[key]] = [litestar_schema(v, defs) for v in value]
        elif key == "additionalProperties" and isinstance(value, dict):
            kwargs["additional_properties"] = litestar_schema(value, defs)
        elif key in _KEYS:
            kwargs[_KEYS[key]] = value
        elif key in _PLAIN:
            kwargs[key] = value
    return Schema(**kwargs)


def _untitled(schema: dict[str, Any]) -> dict[str, Any]:
    # pydantic titles properties after the Python name ("Hoursperweek"): noise in the docs.
    return {k: v for k, v in schema.items() if k != "title"}


__all__ = ["ProblemOut", "ScoreOut", "litestar_schema"]
