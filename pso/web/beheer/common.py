"""What every /beheer page shares: the admin gate, form errors at their fields, paging."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import ProblemError
from pso.http.transaction import provide_db
from pso.web.forms import error_summary, field_errors, field_id, page_order
from pso.web.session import Page

DB = {"db": Provide(provide_db)}
PAGE_SIZE = 20
MAX_PAGE = 10_000


async def admin(request: Request, db: AsyncSession) -> tuple[Page, Any]:
    """The page and, when the visitor is no fully signed-in admin, where to send them."""
    page = await Page.load(request, db)
    return page, page.gate("admin")


def refusal_errors(exc: ProblemError, at: dict[str, str]) -> dict[str, list[str]]:
    """A refused form's errors by input name: a 400's invalidParams where the API names
    them, a rule's 409 at the input `at` gives for its slug (else the first of `at`)."""
    return field_errors(exc) or {at.get(exc.slug, next(iter(at.values()))): [exc.detail]}


def form_page(page: Page, template: str, context: dict[str, Any], *,
              errors: dict[str, list[str]] | None, labels: dict[str, str],
              status: int = 200) -> Template:
    """A page with a form: the error summary (in `labels` order) links to each input."""
    errors = errors or {}
    summary = error_summary(errors, lambda n: labels.get(n, "Invoer"),
                            order=page_order(list(labels)))
    return page.render(template, {**context, "errors": errors, "summary": summary,
                                  "fid": field_id}, status=status)


def page_number(text: str | None) -> int:
    """The `page` query parameter; anything but a sensible number is page 1."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_PAGE else 1


def pager(path: str, params: dict[str, str], number: int, total: int) -> dict[str, Any]:
    """Previous and next links that keep the other parameters."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    kept = {k: v for k, v in params.items() if v}

    def link(to: int) -> str:
        return f"{path}?{urlencode({**kept, 'page': to})}"

    return {"page": number, "pages": pages, "total": total,
            "previous": link(min(number - 1, pages)) if number > 1 else None,
            "next": link(number + 1) if number < pages else None}
