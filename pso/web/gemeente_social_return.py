"""/gemeente/social-return: a municipality's overview of the social return realised on the
contracts of the buying organisations that buy for it (SPEC §8.2), summed per organisation
and per year and block, with the small-numbers rule; and its CSV."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.http.downloads import file_download
from pso.services import social_return_overview as service
from pso.web.session import Page


@get("/gemeente/social-return", include_in_schema=False)
async def overview_page(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    if (stop := page.gate("municipality")) is not None:
        return stop
    found = await service.municipality_overview(db, page.actor)
    return page.render("web/gemeente/social_return.html", context={"o": found})


@get("/gemeente/social-return.csv", include_in_schema=False)
async def overview_csv(request: Request, db: AsyncSession) -> Response[Any] | Redirect:
    page = await Page.load(request, db)
    if (stop := page.gate("municipality")) is not None:
        return stop
    found = await service.municipality_overview(db, page.actor)
    return file_download(service.csv_bytes(found), "text/csv", "social-return-gemeente.csv")


ROUTES = [overview_page, overview_csv]
