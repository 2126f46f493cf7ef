"""The base of every request and response model and `parse`, which validates raw data into a
model with all field errors at once (the API, the web pages and the file imports use it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from pso.errors import InvalidInput
from pso.text.messages import dutch, field_name
from scoring.text import NUMBER_REASON, UNSAFE_REASON, is_decimal_text, unsafe_text


def decimal_input(value: Any) -> Any:
    """BeforeValidator of every money and number field: strings must read `-?\\d+(\\.\\d+)?`
    in ASCII digits (Decimal() alone would take "1_000", Arabic-Indic digits and "1e3"); a
    float goes via its shortest text, so 0.1 stays 0.1."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        # ValueError, not TypeError: pydantic reports only ValueError as a field error.
        raise ValueError('Geef een getal of tekst met een getal, bijvoorbeeld "1500.00".')  # noqa: TRY004
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and not is_decimal_text(value):
        raise ValueError(NUMBER_REASON)
    return value


def _line(value: str) -> str:
    if unsafe_text(value):
        raise ValueError(UNSAFE_REASON)
    return value


def _multiline(value: str) -> str:
    if unsafe_text(value, multiline=True):
        raise ValueError(UNSAFE_REASON)
    return value


# Every text that reaches a page, PDF or CSV (scoring/text.py says what is refused).
SafeLine = Annotated[str, AfterValidator(_line)]
SafeText = Annotated[str, AfterValidator(_multiline)]


class ApiModel(BaseModel):
    """Response models: camelCase on the wire."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, serialize_by_alias=True
    )


class ApiInput(ApiModel):
    """Request models: unknown fields are refused so typos do not pass silently."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
        str_strip_whitespace=True,
    )


def invalid_params(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"name": field_name(".".join(str(p) for p in e["loc"])), "reason": dutch(e["msg"])}
        for e in error.errors()
    ]


def parse(model: type[BaseModel], data: Any) -> Any:
    """Validate raw JSON into a model, reporting every field error at once."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(invalid_params(exc)) from None
