"""Template engine and static assets for the web pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from certificates.formatting import (
    dutch_date,
    dutch_decimal,
    euro,
    percentage,
    plural,
    rung_label,
)
from certificates.resources import templates_dir
from pso.clock import AMSTERDAM
from pso.text.dates import dates_in
from scoring.notation import exact, file_size, short, weight

TEMPLATES = templates_dir()

STATUS_LABELS = {
    "valid": "Geldig",
    "expired": "Verlopen",
    "suspended": "Geschorst",
    "revoked": "Ingetrokken",
    "superseded": "Vervangen",
    "not_yet_valid": "Nog niet geldig",
}


def _exact(value: Any) -> Any:
    # The engine reports floats; shown numbers go through Decimal (the shortest repr),
    # because the shared formatters refuse floats on purpose.
    return exact(value) if isinstance(value, float) else value


def _date(value: date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return dutch_date(date.fromisoformat(value))
        except ValueError:
            return value
    return dutch_date(value)


def moment(at: datetime | None) -> str:
    """A stored moment as the Dutch read it: "5 maart 2026 14:07" in Amsterdam time."""
    if at is None:
        return ""
    local = at.astimezone(AMSTERDAM)
    return f"{dutch_date(local.date())} {local:%H:%M}"


def _num(value: Any, places: int = 2) -> str:
    """Dutch decimal, trailing zeros dropped: 12.50 -> "12,5", 3 -> "3"."""
    return "" if value is None else short(_exact(value), places)


def _visitor(request: Any, person: Any = None) -> dict[str, str] | None:
    from pso.web.session import visitor  # the session module imports the app's services

    return visitor(request, person)


def _engine(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    # Templates ship with the code: no stat() of every template file on every render.
    env.auto_reload = False
    env.globals["visitor"] = _visitor
    env.filters.update(
        plural=plural,
        dutch_date=_date,
        moment=moment,
        decimal=lambda v, places=2: dutch_decimal(_exact(v), places),
        num=_num,
        file_size=file_size,
        weight=lambda v: "" if v is None else weight(v),
        dates_in=dates_in,
        decimal_text=lambda v: str(v).replace(".", ",") if v is not None else "",
        euro=lambda v: euro(_exact(v)),
        pct=lambda v, places=1: percentage(_exact(v), places),
        rung=rung_label,
        status_label=lambda s: STATUS_LABELS.get(s, s),
        thousands=lambda n: f"{n:,}".replace(",", "."),
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine,
                          engine_callback=_engine)


def static_router():
    # Only the assets folder: templates themselves are never served.
    return create_static_files_router(path="/static", directories=[TEMPLATES / "assets"],
                                      include_in_schema=False, name="static")
