"""The admin portal /beheer over HTTP on both databases: the role gate of every page, the
dashboard's live figures, certifying bodies (add, edit, refused input with nothing stored),
organisations (search, paging, registering) and the audit log with its filters."""

from __future__ import annotations

import re
import uuid
from datetime import date
from html import unescape
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from pso.auth import SYSTEM
from pso.db.models import AuditEvent, CertifyingBody, Organization, OutboxMail, Party
from pso.jobs import run_jobs
from pso.services import accounts, bodies, organizations
from pso.web.beheer.labels import ACTION_LABELS
from tests.conftest import count_rows
from tests.jobs import data
from tests.web.test_accounts import csrf_of, form_post, make_account, sign_in
from tests.wording import is_sentence, page_errors

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
SECRET = pyotp.random_base32()
PAGES = ("/beheer", "/beheer/instellingen", "/beheer/instellingen/PSOCERT",
         "/beheer/organisaties", "/beheer/audit", "/beheer/accounts")
FORMS = ("/beheer/instellingen", "/beheer/instellingen/PSOCERT", "/beheer/organisaties")
HOSTILE = {  # what no name may hold: it would print as something else on a certificate
    "control": "Keurmerk\x07 B.V.",
    "bidi": "Evil\u202eVB kciR\u202c B.V.",
    "newline": "Keurmerk\nB.V.",
    "too long": "K" * 301,
    "empty": "   ",
}


async def as_admin(client, session_maker) -> None:
    await make_account(session_maker, "admin", totp=SECRET)
    await sign_in(client, "admin@example.nl")
    done = await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(SECRET).now()})
    assert done.status_code == 303 and done.headers["location"] == "/beheer"


async def add_body(session_maker, code: str = "PSOCERT", name: str = "PSO Certificering") -> None:
    async with session_maker() as session, session.begin():
        await bodies.create(session, SYSTEM, code=code, name=name, accreditation="RvA C 123")


async def body_rows(session_maker) -> list[tuple[str, str, str, bool]]:
    async with session_maker() as session:
        rows = await session.execute(
            select(Party.code, Party.name, CertifyingBody.accreditation,
                   CertifyingBody.separate_decision)
            .join(CertifyingBody, CertifyingBody.party_id == Party.id).order_by(Party.code))
        return [tuple(r) for r in rows]


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def assert_refused(response, field: str, reason: str | None = None) -> None:
    """A 400 page with the error in the summary (linking to the input) and at the input."""
    assert response.status_code == 400, response.text
    assert 'class="error-summary"' in response.text and f'href="#f-{field}"' in response.text
    assert re.search(rf'id="f-{field}"[^>]*aria-describedby="[^"]*f-{field}-error"', response.text)
    shown = page_errors(response.text)
    assert shown and all(is_sentence(t) for t in shown), shown
    if reason:
        assert reason in text_of(response.text), text_of(response.text)


# --- who may come in ---------------------------------------------------------------------


async def test_every_page_is_for_admins_with_totp_only(client, session_maker) -> None:
    await add_body(session_maker)
    for path in PAGES:  # anonymous visitors are sent to sign in, and back afterwards
        away = await client.get(path, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == f"/inloggen?volgende={path}"

    await make_account(session_maker, "auditor", totp=SECRET)
    await sign_in(client, "auditor@example.nl")
    await form_post(client, "/inloggen/code", {"code": pyotp.TOTP(SECRET).now()})
    for path in PAGES:
        refused = await client.get(path)
        assert refused.status_code == 403 and "Geen toegang" in refused.text, path
        assert 'href="/beoordeling"' in refused.text  # the same way back as other portals
    token = csrf_of((await client.get("/account")).text)
    for path in FORMS:
        posted = await client.post(path, data={"csrf": token, "code": "XX", "name": "X",
                                               "kvk": "12345678"})
        assert posted.status_code == 403, path
    assert await body_rows(session_maker) == [("PSOCERT", "PSO Certificering", "RvA C 123", True)]
    assert await count_rows(session_maker, "organizations") == 0

    # An admin without a second factor enrols first.
    client.cookies.clear()
    await make_account(session_maker, "admin", "nieuw@example.nl")
    await sign_in(client, "nieuw@example.nl")
    for path in PAGES:
        away = await client.get(path, follow_redirects=False)
        assert away.headers["location"] == "/account/tweestapsverificatie", path


# --- the dashboard -----------------------------------------------------------------------


async def test_dashboard_shows_live_figures_and_links(client, session_maker, settings,
                                                      fixed_today) -> None:
    fixed_today(data.DAY)
    await as_admin(client, session_maker)
    page = await client.get("/beheer")
    assert page.status_code == 200 and "<h1>Beheer</h1>" in page.text
    text = text_of(page.text)
    assert "0 aanvragende organisaties" in text and "0 geldige certificaten vandaag" in text
    assert "nog niet gedraaid" in text
    for href in ("/beheer/instellingen", "/beheer/organisaties", "/beheer/accounts",
                 "/beheer/audit"):
        assert f'href="{href}"' in page.text
    assert 'aria-current="page"' in page.text and 'aria-label="Beheer"' in page.text

    async with session_maker() as session, session.begin():
        green = await data.organization(session, "11111111", people=0)
        other = await data.organization(session, "22222222", people=0)
        await data.certificate(session, green, "PSO-2026-000001", date(2027, 1, 1))
        await data.certificate(session, other, "PSO-2026-000002", date(2027, 1, 1),
                               revoked_on=date(2026, 1, 5))
        await data.certificate(session, other, "PSO-2025-000003", date(2026, 3, 1))  # expired
        await bodies.create(session, SYSTEM, code="PSOCERT", name="PSO Certificering")
        for status in ("queued", "queued", "sent", "failed"):
            session.add(OutboxMail(key=uuid.uuid4().hex, template="t", to_address="a@b.nl",
                                   subject="s", text_body="t", html_body="h", status=status))
    await run_jobs(session_maker, settings, day=data.DAY, scheduled=True)
    text = text_of((await client.get("/beheer")).text)
    assert "2 aanvragende organisaties" in text and "1 certificerende instelling " in text
    assert "1 geldig certificaat vandaag" in text
    assert "2 mails wachten op verzending" in text and "1 mail kon niet worden bezorgd" in text
    assert "Laatste volledige dagelijkse run 2 maart 2026" in text and "Laatst klaar" in text


# --- certifying bodies ---------------------------------------------------------------------


async def test_admin_adds_a_body_and_sees_it_listed(client, session_maker) -> None:
    await as_admin(client, session_maker)
    empty = await client.get("/beheer/instellingen")
    assert empty.status_code == 200 and "nog geen certificerende instellingen" in empty.text
    assert 'name="separateDecision" type="checkbox" value="ja" checked' in empty.text  # default on
    made = await form_post(client, "/beheer/instellingen", {
        "code": " keur-01 ", "name": "Keurmerk Noord B.V.",
        "accreditation": "RvA C 456\n(ISO/IEC 17065)", "separateDecision": "ja"})
    assert made.status_code == 303 and made.headers["location"] == "/beheer/instellingen"
    assert await body_rows(session_maker) == [
        ("KEUR-01", "Keurmerk Noord B.V.", "RvA C 456\n(ISO/IEC 17065)", True)]
    listed = await client.get("/beheer/instellingen")
    assert "Keurmerk Noord B.V. (KEUR-01) toegevoegd." in listed.text
    assert "Keurmerk Noord B.V." in listed.text and 'href="/beheer/instellingen/KEUR-01"' in listed.text
    # Without the box ticked the reviewer may decide; the API lists it the same way.
    await form_post(client, "/beheer/instellingen", {"code": "SOLO", "name": "Eenmanszaak"})
    api = {b["code"]: b for b in (await client.get("/api/v1/certifying-bodies")).json()}
    assert api["SOLO"]["separateDecision"] is False and api["KEUR-01"]["separateDecision"] is True
    async with session_maker() as session:
        actions = list(await session.scalars(select(AuditEvent.actor_name).where(
            AuditEvent.action == "certifying_body.created")))
    assert actions == ["Test admin", "Test admin"]


@pytest.mark.parametrize("field,value,reason", [
    ("code", "", None), ("code", "a b", "Gebruik hoofdletters, cijfers en '-'"),
    ("code", "X" * 21, None), ("code", "KEUR\u202e", None),
    *[("name", v, None) for v in HOSTILE.values()],
    ("accreditation", "RvA\u2066 C 1", "Mag geen stuurtekens"),
    ("accreditation", "R" * 2001, None),
])
async def test_bad_body_input_is_refused_at_its_field(client, session_maker, field, value,
                                                      reason) -> None:
    await add_body(session_maker)
    await as_admin(client, session_maker)
    body = {"code": "NIEUW", "name": "Nieuwe instelling", "accreditation": "", field: value}
    refused = await form_post(client, "/beheer/instellingen", body)
    assert_refused(refused, field, reason)
    assert "PSO Certificering" in refused.text  # the list is still shown
    assert await body_rows(session_maker) == [("PSOCERT", "PSO Certificering", "RvA C 123", True)]


async def test_an_existing_code_is_refused_at_the_code(client, session_maker) -> None:
    await add_body(session_maker)
    await as_admin(client, session_maker)
    again = await form_post(client, "/beheer/instellingen",
                            {"code": "psocert", "name": "Dubbel", "separateDecision": "ja"})
    assert_refused(again, "code", "Er is al een certificerende instelling met code PSOCERT.")
    assert 'value="Dubbel"' in again.text  # what was typed stays
    assert await body_rows(session_maker) == [("PSOCERT", "PSO Certificering", "RvA C 123", True)]


async def test_admin_edits_everything_but_the_code(client, session_maker) -> None:
    await add_body(session_maker)
    await as_admin(client, session_maker)
    form = await client.get("/beheer/instellingen/psocert")
    assert form.status_code == 200 and 'value="PSO Certificering"' in form.text
    assert 'name="code"' not in form.text and "ligt vast" in form.text
    url = "/beheer/instellingen/PSOCERT"
    for value in (HOSTILE["bidi"], HOSTILE["empty"], HOSTILE["too long"]):
        refused = await form_post(client, url, {"name": value, "accreditation": "Nieuw"})
        assert_refused(refused, "name")
    assert await body_rows(session_maker) == [("PSOCERT", "PSO Certificering", "RvA C 123", True)]
    saved = await form_post(client, url, {"name": "PSO Certificering Nederland",
                                          "accreditation": "RvA C 999", "code": "ANDERS"})
    assert saved.status_code == 303
    assert "zijn opgeslagen" in (await client.get("/beheer/instellingen")).text
    # The box unticked: separate decision off. A code sent along changes nothing.
    assert await body_rows(session_maker) == [
        ("PSOCERT", "PSO Certificering Nederland", "RvA C 999", False)]
    async with session_maker() as session:
        event = await session.scalar(select(AuditEvent).where(
            AuditEvent.action == "certifying_body.updated"))
    assert event.entity_id == "PSOCERT" and event.summary["separateDecision"] is False
    gone = await client.get("/beheer/instellingen/ONBEKEND", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/beheer/instellingen"


async def test_a_body_made_for_an_account_gets_its_settings(client, session_maker) -> None:
    # `pso users add --role auditor --party NIEUW` makes the party before its settings.
    await make_account(session_maker, "auditor", party="NIEUW")
    await as_admin(client, session_maker)
    saved = await form_post(client, "/beheer/instellingen/NIEUW",
                            {"name": "Nieuwe Keuring", "separateDecision": "ja"},
                            page="/beheer/instellingen/NIEUW")
    assert saved.status_code == 303
    assert await body_rows(session_maker) == [("NIEUW", "Nieuwe Keuring", "", True)]


# --- organisations -------------------------------------------------------------------------


async def test_organisations_are_searched_and_paged(client, session_maker) -> None:
    async with session_maker() as session, session.begin():
        for i in range(23):
            await organizations.create(session, SYSTEM, {
                "kvk": f"300000{i:02d}", "name": f"Hovenier {i:02d} B.V.",
                "municipality_code": "GM0363", "kind": "company"})
        await organizations.create(session, SYSTEM, {
            "kvk": "40000000", "name": "Coöperatie Groen & Schoon", "municipality_code": "GM0200",
            "kind": "sw_company", "subsidiaries": [{"kvk": "40000001", "name": "Groen West"}]})
    await as_admin(client, session_maker)
    first = await client.get("/beheer/organisaties")
    assert first.status_code == 200 and "24 organisaties" in text_of(first.text)
    assert first.text.count('data-label="Naam"') == 20 and "Pagina 1 van 2" in first.text
    assert "Coöperatie Groen & Schoon" in text_of(first.text)  # A to Z: before the Hoveniers
    second = await client.get("/beheer/organisaties", params={"page": "2"})
    assert second.text.count('data-label="Naam"') == 4 and 'rel="prev"' in second.text
    assert "Hovenier 22 B.V." in second.text and "Hovenier 00 B.V." not in second.text
    for nonsense in ("0", "-1", "x", "999999999"):  # page 1 instead of an error
        assert (await client.get("/beheer/organisaties",
                                 params={"page": nonsense})).status_code == 200

    found = text_of((await client.get("/beheer/organisaties", params={"q": "cooperatie groen"})).text)
    assert "1 organisatie gevonden" in found
    row = re.search(r"Coöperatie Groen & Schoon 40000000 (\S+) SW-bedrijf 1", found)
    assert row and row.group(1) == "Apeldoorn"  # the municipality's name, not its code
    by_subsidiary = text_of((await client.get("/beheer/organisaties",
                                              params={"q": "40000001"})).text)
    assert "1 organisatie gevonden" in by_subsidiary and "40000000" in by_subsidiary
    paged = await client.get("/beheer/organisaties", params={"q": "hovenier", "page": "2"})
    assert "q=hovenier&amp;page=1" in paged.text  # the search stays in the links
    hostile = await client.get("/beheer/organisaties", params={"q": "\u202e%_\x00" + "x" * 500})
    assert hostile.status_code == 200 and "Geen organisaties gevonden" in hostile.text


async def test_admin_registers_an_organisation(client, session_maker) -> None:
    await as_admin(client, session_maker)
    good = {"kvk": "1234 5678", "name": "Groen & Schoon Hoveniers",
            "municipalityCode": "GM0363", "kind": "company"}  # the list's value for Amsterdam
    for field, value, reason in (("kvk", "123", "precies 8 cijfers"),
                                 ("name", "", None), ("name", HOSTILE["bidi"], "Mag geen stuurtekens"),
                                 ("name", "N" * 301, None),
                                 ("municipalityCode", "Amsterdm", "Bedoelt u Amsterdam?"),
                                 ("municipalityCode", "Bergen", "kies Bergen (NH.) of Bergen (L.)"),
                                 ("municipalityCode", "", "Kies een gemeente."),
                                 ("kind", "keizerrijk", None)):
        refused = await form_post(client, "/beheer/organisaties", {**good, field: value})
        assert_refused(refused, field, reason)
    assert await count_rows(session_maker, "organizations") == 0
    made = await form_post(client, "/beheer/organisaties", good)
    assert made.status_code == 303 and made.headers["location"] == "/beheer/organisaties?q=12345678"
    listed = text_of((await client.get(made.headers["location"])).text)
    assert "Groen & Schoon Hoveniers (KvK 12345678) geregistreerd." in listed
    assert "Groen & Schoon Hoveniers 12345678 Amsterdam Bedrijf 0" in listed
    async with session_maker() as session:
        org = await session.scalar(select(Organization))
    assert (org.kvk, org.municipality_code, org.kind) == ("12345678", "GM0363", "company")
    twice = await form_post(client, "/beheer/organisaties", good)
    assert_refused(twice, "kvk", "Er is al een organisatie met KvK-nummer 12345678.")
    assert await count_rows(session_maker, "organizations") == 1


# --- the audit log ---------------------------------------------------------------------------


async def test_audit_log_is_filtered_paged_and_read_only(client, session_maker) -> None:
    await add_body(session_maker)
    async with session_maker() as session, session.begin():
        for i in range(22):
            await bodies.update(session, SYSTEM, "PSOCERT", name=f"Naam {i}")
        await organizations.create(session, SYSTEM, {
            "kvk": "12345678", "name": "Groen", "municipality_code": "GM0363", "kind": "company"})
    await as_admin(client, session_maker)
    page = await client.get("/beheer/audit")
    assert page.status_code == 200 and "<form method=\"post\"" not in page.text.split("</nav>", 2)[2]
    text = text_of(page.text.split('id="auditlog"')[1])
    # Newest first, in Dutch: the sign-in of this admin heads the list.
    assert text.index("Ingelogd") < text.index("Organisatie geregistreerd")
    assert "certifying_body" not in text and "organization.created" not in text
    assert "Pagina 1 van 2" in text

    bodies_only = await client.get("/beheer/audit", params={
        "entityType": "certifying_body", "entityId": "PSOCERT"})
    text = text_of(bodies_only.text)
    assert "23 gebeurtenissen" in text and "Organisatie geregistreerd" not in text
    assert "Certificerende instelling gewijzigd" in text and "Naam: Naam 21" in text
    assert "Certificerende instelling toegevoegd" not in text  # that one is on page 2
    second = text_of((await client.get("/beheer/audit", params={
        "entityType": "certifying_body", "entityId": "PSOCERT", "page": "2"})).text)
    assert "Certificerende instelling toegevoegd" in second and "Naam: PSO Certificering" in second
    one = text_of((await client.get("/beheer/audit", params={"entityId": "12345678"})).text)
    assert "1 gebeurtenis." in one and "Organisatie 12345678" in one and "KvK-nummer: 12345678" in one

    before = await count_rows(session_maker, "audit_events")
    for params, field in (({"entityType": "keizer"}, "entityType"),
                          ({"entityId": "x" * 65}, "entityId"),
                          ({"entityId": "PSO\u202eCERT"}, "entityId")):
        assert_refused(await client.get("/beheer/audit", params=params), field)
    assert await count_rows(session_maker, "audit_events") == before  # GET pages never write
    assert (await client.post("/beheer/audit", data={"csrf": "x"})).status_code == 405


async def test_a_failed_sign_in_gives_its_reason_in_dutch(client, session_maker) -> None:
    await make_account(session_maker, "company")
    async with session_maker() as session, session.begin():
        await accounts.authenticate(session, "company@example.nl", "verkeerd", "192.0.2.1")
    await as_admin(client, session_maker)
    text = text_of((await client.get("/beheer/audit")).text)
    assert ("Inloggen mislukt" in text and "Reden: Onbekend e-mailadres, ingetrokken account of "
            "verkeerd wachtwoord." in text)
    assert "Reden: password" not in text


def test_every_recorded_action_has_a_dutch_label() -> None:
    """The actions the code records (pso.audit.record calls) all read as Dutch on the page."""
    source = "\n".join(p.read_text() for p in (ROOT / "pso").rglob("*.py"))
    # The action argument: "a.b", or "a.b" if ... else "a.c"; f"contract.{kind}" below.
    actions = re.findall(r'record\(\s*\w+,\s*[^,]+,\s*("[a-z_.]+"(?: if [\w.]+ else "[a-z_.]+")?)',
                         source)
    recorded = {name for text in actions for name in re.findall(r'"([a-z_.]+)"', text)}
    assert len(recorded) > 40
    recorded |= {f"contract.{k}" for k in ("suspended", "revoked", "expired", "superseded",
                                           "expiry_warning")}
    assert recorded - set(ACTION_LABELS) == set()
