"""Template engine and static assets for the web pages."""

from __future__ import annotations

from pathlib import Path

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from certificates.formatting import dutch_date, dutch_decimal, euro, percentage, rung_label

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"

STATUS_LABELS = {
    "valid": "Geldig",
    "expired": "Verlopen",
    "suspended": "Geschorst",
    "revoked": "Ingetrokken",
    "superseded": "Vervangen",
    "not_yet_valid": "Nog niet geldig",
}


def _engine(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters.update(
        dutch_date=dutch_date, decimal=dutch_decimal, euro=euro, pct=percentage, rung=rung_label,
        status_label=lambda s: STATUS_LABELS.get(s, s),
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine,
                          engine_callback=_engine)


def static_router():  # noqa: ANN201
    # Only the assets folder: templates themselves are never served.
    return create_static_files_router(path="/static", directories=[TEMPLATES / "assets"],
                                      include_in_schema=False, name="static")
