"""The verdict banners of /register/{number} and /vouchers/{code} are readable in every status,
at desktop and phone width: chromium's computed colours of each text in the banner against its
(blended) background give a WCAG contrast of at least 4.5 : 1.

Data: the demo database (every voucher status but `refused`; a valid, a PSO 30+, a revoked
and an expired certificate) plus a suspension, a successor certificate valid from ten days on
(so its predecessor is superseded then, and the successor not yet valid today) and a refused
request beside a waiting one.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso import clock
from pso.auth import SYSTEM
from pso.cli.database import prepare_database
from pso.db.engine import make_engine
from pso.db.models import Assessment, Certificate, Organization, Voucher
from pso.services import accounts, certification, organizations, register, vouchers
from pso.settings import Settings
from tests.browser.support import ARTIFACTS, DESKTOP, PHONE, chromium, tabs
from tests.servers import start_server

LATER = 10  # days until the successor certificate takes over


async def _seed(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """(certificate status -> path, voucher status -> path) on the demo data plus the rest."""
    await prepare_database(settings, demo=True)
    engine = make_engine(settings.database_url)
    day = clock.today()
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, \
                session.begin():
            numbers = dict((await session.execute(
                select(Organization.kvk, Certificate.number).join(
                    Certificate, Certificate.organization_id == Organization.id)
                .where(Certificate.kind == "ladder").order_by(Certificate.id))).all())
            plus = await session.scalar(select(Certificate.number)
                                        .where(Certificate.kind == "pso30plus"))
            await register.suspend(session, SYSTEM, numbers["56789012"], "Onderzoek")
            pending = await session.scalar(
                select(Assessment.id).join(Organization).where(
                    Organization.kvk == "12345678", Assessment.status == "submitted"))
            reviewer, decider = [
                accounts.actor_of(await accounts.find_account(session, email))
                for email in ("auditor@demo.pso.nl", "auditor2@demo.pso.nl")]
            await certification.review(session, reviewer, pending)
            await certification.complete_review(session, reviewer, pending)
            await certification.decide(
                session, decider, pending, outcome="approved", reason=None,
                corrected_submission=None, valid_from=day + timedelta(days=LATER),
                issuer=settings.issuer_name, public_url=settings.public_url)
            successor = await session.scalar(
                select(Certificate.number).join(Organization)
                .where(Organization.kvk == "12345678", Certificate.kind == "ladder")
                .order_by(Certificate.id.desc()))
            waiting = await session.scalar(select(Voucher).where(Voucher.status == "requested"))
            await vouchers.refuse(session, SYSTEM, waiting.code, "Budget is op.")
            await _request(session, waiting.scheme_id, day)
            codes = {}
            for voucher in (await session.scalars(select(Voucher).order_by(Voucher.id))).all():
                codes.setdefault(vouchers.status_on(voucher, day), voucher.code)
    finally:
        await engine.dispose()
    later = (day + timedelta(days=LATER)).isoformat()
    old = numbers["12345678"]
    certificates = {
        "valid": f"/register/{old}", "pso30plus": f"/register/{plus}",
        "expired": f"/register/{numbers['45678901']}",
        "suspended": f"/register/{numbers['56789012']}",
        "revoked": f"/register/{numbers['34567890']}",
        "superseded": f"/register/{old}?on={later}",
        "not_yet_valid": f"/register/{successor}",
        "unknown": "/register/PSO-2020-999999"}
    assert set(codes) == {"issued", "redeemed", "cancelled", "expired", "requested", "refused"}
    paths = {status: f"/vouchers/{code}" for status, code in codes.items()}
    return certificates, {**paths, "unknown": "/vouchers/ABCD-EFGH-JKLM-NPQR"}


async def _request(session, scheme_id: int, day: date) -> None:
    """A company's own request, waiting for the municipality (the demo's one was refused)."""
    kvk, name = "91234567", "Glaszetterij Het Uitzicht"
    await organizations.create(session, SYSTEM, {"kvk": kvk, "name": name,
                                                 "municipality_code": "GM0200", "kind": "company"})
    party = await accounts.ensure_party(session, "applicant", kvk, name)
    person = await accounts.create_account(session, SYSTEM, email="glas@example.nl",
                                           name="Gijs Glas", role="company", party=party)
    await vouchers.issue(session, accounts.actor_of(person), scheme_id, kvk, Decimal("4.00"),
                         on=day)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('banners') / 'pso.sqlite3'}"
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url})
    certificates, voucher_paths = asyncio.run(_seed(settings))
    with start_server(url) as base:
        yield {"base": base, "certificates": certificates, "vouchers": voucher_paths}


# Each text in the banner with its colour and the background colours from it up to the root.
_COLOURS = """() => [...document.querySelectorAll('.verdict, .verdict *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => { const chain = []; for (let a = e; a; a = a.parentElement)
                chain.push(getComputedStyle(a).backgroundColor);
              return {text: e.textContent.trim(), color: getComputedStyle(e).color, chain}; })"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(color: str, chain: list[str]) -> float:
    """WCAG contrast of `color` over the backgrounds `chain` (innermost first) on white."""
    background = (255.0, 255.0, 255.0)
    for layer in reversed(chain):
        *rgb, alpha = _rgba(layer)
        background = tuple(a * alpha + b * (1 - alpha) for a, b in zip(rgb, background))
    *fg, alpha = _rgba(color)
    fg = tuple(a * alpha + b * (1 - alpha) for a, b in zip(fg, background))
    light, dark = sorted((_luminance(fg), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


LABELS = {"valid": "Geldig", "pso30plus": "Geldig", "expired": "Verlopen",
          "suspended": "Geschorst", "revoked": "Ingetrokken", "superseded": "Vervangen",
          "not_yet_valid": "Nog niet geldig", "unknown": "Niet gevonden"}
VOUCHER_LABELS = {"issued": "Uitgegeven", "redeemed": "Verzilverd", "cancelled": "Ingetrokken",
                  "expired": "Verlopen", "requested": "Aangevraagd", "refused": "Geweigerd",
                  "unknown": "Niet gevonden"}


@pytest.mark.parametrize("page_kind", ["certificates", "vouchers"])
def test_every_banner_is_readable(site, page_kind: str) -> None:
    labels = LABELS if page_kind == "certificates" else VOUCHER_LABELS
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    measured = []
    with chromium() as browser, tabs(browser, site["base"]) as new:
        _, tab = new()
        for status, path in site[page_kind].items():
            for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                tab.set_viewport_size(viewport)
                tab.goto(path)
                label = tab.inner_text(".verdict-label")
                assert label.lower() == labels[status].lower(), (path, label)
                texts = tab.evaluate(_COLOURS)
                assert len(texts) >= 1
                for text in texts:
                    ratio = contrast(text["color"], text["chain"])
                    measured.append((status, width, text["text"], round(ratio, 2)))
                    assert ratio >= 4.5, (f"{path} at {width} width: {text['text']!r} "
                                          f"{text['color']} on {text['chain']}: {ratio:.2f} : 1")
                tab.screenshot(path=str(ARTIFACTS / f"banner-{page_kind}-{status}-{width}.png"))
        tab.set_viewport_size(DESKTOP)
    assert {status for status, *_ in measured} == set(labels)
    print(*measured, sep="\n")


def test_the_statuses_are_the_ones_named(site) -> None:
    """The pages above are in the status their name says (the API's word for it)."""
    with httpx.Client(base_url=site["base"]) as http:
        for status, path in site["certificates"].items():
            number, _, query = path.removeprefix("/register/").partition("?")
            answer = http.get(f"/api/v1/certificates/{number}?{query}")
            if status == "unknown":
                assert answer.status_code == 404
                continue
            expected = "valid" if status == "pso30plus" else status
            assert answer.json()["status"] == expected, (status, answer.json())
            assert (answer.json()["kind"] == "pso30plus") == (status == "pso30plus")
