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

from pso.errors import ProblemError

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


# --- what a page may show of a refusal (issue 21 item 11) -------------------------------
# The API's reasons name fields, codes and API paths for programmers; a page shows labels,
# Dutch choices and no API paths. Page.render passes every refused page's errors through
# readable_context(), so a new form cannot show them either.

FIELD_LABELS = {
    "certifyingBody": "Certificerende instelling", "confirm": "Bevestiging",
    "response": "Antwoord aan de auditor", "message": "Vraag aan het bedrijf",
    "reason": "Reden", "outcome": "Besluit", "note": "Toelichting", "email": "E-mailadres",
    "password": "Wachtwoord", "password2": "Wachtwoord (herhaling)", "current": "Huidig wachtwoord",
    "code": "Code", "name": "Naam", "kvk": "KvK-nummer", "municipalityCode": "Gemeente",
    "kind": "Soort organisatie", "role": "Rol", "validFrom": "Geldig vanaf",
    "submission": "Gegevens", "form": "Formulier",
}
_API_PATH = re.compile(r"\s*\((?:(?:GET|POST|PUT|PATCH|DELETE)\s+)?/api/[^)]*\)")
_CODE_LIST = re.compile(r"(?P<head>[Kk]ies een van|[Tt]oegestaan):\s*'[^']*'"
                        r"(?:\s*(?:,|of)\s*'[^']*')*")
_PATH_LIKE = re.compile(r"[\[\].]|^[a-z]+[A-Z]")


def readable(reason: str) -> str:
    """A refusal's reason as a page shows it: no API paths, no lists of codes."""
    reason = _API_PATH.sub("", reason)

    def choices(m: re.Match[str]) -> str:
        return ("Kies" if m["head"][0].isupper() else "kies") + " een van de mogelijkheden"

    return _CODE_LIST.sub(choices, reason)


def field_label(name: str) -> str:
    """The label a person reads for a field name (employees[2].hoursPerWeek -> "Medewerker 3:
    uren per week", motivations.integration -> "Motivering integratie")."""
    from pso.web.calculator import TOP_FIELDS, label_of  # the calculator names the submission
    from pso.web.labels import QUALITY_LABELS

    name = name.removeprefix("submission.").removeprefix("correctedSubmission.")
    if name.startswith("motivations."):
        return "Motivering " + QUALITY_LABELS.get(name[12:], ("kwaliteitseis",))[0].lower()
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    label = label_of(name)
    if label == name and name not in TOP_FIELDS and _PATH_LIKE.search(name):
        return "Invoer"
    return label


def _label(label: str) -> str:
    """A summary line's label, when a page used the field's name for it."""
    return field_label(label) if label in FIELD_LABELS or _PATH_LIKE.search(label) else label


def readable_context(context: dict[str, Any]) -> dict[str, Any]:
    """A refused page's context with readable reasons: `errors` ({field: reason or
    [reasons]}), `summary` ([{label, reason, anchor}]) and `error` (one sentence)."""
    fixed = dict(context)
    errors = context.get("errors")
    if isinstance(errors, Mapping):
        fixed["errors"] = {k: [readable(r) for r in v] if isinstance(v, list)
                           else readable(v) if isinstance(v, str) else v
                           for k, v in errors.items()}
    summary = context.get("summary")
    if isinstance(summary, list):
        fixed["summary"] = [
            {**line, "label": _label(str(line.get("label", ""))),
             "reason": readable(str(line.get("reason", "")))}
            if isinstance(line, Mapping) else line for line in summary]
    if isinstance(context.get("error"), str):
        fixed["error"] = readable(context["error"])
    return fixed
