"""Mail templates: `templates/mail/<name>.txt` and `.html`, Dutch, rendered with Jinja.

The first line of the .txt is the subject, written `Onderwerp: …`, followed by one empty
line; the rest is the plain-text body. The .html (autoescaped) extends `mail/base.html`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from certificates.formatting import dutch_date, euro, rung_label
from certificates.resources import templates_dir

SERVICE = "PSO-dienst"
SUBJECT_PREFIX = "Onderwerp:"
_NAME = re.compile(r"^[a-z0-9_]{1,60}$")


class MailTemplateError(ValueError):
    """A template name or file that cannot make a mail (a programming error)."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _date(value: date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return dutch_date(value)


def _stop(value: Any) -> str:
    """The full stop a sentence still needs after `value`: none when a name already ends
    with one ("namens Bakkerij De IJssel B.V.", never "B.V..")."""
    return "" if str(value).rstrip().endswith((".", "!", "?")) else "."


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        # Only the HTML part is escaped; the text part is plain text by definition.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,  # a missing context value is a bug, not an empty line
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dutch_date=_date, euro=euro, rung=rung_label, stop=_stop)
    return env


def render(template: str, context: dict[str, Any]) -> RenderedMail:
    if not _NAME.match(template):
        raise MailTemplateError(f"not a mail template name: {template!r}")
    env = environment()
    values = {"service": SERVICE, **context}
    text = env.get_template(f"mail/{template}.txt").render(values)
    first, _, body = text.lstrip("\n").partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise MailTemplateError(f"mail/{template}.txt must start with '{SUBJECT_PREFIX} …'")
    subject = " ".join(first[len(SUBJECT_PREFIX):].split())
    if not subject:
        raise MailTemplateError(f"mail/{template}.txt has an empty subject")
    html = env.get_template(f"mail/{template}.html").render({**values, "subject": subject})
    return RenderedMail(subject=subject, text=body.lstrip("\n").rstrip() + "\n", html=html)
