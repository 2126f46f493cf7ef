"""A voucher issued through the API is mailed to the holder's accounts in the same
transaction; a refused issue mails nobody. A refused request is mailed too; a refusal that
is itself refused (409) mails nobody."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from pso.auth import SYSTEM
from pso.db.models import Account, OutboxMail, Party
from pso.mail import public_url, send_pending
from pso.services import accounts
from tests.api import test_vouchers as base
from tests.api.test_foundation import assert_problem
from tests.api.test_vouchers import HERE, SCHEME, A, B, create_scheme, issued
from tests.conftest import count_rows
from tests.factories import organization

pytestmark = pytest.mark.anyio
KVK = "10000001"
# The voucher API tests' organisations (GM0200, Apeldoorn, and its neighbour) and tokens.
actors = base.actors
day = base.day


async def test_voucher_issued_mail(client, make_token, session_maker, fixed_today) -> None:
    from datetime import date

    fixed_today(date(2026, 6, 15))
    admin, municipality = await make_token("admin"), await make_token(
        "municipality", municipality_code=HERE)
    created = await client.post("/api/v1/organizations", headers=admin,
                                json=organization(KVK, "Groen & <Schoon> B.V.", HERE))
    assert created.status_code == 201, created.text
    async with session_maker() as session, session.begin():
        party = Party(kind="applicant", code=KVK, name="Groen & <Schoon> B.V.")
        session.add(party)
        await session.flush()
        session.add(Account(email="eigenaar@groen.nl", name="Eva Groen", role="company",
                            party_id=party.id))
    scheme = (await client.post("/api/v1/voucher-schemes", json=SCHEME,
                                headers=municipality)).json()
    issued = await client.post(f"/api/v1/voucher-schemes/{scheme['id']}/vouchers",
                               json={"kvk": KVK, "fte": "12"}, headers=municipality)
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    again = await client.post(f"/api/v1/voucher-schemes/{scheme['id']}/vouchers",
                              json={"kvk": KVK, "fte": "12"}, headers=municipality)
    assert again.status_code == 409
    async with session_maker() as session:
        [mail] = list(await session.scalars(select(OutboxMail)))
    assert mail.to_address == "eigenaar@groen.nl" and mail.template == "voucher_issued"
    assert mail.subject == (f"Voucher {code} toegekend: € 1.500,00 van "
                            "Voucher PSO-certificering MKB 2026")
    assert "Beste Eva Groen," in mail.text_body
    assert "Groen & <Schoon> B.V. (KvK 10000001)" in mail.text_body
    assert "Geldig t/m:   12 september 2026" in mail.text_body
    assert f"/vouchers/{code}" in mail.text_body
    assert "Groen &amp; &lt;Schoon&gt; B.V." in mail.html_body


async def test_refusal_mail_with_and_without_reason(
    client, actors, session_maker, settings, mail_server
) -> None:
    """A refused request is mailed to the company through a real SMTP server: the scheme, the
    municipality by name, the reason or a sentence for none, the way to other schemes."""
    for kvk, email in ((A, "hr@groen.nl"), (B, "hr@b.nl")):
        async with session_maker() as session, session.begin():
            party = await accounts.ensure_party(session, "applicant", kvk)
            await accounts.create_account(session, SYSTEM, email=email, name=f"HR {kvk}",
                                          role="company", party=party, password=None)
    mun = actors["municipality"]
    sid = (await create_scheme(client, actors, requiresApproval=True))["id"]
    asked_a = await issued(client, actors["company_a"], sid, A)
    asked_b = await issued(client, actors["company_b"], sid, B)
    reason = "Uw organisatie valt buiten de doelgroep <MKB> van deze regeling."
    for code, body in ((asked_a["code"], {"reason": reason}), (asked_b["code"], None)):
        refused = await client.post(f"/api/v1/vouchers/{code}/refusal", json=body, headers=mun)
        assert refused.status_code == 200, refused.text

    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    report = await send_pending(session_maker, settings)
    assert (report.sent, report.failed) == (2, 0)
    [to_a], [to_b] = mail_server.to("hr@groen.nl"), mail_server.to("hr@b.nl")
    subject = "Voucheraanvraag afgewezen: Voucher PSO-certificering MKB 2026"
    assert to_a["Subject"] == to_b["Subject"] == subject
    text_a, html_a = mail_server.text(to_a).replace("\r\n", "\n"), mail_server.html(to_a)
    assert "Beste HR 10000001," in text_a
    assert ('Gemeente Apeldoorn heeft de aanvraag van Groen & "Schoon" <B.V.> (KvK 10000001) '
            "van 15 juni 2026 voor een voucher uit de regeling") in text_a
    assert f"De gemeente geeft als reden:\n{reason}\n" in text_a
    assert "geen reden opgegeven" not in text_a
    assert "&lt;MKB&gt;" in html_a and "<MKB>" not in html_a
    assert mail_server.links(to_a)[0] == f"{public_url()}/mijn/vouchers"
    text_b = mail_server.text(to_b).replace("\r\n", "\n")
    assert ("De gemeente heeft geen reden opgegeven. Wilt u weten waarom, neem dan contact op "
            "met de gemeente.") in text_b
    assert f"{public_url()}/mijn/vouchers" in text_b
    for message in (to_a, to_b):
        for part in (mail_server.text(message), mail_server.html(message)):
            assert "Gemeente Apeldoorn" in part
            for internal in ("GM0200", "refused", "requested", "None", "voucher_"):
                assert internal not in part


async def test_no_refusal_mail_when_the_refusal_is_refused(
    client, actors, session_maker, settings, mail_server
) -> None:
    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "applicant", A)
        await accounts.create_account(session, SYSTEM, email="hr@groen.nl", name="HR",
                                      role="company", party=party, password=None)
    mun = actors["municipality"]
    sid = (await create_scheme(client, actors, requiresApproval=True))["id"]
    asked = await issued(client, actors["company_a"], sid, A)
    url = f"/api/v1/vouchers/{asked['code']}/refusal"
    # Hostile or foreign first: nothing decided, nothing queued.
    assert_problem(await client.post(url, json={"reason": "\x00"}, headers=mun), 400)
    assert_problem(await client.post(url, headers=actors["other_municipality"]), 404)
    assert_problem(await client.post(url, headers=actors["company_a"]), 403)
    assert await count_rows(session_maker, "mail_outbox") == 0
    # Approved, then refused: already decided (409), only the issue mail.
    approved = await client.post(f"/api/v1/vouchers/{asked['code']}/approval", headers=mun)
    assert approved.status_code == 200, approved.text
    assert_problem(await client.post(url, json={"reason": "Te laat."}, headers=mun), 409,
                   "voucher-not-requested")
    settings = dataclasses.replace(settings, smtp_url=mail_server.url)
    await send_pending(session_maker, settings)
    assert [m["Subject"].split(":")[0] for m in mail_server.messages] == [
        f"Voucher {asked['code']} toegekend"]
