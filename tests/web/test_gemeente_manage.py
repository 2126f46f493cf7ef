"""/gemeente management over HTTP (issue 14): create and edit a scheme, a company's request
approved and another refused, redemption, cancellation through its confirmation page, the
stored PDF, the expiry overview, the uptake chart and names instead of GM codes."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from pso.auth import SYSTEM
from pso.clock import today
from pso.db.models import OutboxMail, Voucher, VoucherScheme
from pso.errors import ProblemError
from pso.services import accounts, certification, organizations
from pso.services import vouchers as service
from tests.conftest import count_rows
from tests.factories import submission
from tests.web.prg import answered
from tests.web.test_accounts import csrf_of, make_account, sign_in

pytestmark = pytest.mark.anyio

HERE = "GM0363"  # the municipality of make_account
KVK_A, KVK_B, KVK_C = "20000001", "20000002", "20000003"


async def setup(session_maker) -> None:
    async with session_maker() as session, session.begin():
        await accounts.ensure_party(session, "municipality", "GM0200", "Apeldoorn")
        for kvk, name, code in ((KVK_A, "Bakkerij Amstel", HERE), (KVK_B, "Fietsen Zuid", "GM0200"),
                                (KVK_C, "Catering Noord", HERE)):
            await organizations.create(session, SYSTEM, {
                "kvk": kvk, "name": name, "municipality_code": code, "kind": "company"})


async def post(client, url: str, data: dict):
    return await answered(client, await client.post(url, data=data, follow_redirects=False))


SCHEME = {"title": "Voucher MKB Amsterdam 2026", "voucherAmount": "1.500", "budget": "3.000",
          "applicationOpensOn": "01-01-2026", "voucherValidityDays": "90", "maxFte": "249,99",
          "eligibleMunicipalityCodes": f"{HERE}, gm0200", "requiresApproval": "ja"}


async def test_scheme_requests_redeem_and_cancel(client, session_maker) -> None:
    await setup(session_maker)
    await make_account(session_maker, "municipality", "gemeente@example.nl")
    await sign_in(client, "gemeente@example.nl")
    csrf = csrf_of((await client.get("/gemeente")).text)
    closes = (today() + timedelta(days=200)).isoformat()

    bad = await post(client, "/gemeente/regelingen", {**SCHEME, "csrf": csrf, "budget": "10",
                                                      "applicationClosesOn": closes})
    assert bad.status_code == 400 and 'id="f-budget-error"' in bad.text
    created = await post(client, "/gemeente/regelingen", {**SCHEME, "csrf": csrf,
                                                          "applicationClosesOn": closes})
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    sid = int(url.rsplit("/", 1)[1])
    page = await client.get(url)
    assert "wachten op goedkeuring" in page.text and "Apeldoorn" in page.text  # not GM0200

    # Two companies ask (through the service, as /mijn and the API do).
    async with session_maker() as session, session.begin():
        for kvk in (KVK_A, KVK_B):
            company = SYSTEM.__class__(None, "bedrijf", "company", kvk=kvk)
            await service.issue(session, company, sid, kvk, Decimal("4.5"))
    page = await client.get(url)
    assert "Aanvragen (2)" in page.text
    text = re.sub(r"\s+", " ", page.text)
    assert "Fietsen Zuid" in text and KVK_B in text and "Apeldoorn" in text and "4,5" in text
    codes = dict(re.findall(r'/gemeente/vouchers/([A-Z0-9-]+)/(goedkeuring|weigering)', text))
    code_a, code_b = list(dict.fromkeys(codes))[:2]
    approved = await post(client, f"/gemeente/vouchers/{code_a}/goedkeuring",
                          {"csrf": csrf, "back": url})
    assert approved.status_code == 303
    assert "goedgekeurd" in (await client.get(url)).text
    await make_account(session_maker, "company", "fietsen@example.nl", party=KVK_B)
    refused = await post(client, f"/gemeente/vouchers/{code_b}/weigering",
                         {"csrf": csrf, "back": url, "reason": "Buiten de doelgroep"})
    assert refused.status_code == 303
    page = await client.get(url)
    assert "Aanvragen (0)" in page.text and "Buiten de doelgroep" in page.text
    async with session_maker() as session:  # the company is told, by name, not GM0363
        mail = await session.scalar(select(OutboxMail).where(
            OutboxMail.to_address == "fietsen@example.nl"))
    assert mail.template == "voucher_refused" and "Buiten de doelgroep" in mail.text_body
    assert "Gemeente Amsterdam" in mail.text_body and HERE not in mail.text_body

    # The approved voucher: its stored PDF, then redemption with proof.
    pdf = await client.get(f"/gemeente/vouchers/{code_a}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    async with session_maker() as session, session.begin():
        assessment = await certification.create(session, SYSTEM, KVK_A, submission(2))
        await certification.submit(session, SYSTEM, assessment.id)
    form = await client.get(f"/gemeente/vouchers/{code_a}/verzilveren")
    assert form.status_code == 200
    missing = await post(client, f"/gemeente/vouchers/{code_a}/verzilvering",
                         {"csrf": csrf, "invoiceAmount": "1.200"})
    assert missing.status_code == 400 and 'id="f-certificateNumber-error"' in missing.text
    redeemed = await post(client, f"/gemeente/vouchers/{code_a}/verzilvering", {
        "csrf": csrf, "invoiceAmount": "1.200,00", "assessmentId": str(assessment.id)})
    assert redeemed.status_code == 303, redeemed.text
    assert "€ 1.200,00 uitbetaald" in (await client.get(url)).text

    # Edit: the budget can grow, not below what is committed.
    edit = await client.get(f"{url}/wijzigen")
    assert edit.status_code == 200 and "Voucher MKB Amsterdam 2026" in edit.text
    form_data = {**SCHEME, "csrf": csrf, "applicationClosesOn": closes, "budget": "1.000"}
    low = await post(client, f"{url}/wijzigen", form_data)  # below one voucher
    assert low.status_code == 400 and 'id="f-budget-error"' in low.text
    low = await post(client, f"{url}/wijzigen", {**form_data, "voucherAmount": "500"})
    assert low.status_code == 409 and "€ 1.200,00" in low.text  # committed: the payment
    grown = await post(client, f"{url}/wijzigen", {**form_data, "budget": "4.500"})
    assert grown.status_code == 303
    issued = await post(client, f"{url}/vouchers", {"csrf": csrf, "kvk": KVK_C, "fte": "1"})
    assert issued.status_code == 303, issued.text

    # Cancel through the confirmation page.
    async with session_maker() as session:
        direct = None
        for v in await session.scalars(select(Voucher).where(Voucher.status == "issued")):
            direct = v
        assert direct is not None and direct.organization.kvk == KVK_C
    from pso.voucher_codes import display

    display_code = display(direct.code)
    confirm = await client.get(f"/gemeente/vouchers/{display_code}/intrekken")
    assert confirm.status_code == 200 and "Ja, voucher intrekken" in confirm.text
    done = await post(client, f"/gemeente/vouchers/{display_code}/intrekking",
                      {"csrf": csrf, "back": url, "reason": "Dubbel"})
    assert done.status_code == 303
    page = await client.get(url)
    assert "is ingetrokken" in page.text and 'class="chart uptake-chart"' in page.text
    assert await count_rows(session_maker, "vouchers") == 3


async def test_expiry_overview_and_other_municipalities(client, session_maker,
                                                        fixed_today) -> None:
    await setup(session_maker)
    day = today()
    async with session_maker() as session, session.begin():
        scheme = await service.create_scheme(session, SYSTEM, {
            "title": "Kort geldig", "municipality_code": HERE, "voucher_amount": Decimal(500),
            "budget": Decimal(5000), "application_opens_on": day - timedelta(days=30),
            "application_closes_on": day + timedelta(days=30), "voucher_validity_days": 20,
            "max_fte": Decimal(250), "eligible_municipality_codes": [HERE]})
        voucher = await service.issue(session, SYSTEM, scheme.id, KVK_A, Decimal(3))
    await make_account(session_maker, "municipality", "gemeente@example.nl")
    await sign_in(client, "gemeente@example.nl")
    page = await client.get("/gemeente")
    assert "Vervaldata" in page.text and "Loopt af" in page.text
    from pso.voucher_codes import display

    assert display(voucher.code) in page.text
    fixed_today(day + timedelta(days=25))
    assert "Verlopen" in (await client.get("/gemeente")).text

    client.cookies.clear()
    await make_account(session_maker, "municipality", "ander@example.nl", party="GM0200")
    await sign_in(client, "ander@example.nl")
    away = await client.get(f"/gemeente/vouchers/{display(voucher.code)}/intrekken",
                            follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/gemeente"
    assert (await client.get(f"/gemeente/regelingen/{scheme.id}/wijzigen",
                             follow_redirects=False)).status_code == 303
    csrf = csrf_of((await client.get("/gemeente")).text)
    tried = await post(client, f"/gemeente/vouchers/{display(voucher.code)}/goedkeuring",
                       {"csrf": csrf})
    assert tried.status_code == 303
    async with session_maker() as session:
        assert (await session.scalar(select(Voucher.status))) == "issued"


def test_uptake_chart_labels_few_enough_months_to_read() -> None:
    """18 months of labels overlapped into one smear; at most six are shown, the latest
    month always, and the accessible summary names every month with a Dutch plural."""
    from decimal import Decimal

    from pso.web.charts import uptake_chart

    months = [(2025 + (m - 1) // 12, (m - 1) % 12 + 1, 1 if m == 5 else 0, Decimal(0))
              for m in range(7, 25)]
    chart = uptake_chart(months)
    shown = [b.label for b in chart.bars if b.shown]
    assert shown == ["sep 2025", "dec 2025", "mrt 2026", "jun 2026", "sep 2026", "dec 2026"]
    assert "jul 2025: 0 vouchers" in chart.summary and "(s)" not in chart.summary
    assert all(b.shown for b in uptake_chart(months[:6]).bars)


def visible(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def test_schemes_name_municipalities_never_codes(client, session_maker) -> None:
    """The scheme form takes names (Zutphen has no account here: the CBS list knows it),
    refuses an unknown one once, and every page shows names (issue 22, item 5)."""
    await setup(session_maker)
    async with session_maker() as session, session.begin():
        await accounts.ensure_party(session, "municipality", HERE, "Gemeente Amsterdam")
    await make_account(session_maker, "municipality", "gemeente@example.nl")
    await sign_in(client, "gemeente@example.nl")
    new = await client.get("/gemeente/regelingen/nieuw")
    assert 'value="Amsterdam"' in new.text and "GM0" not in visible(new.text)
    csrf = csrf_of(new.text)
    closes = (today() + timedelta(days=200)).isoformat()
    typed = {**SCHEME, "csrf": csrf, "applicationClosesOn": closes,
             "eligibleMunicipalityCodes": "Apeldoorn, Zutfen, Bergen"}
    bad = await post(client, "/gemeente/regelingen", {**typed, "budget": "10"})
    assert bad.status_code == 400 and 'id="f-budget-error"' in bad.text
    shown = visible(bad.text)
    assert shown.count("De gemeente 'Zutfen' kennen wij niet. Bedoelt u Zutphen?") == 1
    assert shown.count("kies Bergen (NH.) of Bergen (L.).") == 1
    assert "GM0" not in shown and await count_rows(session_maker, "voucher_schemes") == 0
    created = await post(client, "/gemeente/regelingen", {
        **typed, "eligibleMunicipalityCodes": "Apeldoorn, Zutphen, Amsterdam"})
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    async with session_maker() as session:
        scheme = await session.scalar(select(VoucherScheme))
    assert scheme.eligible_municipality_codes == ["GM0200", "GM0301", "GM0363"]  # API: codes
    page = visible((await client.get(url)).text)
    assert "minder dan 250 fte, gevestigd in Apeldoorn, Zutphen, Amsterdam" in page
    assert "GM0" not in page
    edit = await client.get(f"{url}/wijzigen")
    assert 'value="Apeldoorn, Zutphen, Amsterdam"' in edit.text
    assert "GM0" not in visible(edit.text)
    # A company from elsewhere is told its municipality by name.
    async with session_maker() as session, session.begin():
        await organizations.create(session, SYSTEM, {
            "kvk": "20000009", "name": "Zwolse Zaak", "municipality_code": "GM0193",
            "kind": "company"})
        company = SYSTEM.__class__(None, "bedrijf", "company", kvk="20000009")
        with pytest.raises(ProblemError) as refused:
            await service.issue(session, company, scheme.id, "20000009", Decimal(3))
    assert refused.value.detail == ("Organisaties uit gemeente Zwolle komen niet in "
                                    "aanmerking voor deze regeling.")
    # The public voucher page, opened by the municipality, leads back to the scheme.
    issued = await post(client, f"{url}/vouchers", {"csrf": csrf, "kvk": KVK_B, "fte": "4"})
    assert issued.status_code == 303, issued.text
    async with session_maker() as session:
        voucher = await session.scalar(select(Voucher))
    public = await client.get(f"/vouchers/{voucher.code}")
    assert f'href="{url}"' in public.text and "Naar de regeling Voucher MKB" in public.text
    client.cookies.clear()
    anonymous = await client.get(f"/vouchers/{voucher.code}")
    assert anonymous.status_code == 200 and f'href="{url}"' not in anonymous.text
