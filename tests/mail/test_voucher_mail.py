"""A voucher issued through the API is mailed to the holder's accounts in the same
transaction; a refused issue mails nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pso.db.models import Account, OutboxMail, Party
from tests.api.test_vouchers import HERE, SCHEME
from tests.factories import organization

pytestmark = pytest.mark.anyio
KVK = "10000001"


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
