"""/beheer: the admin's start page, with links and the live figures of pso.services.overview."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso import clock
from pso.services.overview import overview
from pso.web.beheer.common import admin


@get("/beheer", include_in_schema=False, name="home-beheer")
async def dashboard(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await admin(request, db)
    if stop:
        return stop
    day = clock.today()
    return page.render("web/beheer/dashboard.html", {"o": await overview(db, day), "today": day})


ROUTES = [dashboard]
