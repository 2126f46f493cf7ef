"""The public register pages; /register/{number} is where the QR code on a certificate points."""

from __future__ import annotations

import math
import re
from datetime import date
from functools import cache
from typing import Annotated
from urllib.parse import urlencode

from litestar import get
from litestar.datastructures import State
from litestar.params import Parameter
from litestar.response import Template
from markupsafe import Markup, escape

from certificates.formatting import RUNG_LABELS
from pso.clock import today
from pso.errors import NotFound
from pso.services import register
from pso.text import municipalities
from pso.text.dutch_input import date_text
from pso.text.search import fold
from pso.web.setup import STATUS_LABELS

PAGE_SIZE = 20
ISO_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RUNGS = {k: v for k, v in RUNG_LABELS.items() if k != "none"}
Text = Annotated[str | None, Parameter(required=False)]


def _day(text: str | None) -> tuple[date | None, str | None]:
    """A date typed by a person (2026-12-31 or 31-12-2026); an error text when unreadable."""
    if not text or not text.strip():
        return None, None
    iso = date_text(text)
    try:
        return date.fromisoformat(iso), None
    except ValueError:
        if ISO_SHAPE.match(iso):  # the shape of a date, but not a day of the calendar
            return None, f"De datum {text.strip()[:20]} bestaat niet."
        return None, "Geen geldige datum; gebruik bijvoorbeeld 31-12-2026."


SORTS = {
    "valid-first": "Geldige eerst",
    "newest": "Nieuwste eerst",
    "name": "Naam",
    "rung": "Hoogste trede eerst",
    "validity": "Langst geldig",
}
MAX_PAGE = register.COUNT_CAP // PAGE_SIZE


@cache
def _place_options() -> str:
    """The place filter's <option>s (every municipality, alphabetical), rendered once:
    342 of them cost more to render than the rest of the page."""
    places = sorted(municipalities.names().items(), key=lambda item: fold(item[1]))
    return "".join(f'<option value="{escape(code)}">{escape(name)}</option>'
                   for code, name in places)


def place_options(selected: str) -> Markup:
    """The options with `selected` (a known code, or "" for none) marked."""
    options = _place_options()
    if selected:
        options = options.replace(f'<option value="{selected}">',
                                  f'<option value="{selected}" selected>', 1)
    return Markup(options)


@get("/register", include_in_schema=False)
async def register_page(state: State, q: Text = None, rung: Text = None,
                        status: Text = None, page: Text = None, sort: Text = None,
                        plaats: Text = None, after: Text = None) -> Template:
    """Search by name (every word, any order, case and accents ignored), KvK or number;
    filters are ignored when they are not one of the options. Valid certificates first."""
    q = (q or "").strip()[:100]
    rung = rung if rung in RUNGS else ""
    status = status if status in STATUS_LABELS else ""
    sort = sort if sort in SORTS else "valid-first"
    places = municipalities.names()
    plaats = plaats if plaats in places else ""
    number = int(page) if page and page.isdigit() and 0 < int(page) <= MAX_PAGE else 1
    filters = {"q": q or None, "kvk": None, "rung": rung or None, "status": status or None,
               "municipality": plaats or None}
    day = today()
    try:
        found = await register.search(state, **filters, sort=sort, page=number,
                                      page_size=PAGE_SIZE, after=(after or None), day=day)
    except register.BadCursor:
        after = None
        found = await register.search(state, **filters, sort=sort, page=number,
                                      page_size=PAGE_SIZE, day=day)
    total = found.total
    pages = max(1, math.ceil(total / PAGE_SIZE))
    params = {k: v for k, v in (("q", q), ("rung", rung), ("status", status),
                                ("plaats", plaats)) if v}
    if sort != "valid-first":
        params["sort"] = sort

    def link(to: int) -> str:
        return "/register?" + urlencode({**params, "page": to})

    if after:  # reached by a "next" link: no page number to show
        previous, next_link, number = None, None, None
    else:
        previous = link(number - 1) if number > 1 else None
        next_link = link(number + 1) if number < pages and number < MAX_PAGE else None
    if found.next_after and next_link is None:
        next_link = "/register?" + urlencode({**params, "after": found.next_after})
    export = urlencode({k: v for k, v in (("q", q), ("rung", rung), ("status", status),
                                          ("municipality", plaats)) if v})
    return Template("web/register.html", context={
        "rows": [register.listed_summary(row, day) for row in found.rows], "total": total,
        "total_exact": found.total_exact,
        "q": q, "rung": rung, "status": status, "sort": sort, "plaats": plaats,
        "page": number, "pages": pages,
        "rungs": RUNGS, "statuses": STATUS_LABELS, "sorts": SORTS,
        "place_options": place_options(plaats),
        "previous": previous, "next": next_link,
        "searched": bool(q or rung or status or plaats),
        "export_csv": "/api/v1/certificates/export?" + urlencode({"format": "csv"}) + (
            "&" + export if export else ""),
        "export_json": "/api/v1/certificates/export?" + urlencode({"format": "json"}) + (
            "&" + export if export else ""),
    })


async def _find(state: State, number: str) -> register.PublicCertificate:
    """The certificate, read fresh as Core rows in one statement: on SQLite through the
    synchronous reader, on PostgreSQL in one round trip (no session, no transaction)."""
    reader = state.get("sqlite_reader")
    if reader is not None:
        return register.find_public_now(reader, number)
    return await register.find_public(state["engine"], number)


@get("/register/{number:str}", include_in_schema=False)
async def verification_page(number: str, state: State, on: Text = None) -> Template:
    """Always the live status: a revoked certificate shows as revoked, whatever the paper says."""
    day, on_error = _day(on)
    try:
        certificate = await _find(state, number)
    except NotFound:
        return Template("web/verify_unknown.html", context={"number": number[:40]},
                        status_code=404)
    # A date that cannot be read answers no question: 400 with the error on top, and no
    # status verdict that could be taken for the status on the day that was asked.
    return Template("web/verify.html", status_code=400 if on_error else 200, context={
        "c": register.summary(certificate, day or today()), "today": today(),
        "on_text": (on or "")[:20] if on_error else None, "on_error": on_error})


ROUTES = [register_page, verification_page]
