"""Every mail template, both parts, with sample contexts as the services pass them (each
branch of the template at least once): the text part has no sentences run together, nothing
internal shows (None, True, [], {{ }}), the wording is Dutch, and the message as the sender
builds it carries its headers, Content-Language: nl included."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import tinyhtml5

from certificates.resources import templates_dir
from pso.db.models import OutboxMail
from pso.mail.render import render
from pso.mail.sender import build_message

URL = "https://pso.example.nl"
COMPANY = {"organization": "Bakkerij De Korenaar B.V.", "kvk": "34567890", "assessment_id": 17,
           "rung": "trede2", "body": "PSO Certificering B.V.", "name": "Anna de Vries"}
VOUCHER = {"organization": "Bakkerij De Korenaar B.V.", "kvk": "34567890",
           "code": "6SEF-JFHD-58W5-5RTX-6TF4", "scheme": "Voucher PSO-meting MKB",
           "amount": Decimal("1500.00"), "expires_on": date(2027, 11, 24),
           "voucher_link": f"{URL}/vouchers/6SEF-JFHD-58W5-5RTX-6TF4", "name": "Anna de Vries"}
ALERT = {"name": "Inge Koper", "tender": "Groenonderhoud 2026", "reference": "AB-2026-01",
         "bidder": "Groen & Schoon Hoveniers", "kvk": "12345678",
         "kind_text": "is geschorst", "detail": "Certificaat PSO-2026-000002 is geschorst.",
         "certificate": "PSO-2026-000002", "rung_won": "trede3", "penalty": Decimal("2500.00"),
         "contract_end": date(2027, 6, 30),
         "monitoring_link": f"{URL}/inkoop/aanbestedingen/3/bewaking"}
CERTIFICATES = [{"number": "PSO-2026-000002", "kind": "ladder", "rung": "trede3",
                 "valid_until": date(2028, 12, 4)},
                {"number": "PSO-2026-000003", "kind": "pso30plus", "rung": "trede3",
                 "valid_until": date(2028, 12, 4)}]
LINK = {"name": "Anna de Vries", "link": f"{URL}/wachtwoord-instellen/abc", "party_name":
        "Bakkerij De Korenaar B.V.", "valid_until": "12 december 2026 14:30"}
SOCIAL_RETURN = {"name": "Inge Koper", "tender": "Groenonderhoud 2026", "reference": "AB-2026-01",
                 "link": f"{URL}/inkoop/aanbestedingen/3/social-return"}
PROGRESS = {"realised": Decimal("4931.51"), "target": Decimal("6250.00"),
            "period_end": date(2028, 12, 31)}
BIDDER = {"bidder": "Groen & Schoon Hoveniers B.V.", "kvk": "12345678"}

# (template, context): every template, each of its branches.
SAMPLES = [
    ("assessment_received", {**COMPANY, "again": False}),
    ("assessment_received", {**COMPANY, "again": True, "body": None, "name": ""}),
    ("assessment_in_review", COMPANY),
    ("assessment_in_review", {**COMPANY, "body": None}),
    ("information_requested", {**COMPANY, "message": "Stuur de loonstroken van maart mee."}),
    ("assessment_decision", {**COMPANY, "approved": True, "reason": None,
                             "certificates": CERTIFICATES}),
    ("assessment_decision", {**COMPANY, "approved": False, "certificates": [],
                             "reason": "De opgegeven medewerkers horen niet tot de doelgroep."}),
    ("certificate_expiry", {"name": "Anna de Vries", "organization": COMPANY["organization"],
                            "kvk": "34567890", "number": "PSO-2026-000002",
                            "kind_label": "Prestatieladder, Trede 2", "months": 3,
                            "valid_until": date(2027, 3, 1),
                            "register_link": f"{URL}/register/PSO-2026-000002"}),
    ("certificate_status", {"organization": COMPANY["organization"], "kvk": "34567890",
                            "number": "PSO-2026-000002", "change": "suspended",
                            "change_label": "geschorst", "reason": "Onderzoek naar de opgave.",
                            "day": date(2026, 12, 5), "followers": ["PSO-2026-000003"],
                            "name": "Anna de Vries"}),
    ("certificate_status", {"organization": COMPANY["organization"], "kvk": "34567890",
                            "number": "PSO-2026-000002", "change": "reinstated",
                            "change_label": "weer geldig", "reason": None,
                            "day": date(2026, 12, 5), "followers": [], "name": ""}),
    ("contract_alert", {**ALERT, "warning": False}),
    ("contract_alert", {**ALERT, "warning": True, "kind_text":
                        "verloopt vóór het einde van het contract"}),
    ("invitation", {**LINK, "inviter": "Bert Bakker"}),
    ("invitation_existing", {"name": "Anna de Vries", "inviter": "Bert Bakker",
                             "party_name": "Gemeente Apeldoorn"}),
    ("password_reset", LINK),
    ("social_return_quarterly", {**SOCIAL_RETURN, **PROGRESS, "quarter": "2027 K2"}),
    ("social_return_quarterly", {**SOCIAL_RETURN, **PROGRESS, "quarter": "2027 K2",
                                 "name": ""}),
    ("social_return_waiting", {**SOCIAL_RETURN, **BIDDER, "waiting": 1}),
    ("social_return_waiting", {**SOCIAL_RETURN, **BIDDER, "waiting": 3}),
    ("social_return_shortfall", {**SOCIAL_RETURN, **PROGRESS, "bidder": BIDDER["bidder"],
                                 "projection": Decimal("5632.71"),
                                 "shortfall": Decimal("617.29")}),
    ("voucher_issued", VOUCHER),
    ("voucher_expired", {**VOUCHER, "expires_on": date(2026, 11, 30)}),
    ("voucher_refused", {**VOUCHER, "municipality": "Gemeente Apeldoorn",
                         "requested_on": date(2026, 12, 2), "reason": "Het budget is op.",
                         "schemes_link": f"{URL}/mijn/vouchers"}),
    ("voucher_refused", {**VOUCHER, "municipality": "Gemeente Apeldoorn",
                         "requested_on": date(2026, 12, 2), "reason": "",
                         "schemes_link": f"{URL}/mijn/vouchers"}),
]

# A sentence end glued to the next sentence or line: "vast.Certificerende".
RUN_TOGETHER = re.compile(r"[a-zà-ÿ]{2}[.!?:;,][A-ZÀ-Þ]|[a-zà-ÿ][A-Z][a-z]{2}")
INTERNAL = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\[\]|\{\{|\}\}|\{%|Decimal\(|\d{4}-\d\d-\d\d")
ENGLISH = re.compile(r"\b(the|your|you|and|please|dear|regards|certificate)\b", re.IGNORECASE)
DUTCH = re.compile(r"\b(de|het|een|uw|u|van|met|is|op|voor|niet|tot|en|wij|zijn|wordt)\b", re.IGNORECASE)


def test_every_template_has_a_sample() -> None:
    names = {p.stem for p in (Path(templates_dir()) / "mail").glob("*.txt")
             if not p.name.startswith("_")}
    assert names == {name for name, _ in SAMPLES}


def _visible_texts(html: str) -> list[str]:
    """The text nodes of the HTML part's body (each on its own: block elements separate
    them), without the contents of <style>/<title>."""
    body = tinyhtml5.parse(html).find("{http://www.w3.org/1999/xhtml}body")
    return [" ".join(t.split()) for t in body.itertext() if t.strip()]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(("template", "context"), SAMPLES,
                         ids=[f"{name}-{i}" for i, (name, _) in enumerate(SAMPLES)])
def test_both_parts(template: str, context: dict) -> None:
    mail = render(template, {"public_url": URL, **context})
    assert mail.subject and not INTERNAL.search(mail.subject), mail.subject
    assert not ENGLISH.search(mail.subject), mail.subject
    html_texts = _visible_texts(mail.html)
    for part, pieces in (("text", _lines(mail.text)), ("html", html_texts)):
        for piece in pieces:
            if "http" in piece or "@" in piece:
                continue  # links and addresses are not sentences
            assert not RUN_TOGETHER.search(piece), f"{template} {part}: run together: {piece!r}"
            assert not INTERNAL.search(piece), f"{template} {part}: internal value: {piece!r}"
            assert not ENGLISH.search(piece), f"{template} {part}: English: {piece!r}"
        words = " ".join(pieces)
        assert len(DUTCH.findall(words)) >= 8, f"{template} {part} does not read as Dutch"
        # What the mail is about is in both parts.
        for key in ("kvk", "number", "tender", "name"):
            if context.get(key):
                assert str(context[key]) in " ".join(words.split()), (template, part, key)
    assert "<html lang=\"nl\">" in mail.html
    assert re.search(r"<title>\s*\S[^<]*</title>", mail.html), "a title"


def test_the_message_carries_its_headers_and_language() -> None:
    rendered = render("assessment_received", {"public_url": URL, **COMPANY, "again": False})
    row = OutboxMail(key="0" * 32, template="assessment_received", to_address="anna@example.nl",
                     subject=rendered.subject, text_body=rendered.text, html_body=rendered.html)
    raw = build_message(row, "PSO-dienst <noreply@pso.example.nl>",
                        datetime(2026, 12, 5, 9, 30, tzinfo=UTC)).as_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Content-Language"] == "nl"
    assert message["Subject"] == "Uw PSO-aanvraag 17 is ontvangen"
    assert message["To"] == "anna@example.nl"
    assert message["From"] == "PSO-dienst <noreply@pso.example.nl>"
    assert message["Message-ID"] == f"<{'0' * 32}@pso.example.nl>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] == "Sat, 05 Dec 2026 09:30:00 +0000"
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in message.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    for part in parts.values():
        assert part["Content-Language"] == "nl"
        assert part.get_content_charset() == "utf-8"
    text = parts["text/plain"].get_content()
    assert "De gegevens liggen nu vast.\n\nCertificerende instelling: PSO Certificering B.V.\n" \
        "Voorlopige trede: Trede 2" in text.replace("\r\n", "\n")
    assert "Certificerende instelling" in parts["text/html"].get_content()
