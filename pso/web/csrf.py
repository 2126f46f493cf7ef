"""The one CSRF check: every POST, PUT, PATCH or DELETE outside the API carries the form
token of this browser (pso.web.session), checked here before any handler runs, so a new
form cannot forget it. The API is left alone: it takes tokens in a header, not cookies.

A refused form changes nothing. A person who may not post there at all gets the answer
the handler would give (sign in first); everyone else goes back to the form's page with
the "form expired" notice. The form is parsed once: the handler reads it from the
request's cache, an upload included.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Request
from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Receive, Scope, Send

from pso.http.middleware import API_PREFIX
from pso.web.forms import Form
from pso.web.session import STALE, Page

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# opt of a handler whose form carries no token: the public calculators, which store nothing
# and know no session (their answer is the same for anyone who posts the same figures).
NO_TOKEN = {"form_without_token": True}
# opt of a form posted before signing in (sign in, forgotten password): refused, it is shown
# again instead of sending the browser to sign in.
SIGNED_OUT = {"signed_out_form": True}


def form_page(address: str) -> dict[str, str]:
    """opt of a form whose page is not its POST address nor the nearest page above it, e.g.
    "/mijn/aanvraag/{assessment_id}" (filled in with the path's values)."""
    return {"form_page": address}


def _form_page(request: Request, page: Page) -> str:
    """The page the refused form was on: the Referer when it is this site's own page, else
    the handler's form_page(), else the POST's own address or the nearest page above."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc == request.url.netloc and came_from.path.startswith("/"):
        return came_from.path + (f"?{came_from.query}" if came_from.query else "")
    if address := request.route_handler.opt.get("form_page"):
        return str(address).format(**request.path_params)
    return page.page_address()


def refusal(request: Request, page: Page) -> Redirect | Template:
    """Where a post without this browser's token goes instead."""
    handler = request.route_handler
    stop = None if handler.opt.get("signed_out_form") else page.gate(enrolling=True)
    return stop or page.redirect(_form_page(request, page), STALE)


def checked(path: str, handler: BaseRouteHandler, method: str) -> bool:
    """Whether a request to the route `path` needs the form token: unsafe, outside the API,
    not a NO_TOKEN form."""
    return (
        method not in SAFE_METHODS
        and not path.startswith(API_PREFIX)
        and not handler.opt.get("form_without_token")
    )


class FormTokenMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != ScopeType.HTTP or not checked(
            scope["path_template"], scope["route_handler"], scope["method"]
        ):
            await next_app(scope, receive, send)
            return
        request: Request = Request(scope, receive)
        app = request.app
        # The request's own database session (the handler's `db`), so the page is loaded once.
        db = app.state.db_config.provide_session(app.state, scope)
        page = await Page.load(request, db)
        if page.csrf_ok(await Form.read(request)):
            await next_app(scope, receive, send)
            return
        answer = refusal(request, page)
        await db.commit()  # only the note that the session was seen (Page.load)
        await answer.to_asgi_response(app, request)(scope, receive, send)
