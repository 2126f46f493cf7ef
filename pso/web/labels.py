"""Dutch labels for the engine's codes, as shown in the web forms (spec §2.2)."""

from __future__ import annotations

from pso.db.models.certification import AssessmentStatus
from pso.db.models.vouchers import VoucherStatus
from scoring.enums import CONTRACT_TYPES, STARTING_POSITIONS

STARTING_POSITION_LABELS = {
    "wsw": "Wsw-indicatie",
    "participatiewet": "Participatiewet / WWB / IOAW / IOAZ-uitkering",
    "nug_sroi": "Niet-uitkeringsgerechtigde, door gemeente geaccepteerd als SROI-kandidaat",
    "statushouder": "Statushouder",
    "ukraine_protection": "Tijdelijke bescherming Oekraïne",
    "wia_wao_waz": "WIA / WAO / WAZ",
    "wajong": "Wajong",
    "vso_pro": "Van het VSO of PrO (school verlaten)",
    "wiw_id": "Voormalige WIW- of ID-baan",
    "target_group_register": "Andere registratie in het doelgroepregister",
    "status_lost": "Doelgroepstatus verloren in de 2 jaar voor indiensttreding",
    "young_disabled": "Jonggehandicapte die met voorzieningen het minimumloon kan verdienen",
    "ww": "WW-uitkering",
    "bbl_bol_1": "BBL/BOL niveau 1 (werkplek)",
    "vso_pro_pupil": "Leerling VSO of PrO op een werkplek",
    "bbl_bol_2": "BBL/BOL niveau 2",
    "bbl_bol_3": "BBL/BOL niveau 3",
    "bbl_bol_4": "BBL/BOL niveau 4",
}
CONTRACT_TYPE_LABELS = {
    "regular": "Regulier dienstverband",
    "supported": "Begeleid werken",
    "secondment": "Detachering / flex",
    "internship": "Stage, werkervaringsplaats of re-integratie",
    "trial": "Proefplaatsing",
}
SUPPLIER_KIND_LABELS = {
    "pso_certified": "PSO-gecertificeerde leverancier",
    "sw_company": "SW-bedrijf",
}
ORGANIZATION_KINDS = {"company": "Bedrijf", "sw_company": "SW-bedrijf",
                      "public_body": "Publieke organisatie"}
QUALITY_LABELS = {
    "suitableWork": ("Passend werk", "Het werk past bij de mogelijkheden van de medewerkers."),
    "integration": ("Integratie", "De medewerkers werken mee in de gewone organisatie."),
    "development": ("Functioneren en ontwikkeling",
                    "Er is aandacht voor functioneren en ontwikkeling."),
    "guidance": ("Begeleiding", "Er is begeleiding op de werkplek."),
}
# An application's state as its company reads it (the workbench calls "submitted" new).
ASSESSMENT_STATUS_LABELS: dict[str, str] = {
    AssessmentStatus.DRAFT: "Concept",
    AssessmentStatus.SUBMITTED: "Ingediend",
    AssessmentStatus.IN_REVIEW: "In beoordeling",
    AssessmentStatus.INFORMATION_REQUESTED: "Informatie gevraagd",
    AssessmentStatus.APPROVED: "Goedgekeurd",
    AssessmentStatus.REJECTED: "Afgewezen",
}
# Lower case: the CSV export and the PDF; pages capitalise.
VOUCHER_STATUS_LABELS: dict[str, str] = {
    VoucherStatus.REQUESTED: "aangevraagd",
    VoucherStatus.ISSUED: "uitgegeven",
    VoucherStatus.REDEEMED: "verzilverd",
    VoucherStatus.CANCELLED: "ingetrokken",
    VoucherStatus.EXPIRED: "verlopen",
    VoucherStatus.REFUSED: "geweigerd",
}

assert set(ASSESSMENT_STATUS_LABELS) == set(AssessmentStatus)
assert set(VOUCHER_STATUS_LABELS) == set(VoucherStatus)
assert set(STARTING_POSITION_LABELS) == set(STARTING_POSITIONS)
assert set(CONTRACT_TYPE_LABELS) == set(CONTRACT_TYPES)
