"""Social-return mails of the daily jobs (issue 28 item 6): the quarterly reminder to the
contractor, the weekly notice of waiting lines to the buyer, the shortfall warning from three
months before the end; each once, through the outbox and the lease."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from pso import mail
from pso.db.models import AuditEvent, OutboxMail, SocialReturnNotice
from pso.jobs import run_jobs
from pso.jobs.social_return import due_key
from tests.api.test_contract_monitoring import BUYER_EMAIL
from tests.api.test_social_return_lines import PLACEMENT, TERMS
from tests.api.test_social_return_terms import DECLARED, awarded_tender, headers  # noqa: F401

pytestmark = pytest.mark.anyio
CONTRACTOR = "melder@schoon.example.nl"


async def mails(session_maker) -> list[tuple[str, str, str]]:
    async with session_maker() as session:
        rows = await session.execute(select(OutboxMail.template, OutboxMail.to_address,
                                            OutboxMail.subject, OutboxMail.text_body)
                                     .where(OutboxMail.template.like("social_return%"))
                                     .order_by(OutboxMail.id))
        return [(t, to, f"{subject}\n{body}") for t, to, subject, body in rows]


async def test_notices_each_once(client, headers, make_token, session_maker,  # noqa: F811
                                 settings, mail_server) -> None:
    tid = await awarded_tender(client, headers, DECLARED)
    put = await client.put(f"/api/v1/tenders/{tid}/social-return", json=TERMS,
                           headers=headers["buyer"])
    assert put.status_code == 200, put.text
    contractor = await make_token("company", kvk=DECLARED["kvk"], person=True,
                                  email=CONTRACTOR, name="Mo Melder")
    api = f"/api/v1/tenders/{tid}/social-return/lines"
    ids = []
    for pseudonym in ("K-17", "K-18"):
        made = await client.post(api, json={**PLACEMENT, "pseudonym": pseudonym},
                                 headers=contractor)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])

    # The first day of the period: no quarter behind it yet; two lines wait.
    await run_jobs(session_maker, settings, day=date(2027, 1, 1))
    sent = await mails(session_maker)
    assert [(t, to) for t, to, _ in sent] == [("social_return_waiting", BUYER_EMAIL)]
    assert "2 regels wachten op uw beoordeling" in sent[0][2]
    assert f"/inkoop/aanbestedingen/{tid}/social-return" in sent[0][2]
    # Same week: nothing again.
    await run_jobs(session_maker, settings, day=date(2027, 1, 3))
    assert len(await mails(session_maker)) == 1

    # A new quarter: the contractor is reminded once; the lines still wait (a new week).
    for _ in range(2):
        await run_jobs(session_maker, settings, day=date(2027, 4, 1))
    sent = await mails(session_maker)
    assert [(t, to) for t, to, _ in sent[1:]] == [("social_return_quarterly", CONTRACTOR),
                                                  ("social_return_waiting", BUYER_EMAIL)]
    assert "Het kwartaal 2027 K2 is begonnen." in sent[1][2]
    assert "Geaccepteerd tot nu toe: € 0,00 van € 6.250,00" in sent[1][2]
    assert "/mijn/social-return" in sent[1][2]

    await client.post(f"{api}/{ids[0]}/review", json={"decision": "accepted"},
                      headers=headers["buyer"])
    await client.post(f"{api}/{ids[1]}/review", headers=headers["buyer"],
                      json={"decision": "rejected", "reason": "Dubbel gemeld."})
    # The day before the three months: the quarter's reminder, no warning.
    await run_jobs(session_maker, settings, day=date(2028, 9, 29))
    assert [t for t, _, _ in (await mails(session_maker))[3:]] == ["social_return_quarterly"]
    # 1 October 2028: 640 of 731 days; 4.931,51 × 731 ÷ 640 = 5.632,71 → short by 617,29.
    await run_jobs(session_maker, settings, day=date(2028, 10, 1))
    await run_jobs(session_maker, settings, day=date(2028, 10, 2))
    sent = (await mails(session_maker))[4:]
    assert [(t, to) for t, to, _ in sent] == [("social_return_quarterly", CONTRACTOR),
                                              ("social_return_shortfall", BUYER_EMAIL),
                                              ("social_return_shortfall", CONTRACTOR)]
    warning = sent[1][2]
    assert warning.startswith("Social return: bij dit tempo een tekort aan het einde")
    assert "eindigt op 31 december 2028" in warning
    assert "Geaccepteerd is € 4.931,51 van € 6.250,00" in warning
    assert "€ 5.632,71 gerealiseerd: een tekort van € 617,29" in warning
    async with session_maker() as session:
        kinds = list(await session.scalars(select(SocialReturnNotice.period_key)
                                           .order_by(SocialReturnNotice.id)))
        audited = list(await session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("social_return.notice%"))))
    assert kinds == ["2026-W53", "2027 K2", "2027-W13", "2028 K3", "2028 K4", "end"]
    assert len(audited) == 6
    # Delivered through SMTP like every mail of the outbox.
    smtp = dataclasses.replace(settings, smtp_url=mail_server.url)
    await mail.send_pending(session_maker, smtp)
    warned = [m for m in mail_server.messages if "tekort" in m["Subject"]]
    assert sorted(m["To"] for m in warned) == sorted([BUYER_EMAIL, CONTRACTOR])
    assert "een tekort van <strong>€ 617,29</strong>" in " ".join(mail_server.html(warned[0]).split())


def test_due_keys() -> None:
    class Terms:
        period_start, period_end = date(2027, 2, 15), date(2027, 12, 31)

    assert due_key("quarterly", Terms, date(2027, 3, 1), 0) is None  # the first quarter
    assert due_key("quarterly", Terms, date(2027, 4, 1), 0) == "2027 K2"
    assert due_key("quarterly", Terms, date(2028, 1, 5), 0) == "2028 K1"  # the last to report
    assert due_key("quarterly", Terms, date(2028, 4, 1), 0) is None
    assert due_key("waiting", Terms, date(2027, 4, 1), 0) is None
    assert due_key("waiting", Terms, date(2027, 4, 1), 3) == "2027-W13"
    assert due_key("shortfall", Terms, date(2027, 9, 29), 0) is None
    assert due_key("shortfall", Terms, date(2027, 9, 30), 0) == "end"  # 31 Dec − 3 months
