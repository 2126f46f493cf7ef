"""/vouchers/{code}: the page the QR code on a voucher record opens.

The code itself (95 random bits) is the capability: whoever holds the paper may see its
status. Only what the paper already says is shown, plus the live status.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import SYSTEM
from pso.clock import today
from pso.db.models import Voucher, VoucherStatus
from pso.errors import NotFound
from pso.http.transaction import provide_db
from pso.services import access, municipalities, vouchers
from pso.services.voucher_status import status_on
from pso.text.labels import VOUCHER_STATUS_LABELS
from pso.voucher_codes import display
from pso.web.session import Page

# Reuse the verification page's colours: green usable, amber spent, red void.
STATUS_CSS = {VoucherStatus.ISSUED: "status-valid", VoucherStatus.REDEEMED: "status-superseded",
              VoucherStatus.CANCELLED: "status-revoked", VoucherStatus.EXPIRED: "status-expired",
              VoucherStatus.REQUESTED: "status-superseded",
              VoucherStatus.REFUSED: "status-revoked"}


@get("/vouchers/{code:str}", dependencies={"db": Provide(provide_db)}, include_in_schema=False)
async def voucher_page(request: Request, code: str, db: AsyncSession) -> Template:
    try:
        voucher = await vouchers.voucher_for(db, SYSTEM, code[:64])
    except NotFound as exc:
        return Template("web/voucher_unknown.html", context={"detail": exc.detail},
                        status_code=404)
    status = status_on(voucher, today())
    page = await Page.load(request, db)  # a signed-in visitor gets the way back
    return page.render("web/voucher.html", context={
        "back": _back(page, voucher),
        "code": display(voucher.code), "status": status,
        "status_label": VOUCHER_STATUS_LABELS[status].capitalize(),
        "css": STATUS_CSS[status], "today": today(),
        "voucher": voucher, "scheme": voucher.scheme, "organization": voucher.organization,
        "municipality": await municipalities.name(db, voucher.scheme.municipality_code),
    })


def _back(page: Page, voucher: Voucher) -> tuple[str, str] | None:
    """Where a signed-in visitor came from: the municipality to its scheme, the holder to
    its vouchers (with the PDF). Others only see the paper's facts."""
    actor = page.actor
    if actor is None or not access.may_see_voucher(actor, voucher):
        return None
    if actor.role == "municipality":
        return (f"/gemeente/regelingen/{voucher.scheme_id}",
                f"Naar de regeling {voucher.scheme.title}")
    if actor.role == "company":
        return "/mijn/vouchers", "Naar uw vouchers (met de pdf)"
    return None


ROUTES = [voucher_page]
