"""The public register pages; /register/{number} is where the QR code on a certificate points."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import get
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import provide_db
from pso.clock import today
from pso.errors import NotFound
from pso.services import register


@get("/register/{number:str}", dependencies={"db": Provide(provide_db)}, include_in_schema=False)
async def verification_page(
    number: str, db: AsyncSession,
    on: Annotated[date | None, Parameter(query="on")] = None,
) -> Template:
    """Always the live status: a revoked certificate shows as revoked, whatever the paper says."""
    day = on or today()
    try:
        certificate = await register.find(db, number)
    except NotFound:
        return Template("web/verify_unknown.html", context={"number": number[:40]},
                        status_code=404)
    return Template("web/verify.html", context={"c": register.summary(certificate, day),
                                                "today": today()})


ROUTES = [verification_page]
