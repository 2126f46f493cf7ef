"""/vouchers/{code}: the page the QR code on a voucher record opens.

The code itself (95 random bits) is the capability: whoever holds the paper may see its
status. Only what the paper already says is shown, plus the live status.
"""

from __future__ import annotations

from litestar import get
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import provide_db
from pso.auth import SYSTEM
from pso.clock import today
from pso.errors import NotFound
from pso.services import municipalities, vouchers
from pso.services.voucher_export import STATUS_LABELS
from pso.voucher_codes import display

# Reuse the verification page's colours: green usable, amber spent, red void.
STATUS_CSS = {"issued": "status-valid", "redeemed": "status-superseded",
              "cancelled": "status-revoked", "expired": "status-expired",
              "requested": "status-superseded", "refused": "status-revoked"}


@get("/vouchers/{code:str}", dependencies={"db": Provide(provide_db)}, include_in_schema=False)
async def voucher_page(code: str, db: AsyncSession) -> Template:
    try:
        voucher = await vouchers.voucher_for(db, SYSTEM, code[:64])
    except NotFound as exc:
        return Template("web/voucher_unknown.html", context={"detail": exc.detail},
                        status_code=404)
    status = vouchers.status_on(voucher, today())
    return Template("web/voucher.html", context={
        "code": display(voucher.code), "status": status, "status_label": STATUS_LABELS[status].capitalize(),
        "css": STATUS_CSS[status], "today": today(),
        "voucher": voucher, "scheme": voucher.scheme, "organization": voucher.organization,
        "municipality": await municipalities.name(db, voucher.scheme.municipality_code),
    })


ROUTES = [voucher_page]
