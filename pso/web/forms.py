"""Reading HTML forms whose field names are the API's paths, e.g. employees[2].hoursPerWeek.

Naming the inputs after the submission fields lets an error from the engine be shown
next to the input it concerns without a translation table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import ProblemError
from pso.web.session import STALE, Page

MAX_TEXT = 500  # longer values are cut: the engine's own limits are far lower
_ROW = re.compile(r"^(\w+)\[(\d{1,4})\]\.")


def field_id(name: str) -> str:
    """An HTML id for a field name: employees[2].hoursPerWeek -> f-employees-2-hoursPerWeek."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


_NAME = re.compile(r"^(?P<head>[^\[]+?)(?:\[(?P<row>\d+)\])?(?:\.(?P<rest>.*))?$")


def page_order(sections: list[str], fields: dict[str, list[str]] | None = None):
    """Sort key for error names in the order their inputs appear on the page: `sections`
    lists the top-level names (or dotted prefixes) top to bottom, `fields` the sub-fields of
    each repeated row (employees[2].hoursPerWeek after employees[2].reference)."""
    fields = fields or {}

    def key(name: str) -> tuple[int, int, int, str]:
        section = next((i for i, s in enumerate(sections)
                        if name == s or name.startswith((s + ".", s + "["))), len(sections))
        head = sections[section] if section < len(sections) else ""
        rest = name[len(head):]
        match = _NAME.match("x" + rest) if rest else None
        row = int(match["row"]) if match and match["row"] else -1
        sub = (match["rest"] or "") if match else ""
        order = fields.get(head, [])
        position = order.index(sub.split(".")[0]) if sub.split(".")[0] in order else len(order)
        return section, row, position, name

    return key


class Form:
    """The submitted fields of one POST (multipart or urlencoded)."""

    def __init__(self, fields: dict[str, list[Any]]) -> None:
        self.fields = fields

    @classmethod
    async def read(cls, request: Request) -> Form:
        data = await request.form()
        fields: dict[str, list[Any]] = {}
        for key, value in data.multi_items():
            fields.setdefault(key, []).append(value)
        return cls(fields)

    def text(self, name: str, limit: int = MAX_TEXT) -> str:
        for value in self.fields.get(name, []):
            if isinstance(value, str):
                return value.strip()[:limit]
        return ""

    def flag(self, name: str) -> bool:
        return bool(self.text(name))

    def file(self, name: str) -> UploadFile | None:
        for value in self.fields.get(name, []):
            if isinstance(value, UploadFile) and value.filename:
                return value
        return None

    def rows(self, prefix: str, limit: int) -> int:
        """How many rows of `prefix[i].…` fields the form holds (at most `limit`)."""
        highest = -1
        for key in self.fields:
            m = _ROW.match(key)
            if m and m.group(1) == prefix:
                highest = max(highest, int(m.group(2)))
        return min(highest + 1, limit)


async def posted(request: Request, db: AsyncSession, role: str, back: str | Callable[[Form], str],
                 ) -> tuple[Page, Form, Redirect | Template | None]:
    """A form POSTed by a signed-in `role`: the page, the form, and where to send the browser
    instead when it may not post here (page.gate: sign-in, 403) or the form's CSRF token is
    stale (back to `back`, the form's page, which may be read from the form)."""

    page = await Page.load(request, db)
    if (stop := page.gate(role)) is not None:
        return page, Form({}), stop
    form = await Form.read(request)
    page.form_page = back(form) if callable(back) else back
    if not page.csrf_ok(form):
        return page, form, page.redirect(back(form) if callable(back) else back, STALE)
    return page, form, None


def field_errors(problems: ProblemError | Iterable[Mapping[str, str]],
                 rename: Callable[[str], str] | None = None) -> dict[str, list[str]]:
    """The reasons of a refusal (its invalidParams, or the engine's errors) by form field,
    several per field; `rename` turns a problem's name into the form's field name."""
    if isinstance(problems, ProblemError):
        problems = problems.invalid_params or []
    found: dict[str, list[str]] = {}
    for p in problems:
        found.setdefault(rename(p["name"]) if rename else p["name"], []).append(p["reason"])
    return found


def error_summary(errors: Mapping[str, list[str]], label: Callable[[str], str], *,
                  order: Callable[[str], Any] | None = None,
                  anchor: Callable[[str], str] = field_id) -> list[dict[str, str]]:
    """The error summary's lines: one per reason, `label: reason`, linking to the input;
    in page order when `order` (a `page_order` key) is given, else as the errors came."""
    names = sorted(errors, key=order) if order else list(errors)
    return [{"label": label(n), "reason": r, "anchor": anchor(n)}
            for n in names for r in errors[n]]
