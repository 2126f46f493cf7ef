"""Shared pieces of the JSON API: camelCase models, the transaction dependency, paging."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any

from litestar import Request
from litestar.params import Parameter
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.engine import READ_ONLY
from pso.errors import InvalidInput
from pso.messages import dutch, field_name
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


async def provide_db(
    db_session: AsyncSession, request: Request[Any, Any, Any]
) -> AsyncGenerator[AsyncSession, None]:
    """One transaction per request: committed after the handler, rolled back on any error.

    GET and HEAD run as read transactions (on SQLite: deferred, so they never wait for a
    writer); a GET that still writes upgrades its lock, or gets a 503 in a rare race."""
    if reads_only(request):
        await db_session.connection(execution_options={READ_ONLY: True})
    try:
        yield db_session
    except BaseException:
        await db_session.rollback()
        raise
    else:
        await db_session.commit()


def reads_only(request: Request[Any, Any, Any]) -> bool:
    return request.method in ("GET", "HEAD")


async def write_now(db_session: AsyncSession, request: Request[Any, Any, Any],
                    work: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """A small write that any request may make (pso.web.session notes a visit). A writing
    request makes it in its own transaction. A GET commits it apart, then reads on in a
    fresh read transaction: inside the GET's deferred SQLite snapshot the write would be
    refused whenever another writer had committed meanwhile."""
    if not reads_only(request):
        await work(db_session)
        return
    await db_session.commit()  # ends the snapshot; loaded objects stay (expire_on_commit=False)
    await work(db_session)  # BEGIN IMMEDIATE on SQLite: waits its turn behind other writers
    await db_session.commit()
    await db_session.connection(execution_options={READ_ONLY: True})


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


# OpenAPI security requirement for routes behind a role guard (scheme defined in pso.app).
BEARER = [{"BearerToken": []}]

PageNumber = Annotated[int, Parameter(ge=1, le=100_000, default=1, description="Paginanummer")]
PageSize = Annotated[
    int, Parameter(ge=1, le=200, default=20, query="pageSize", description="Aantal per pagina")
]
