"""What a page may show of a refusal (issue 21 item 11). The API's reasons name fields,
codes and API paths for programmers; a page shows labels, Dutch choices and no API paths.
pso.web.session's Page.render passes every refused page's errors through readable_context(),
so a new form cannot show them either."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pso.text.labels import QUALITY_LABELS, TOP_FIELDS, label_of

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
