"""Every mail template, text and HTML part, read the way a person reads it: names that end
with a full stop ("B.V.") leave no "..", nobody is greeted "Beste relatie van …", and the
contract alert says its penalty once (issue 22, item 8)."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest

from certificates.resources import templates_dir
from pso.mail.render import render

NAME = "Bakkerij De IJssel B.V."
PERSON = "J. de Vries jr."
CONTEXT = {
    "public_url": "https://pso.example.nl", "organization": NAME, "kvk": "12345678",
    "assessment_id": 7, "body": "Keurmerk Instituut B.V.", "certificates": [
        {"number": "PSO-2026-000001", "kind": "ladder", "rung": "trede2",
         "valid_until": date(2027, 3, 1)}],
    "reason": "Onvoldoende bewijs.", "again": False, "rung": "trede2", "name": PERSON,
    "number": "PSO-2026-000001", "valid_until": "2027-03-01", "months": 1,
    "kind_label": "Prestatieladder", "register_link": "https://pso.example.nl/register/x",
    "change_label": "geschorst", "day": date(2026, 12, 5), "followers": [],
    "tender": "Schoonmaak Stadhuis", "reference": "AB-1.", "bidder": NAME,
    "contract_end": date(2028, 1, 31), "rung_won": "trede3", "kind_text": "geschorst",
    "detail": "Gegund op trede 3; nu: geen trede. Boete bij niet handhaven: € 30.900,00.",
    "penalty": Decimal(30900), "certificate": "PSO-2026-000001", "monitoring_link": "https://pso.example.nl/inkoop/1",
    "message": "Stuur de loonstaten mee.", "inviter": "Gemeente Apeldoorn",
    "party_name": NAME, "link": "https://pso.example.nl/l/abc", "code": "AAAA-BBBB",
    "scheme": "MKB-voucher 2026", "expires_on": date(2027, 6, 30), "amount": Decimal(1500),
    "voucher_link": "https://pso.example.nl/vouchers/x", "municipality": "Gemeente Zutphen",
    "requested_on": date(2026, 12, 1), "schemes_link": "https://pso.example.nl/mijn/vouchers",
}
TEMPLATES = sorted(p.stem for p in (templates_dir() / "mail").glob("*.txt")
                   if not p.stem.startswith("_"))


def readable(page: str) -> str:
    """The HTML part as read: inline tags vanish, block tags separate."""
    inline = re.sub(r"</?(strong|em|b|a|span)\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("variant", [{}, {"approved": True, "warning": False},
                                     {"approved": False, "warning": True, "again": True,
                                      "months": 3, "reason": None}])
def test_no_seams_in_either_part(template: str, variant: dict) -> None:
    context = {"approved": True, "warning": False, **CONTEXT, **variant}
    mail = render(template, context)
    for part in (mail.subject, mail.text, readable(mail.html)):
        assert ".." not in part.replace("...", ""), (template, part)
        assert "relatie van" not in part and " ." not in part, (template, part)
    greeting = mail.text.splitlines()[0]
    assert greeting == f"Beste {PERSON},", (template, greeting)
    assert f"Beste {PERSON}," in readable(mail.html)


def test_the_invitation_closes_a_name_ending_in_a_stop_once() -> None:
    mail = render("invitation", {**CONTEXT, "valid_until": "12 december 2026"})
    assert f"namens {NAME}\n" in mail.text
    plain = render("invitation", {**CONTEXT, "party_name": "Gemeente Zutphen",
                                  "valid_until": "12 december 2026"})
    assert "namens Gemeente Zutphen." in plain.text
    assert "namens Gemeente Zutphen." in readable(plain.html)
    assert f"namens {NAME} Kies uw wachtwoord" in readable(mail.html)


def test_the_alert_states_its_penalty_once() -> None:
    mail = render("contract_alert", {**CONTEXT, "warning": False})
    assert mail.text.count("€ 30.900,00") == 1 and readable(mail.html).count("€ 30.900,00") == 1


def test_a_person_without_a_name_is_greeted_politely() -> None:
    mail = render("assessment_in_review", {**CONTEXT, "name": ""})
    assert mail.text.startswith("Geachte heer of mevrouw,")
    assert "Geachte heer of mevrouw," in readable(mail.html)
