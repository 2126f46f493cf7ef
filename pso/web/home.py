"""/: what the service does, for each of its audiences, and where each one starts."""

from __future__ import annotations

from litestar import get
from litestar.response import Template


@get("/", include_in_schema=False, sync_to_thread=False)
def home() -> Template:
    return Template("web/home.html")


ROUTES = [home]
