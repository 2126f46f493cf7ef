"""/dev/mail: the mail outbox as pages, for development and tests only.

The app factory registers these routes only outside production (there they do not exist:
404). A mail's HTML part is served from its own URL with a CSP that allows nothing but its
inline styles (no scripts, no requests, `sandbox`) and shown in a sandboxed iframe.
"""

from __future__ import annotations

from litestar import Response, get
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import OutboxMail
from pso.errors import NotFound
from pso.http.transaction import provide_db
from pso.mail import outbox

DB = {"db": Provide(provide_db)}
NO_STORE = {"Cache-Control": "no-store"}
STATUS_LABELS = {"queued": "In de wachtrij", "sent": "Verstuurd", "failed": "Mislukt"}
HTML_PART_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
    ),
    "X-Frame-Options": "SAMEORIGIN",
}


async def _mail(db: AsyncSession, mail_id: int) -> OutboxMail:
    mail = await db.get(OutboxMail, mail_id) if 0 < mail_id < 2**31 else None
    if mail is None:
        raise NotFound(f"Er is geen mail met nummer {mail_id} in de outbox.")
    return mail


@get("/dev/mail", dependencies=DB, include_in_schema=False)
async def mail_list(db: AsyncSession) -> Template:
    mails = await outbox.recent(db, limit=200)
    return Template("web/dev/mail_list.html", headers=NO_STORE,
                    context={"mails": mails, "labels": STATUS_LABELS})


@get("/dev/mail/{mail_id:int}", dependencies=DB, include_in_schema=False)
async def mail_page(mail_id: int, db: AsyncSession) -> Template:
    mail = await _mail(db, mail_id)
    return Template("web/dev/mail.html", headers=NO_STORE,
                    context={"mail": mail, "labels": STATUS_LABELS})


@get("/dev/mail/{mail_id:int}/html", dependencies=DB, include_in_schema=False)
async def mail_html(mail_id: int, db: AsyncSession) -> Response[str]:
    mail = await _mail(db, mail_id)
    return Response(mail.html_body, media_type="text/html; charset=utf-8",
                    headers=HTML_PART_HEADERS)


ROUTES = [mail_list, mail_page, mail_html]
