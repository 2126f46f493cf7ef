"""Dutch words for what the audit log stores as codes (tests/web/test_beheer.py checks that
every action the code records has one)."""

from __future__ import annotations

from typing import Any

from pso.text import municipalities as cbs
from pso.web.account import settings as account_settings

ENTITY_LABELS = {
    "account": "Account",
    "user": "API-token",
    "organization": "Organisatie",
    "certifying_body": "Certificerende instelling",
    "assessment": "Aanvraag",
    "certificate": "Certificaat",
    "tender": "Aanbesteding",
    "voucher_scheme": "Voucherregeling",
    "voucher": "Voucher",
    "sroi_model": "Waarderingsmodel",
    "party": "Partij",
}

ACTION_LABELS = {
    "account.created": "Account aangemaakt",
    "account.signed_in": "Ingelogd",
    "account.sign_in_failed": "Inloggen mislukt",
    "account.password_changed": "Wachtwoord gewijzigd",
    "account.password_set": "Wachtwoord ingesteld",
    "account.reset_requested": "Nieuw wachtwoord aangevraagd",
    "account.totp_enabled": "Tweestapsverificatie aangezet",
    "account.totp_disabled": "Tweestapsverificatie uitgezet",
    "account.revoked": "Account ingetrokken",
    "account.reinstated": "Account hersteld",
    "party.municipality_set": "Gemeente van een inkopende organisatie vastgelegd",
    "party.municipality_removed": "Inkopende organisatie losgekoppeld van haar gemeente",
    "account.invitation_resent": "Uitnodiging opnieuw verstuurd",
    "account.invite_existing": "Uitnodiging voor een bestaand e-mailadres (niet verstuurd)",
    "user.created": "API-token gemaakt",
    "user.revoked": "API-token ingetrokken",
    "organization.created": "Organisatie geregistreerd",
    "organization.updated": "Organisatie gewijzigd",
    "organization.subsidiary_assigned": "Dochteronderneming toegewezen door beheer",
    "certifying_body.created": "Certificerende instelling toegevoegd",
    "certifying_body.updated": "Certificerende instelling gewijzigd",
    "assessment.created": "Aanvraag aangemaakt",
    "assessment.copied": "Aanvraag gekopieerd voor hercertificering",
    "assessment.updated": "Aanvraag aangepast",
    "assessment.body_chosen": "Certificerende instelling gekozen",
    "assessment.submitted": "Aanvraag ingediend",
    "assessment.resubmitted": "Aanvraag opnieuw ingediend",
    "assessment.review_started": "Beoordeling begonnen",
    "assessment.review_completed": "Beoordeling afgerond",
    "assessment.information_requested": "Informatie gevraagd",
    "assessment.corrected": "Gegevens gecorrigeerd door de auditor",
    "assessment.approved": "Aanvraag goedgekeurd",
    "assessment.rejected": "Aanvraag afgewezen",
    "document.added": "Bewijsstuk toegevoegd",
    "document.removed": "Bewijsstuk verwijderd",
    "certificate.issued": "Certificaat uitgegeven",
    "certificate.suspended": "Certificaat geschorst",
    "certificate.reinstated": "Schorsing opgeheven",
    "certificate.revoked": "Certificaat ingetrokken",
    "certificate.expiry_reminder": "Herinnering vervaldatum verstuurd",
    "tender.created": "Aanbesteding vastgelegd",
    "tender.bid_added": "Inschrijving toegevoegd",
    "tender.evaluated": "Beoordeling vastgesteld",
    "tender.awarded": "Gegund",
    "contract.suspended": "Contractbewaking: certificaat geschorst",
    "contract.revoked": "Contractbewaking: certificaat ingetrokken",
    "contract.expired": "Contractbewaking: certificaat verlopen",
    "contract.superseded": "Contractbewaking: vervangen door lagere trede",
    "contract.expiry_warning": "Contractbewaking: certificaat verloopt binnen het contract",
    "social_return.terms_set": "Social return: afspraken vastgelegd",
    "social_return.terms_changed": "Social return: afspraken gewijzigd",
    "social_return.line_reported": "Social return: regel gemeld",
    "social_return.line_accepted": "Social return: regel geaccepteerd",
    "social_return.line_rejected": "Social return: regel afgewezen",
    "social_return.document_added": "Social return: bewijsstuk toegevoegd",
    "social_return.notice_quarterly": "Social return: kwartaalherinnering verstuurd",
    "social_return.notice_waiting": "Social return: melding wachtende regels verstuurd",
    "social_return.notice_shortfall": "Social return: waarschuwing tekort verstuurd",
    "social_return.settled": "Social return: eindafrekening vastgesteld",
    "sroi_model.created": "Waarderingsmodel vastgelegd",
    "voucher_scheme.created": "Voucherregeling aangemaakt",
    "voucher_scheme.updated": "Voucherregeling gewijzigd",
    "voucher.requested": "Voucher aangevraagd",
    "voucher.issued": "Voucher uitgegeven",
    "voucher.approved": "Voucheraanvraag goedgekeurd",
    "voucher.refused": "Voucheraanvraag geweigerd",
    "voucher.redeemed": "Voucher verzilverd",
    "voucher.cancelled": "Voucher ingetrokken",
    "voucher.expired": "Voucher verlopen",
}

ROLE_LABELS = {**account_settings.ROLE_LABELS, "system": "Systeem"}

# The few summary values worth a line on the page; the rest stays in the API's answer.
DETAIL_LABELS = {
    "name": "Naam",
    "title": "Titel",
    "email": "E-mailadres",
    "kvk": "KvK-nummer",
    "reason": "Reden",
    "certificate": "Certificaat",
    "certificate_number": "Certificaat",
    "certificateNumber": "Certificaat",
    "separateDecision": "Besluit door een andere auditor",
    "address": "Adres",
}


def action_label(action: str, entity_type: str) -> str:
    return ACTION_LABELS.get(action) or f"{ENTITY_LABELS.get(entity_type, 'Gegevens')} gewijzigd"


# Reasons the code stores as words of its own (a failed sign-in's); other reasons are text
# people typed and are shown as they are.
REASON_TEXTS = {
    "password": "Onbekend e-mailadres, ingetrokken account of verkeerd wachtwoord.",
    "code": "Verkeerde code voor tweestapsverificatie of herstelcode.",
}


# A buying organisation's municipality link (party.municipality_*): old and new, by name.
LINK_LABELS = {"previous": "Was", "municipality": "Wordt"}


def details(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for the summary's plain values that have a label."""
    if "previous" in summary:
        return [(label, cbs.name_of(summary.get(key)) or "geen gemeente")
                for key, label in LINK_LABELS.items()]
    found = []
    for key, label in DETAIL_LABELS.items():
        value = summary.get(key)
        if key == "reason" and isinstance(value, str):
            value = REASON_TEXTS.get(value, value)
        if isinstance(value, bool):
            found.append((label, "ja" if value else "nee"))
        elif isinstance(value, (str, int)) and str(value).strip():
            found.append((label, str(value)))
    return found
