"""The certificate PDF: what goes on it, and rendering it (sync and async).

`.pdf` (WeasyPrint, ~0.6 s to import) is imported by the render functions only: the service
imports this module for `certificate_context` and renders through pso.files.pdf_pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from scoring.enums import RUNGS

from .formatting import RUNG_LABELS
from .ladder import ladder_svg
from .lifecycle import KINDS
from .numbering import parse_number
from .qr import qr_svg

TEMPLATE = "certificates/certificate.html"
KIND_TITLES = {"ladder": "Certificaat", "pso30plus": "Certificaat PSO 30+"}


@dataclass(frozen=True)
class CertificateData:
    number: str  # PSO-YYYY-NNNNNN
    kind: str  # "ladder" | "pso30plus"
    rung: str  # aspirant .. trede3 (pso30plus certificates are on trede3)
    organization_name: str
    kvk: str
    valid_from: date
    valid_until: date
    rulebook: str  # e.g. "pso-2.1"
    issuer: str  # name of the certifying body
    issued_on: date  # also the PDF creation date, so the bytes are reproducible
    public_url: str  # PSO_PUBLIC_URL, e.g. "https://pso.example.nl"
    # Subsidiary entities the certificate covers (SPEC §7.2): ((kvk, name), ...)
    subsidiaries: tuple[tuple[str, str], ...] = ()
    accreditation: str = ""  # the body's, as the admin entered it ("RvA C 123 (ISO/IEC 17065)")


def verification_url(public_url: str, number: str) -> str:
    """`{public_url}/register/{number}`; public_url must be an http(s) URL."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"PSO_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
    parse_number(number)
    return f"{public_url.rstrip('/')}/register/{quote(number)}"


MAX_NAME_CHARS = 400  # beyond this the printed name is cut with "…"; the register has it all
MAX_ACCREDITATION_CHARS = 160  # an accreditation line; the page must stay one page


def display_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    name = " ".join(name.split())  # newlines/tabs from user input would only break layout
    return name if len(name) <= limit else name[: limit - 1] + "…"


def name_size(name: str) -> str:
    """CSS class so long names shrink instead of pushing the page onto a second one."""
    if len(name) > 160:
        return "name-xlong"
    if len(name) > 90:
        return "name-long"
    if len(name) > 45:
        return "name-medium"
    return "name-short"


def certificate_context(data: CertificateData) -> dict[str, Any]:
    if data.kind not in KINDS:
        raise ValueError(f"unknown certificate kind: {data.kind!r}")
    if data.rung not in RUNGS or data.rung == "none":
        raise ValueError(f"no certificate for rung {data.rung!r}")
    pso30plus = data.kind == "pso30plus"
    if pso30plus and data.rung != "trede3":
        raise ValueError("a PSO 30+ certificate is only issued on trede3")
    url = verification_url(data.public_url, data.number)
    size = name_size(display_name(data.organization_name))
    return {
        "title": f"{KIND_TITLES[data.kind]} {data.number}",
        "created": f"{data.issued_on.isoformat()}T00:00:00Z",  # W3C date-time for PDF/A metadata
        "author": data.issuer,
        "cert": data,
        "kind_title": KIND_TITLES[data.kind],
        "pso30plus": pso30plus,
        "rung_label": RUNG_LABELS[data.rung],
        "organization_name": display_name(data.organization_name),
        "subsidiaries": [(kvk, display_name(name)) for kvk, name in data.subsidiaries],
        "accreditation": display_name(data.accreditation, MAX_ACCREDITATION_CHARS),
        "name_size": size,
        # Long names and the PSO 30+ note need room: tighter spacing keeps one page.
        "compact": pso30plus or size in ("name-long", "name-xlong") or bool(data.subsidiaries),
        "verification_url": url,
        # Both SVGs are built from constants or our own URL only, so they may skip escaping.
        "qr_svg": Markup(qr_svg(url)),
        "ladder_svg": Markup(ladder_svg(data.rung, pso30plus=pso30plus, rulebook=data.rulebook)),
    }


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as PDF/A-3b bytes (one A4 page). Same data -> same bytes."""
    from .pdf import render_pdf

    return render_pdf(TEMPLATE, certificate_context(data))


async def render_certificate_async(data: CertificateData) -> bytes:
    """`render_certificate` off the event loop."""
    from .pdf import render_pdf_async

    return await render_pdf_async(TEMPLATE, certificate_context(data))
