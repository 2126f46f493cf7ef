"""The role homes a sign-in lands on. /gemeente is the municipality's real portal
(pso.web.municipality), /mijn the company's (pso.web.mijn), /inkoop the buyer's
(pso.web.inkoop); the others are placeholders until their portals exist."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import provide_db
from pso.web.session import Page

DB = {"db": Provide(provide_db)}

PORTALS = {
    "/beheer": ("admin", "Beheer", "Hier komt het beheer van de dienst."),
}


def _portal(path: str):
    role, title, text = PORTALS[path]

    @get(path, dependencies=DB, include_in_schema=False, name=f"home{path.replace('/', '-')}")
    async def home(request: Request, db: AsyncSession) -> Template | Redirect:
        page = await Page.load(request, db)
        return page.gate(role) or page.render("web/account/home.html",
                                              {"title": title, "text": text})

    return home


ROUTES = [_portal(path) for path in PORTALS]
