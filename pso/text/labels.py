"""Dutch labels for the engine's codes and the submission form's fields, as shown in the web
forms, the provisional PDF, change lists and upload errors (spec §2.2)."""

from __future__ import annotations

import re

from pso.statuses import AssessmentStatus, VoucherStatus
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


# --- the submission form's fields (the calculator, the wizard, error summaries, change lists) ---

EMPLOYEE_FIELDS = {
    "reference": "Referentie (pseudoniem)",
    "startingPosition": "Uitgangspositie",
    "contractType": "Contractvorm",
    "hoursPerWeek": "Uren per week",
    "employmentStart": "In dienst sinds",
    "employmentEnd": "Uit dienst op",
    "wageSubsidyUntil": "Loonkostensubsidie tot",
    "wswIndicationUntil": "Wsw-indicatie tot",
    "schoolLeftOn": "School verlaten op",
    "inTargetGroupRegister": "Staat in het doelgroepregister",
}


PURCHASE_FIELDS = {
    "supplierName": "Naam leverancier",
    "supplierKvk": "KvK-nummer leverancier",
    "supplierKind": "Soort leverancier",
    "invoiceAmount": "Factuurbedrag (€, excl. btw)",
    "supplierTurnover": "Omzet leverancier (€)",
    "supplierFte": "FTE leverancier",
    "supplierDirectPct": "Directe PSO-bijdrage leverancier (%)",
}


PLAN_FIELDS = {"boardApproved": "Goedgekeurd door de directie", "targetRung": "Doel",
               "targetDate": "Streefdatum"}


TOP_FIELDS = {"period.start": "Begin van de periode", "period.end": "Einde van de periode",
              "totalFte": "Totaal aantal FTE van de organisatie",
              "fullTimeHoursPerWeek": "Voltijd uren per week (cao)",
              "rulebook": "Normversie", "employees": "Medewerkers", "purchases": "Inkoop",
              "quality": "Kwaliteitseisen", "actionPlan": "Plan van aanpak", "body": "Invoer"}


ITEM_FIELD = re.compile(r"^(employees|purchases)\[(\d+)\](?:\.(\w+))?$")


def label_of(name: str) -> str:
    """A readable label for a field name, for the error summary."""
    m = ITEM_FIELD.match(name)
    if m:
        kind, index, field = m.group(1), int(m.group(2)), m.group(3)
        labels = EMPLOYEE_FIELDS if kind == "employees" else PURCHASE_FIELDS
        what = "Medewerker" if kind == "employees" else "Inkoop"
        return f"{what} {index + 1}" + (f": {labels.get(field, field).lower()}" if field else "")
    if name.startswith("quality."):
        return "Kwaliteitseis " + QUALITY_LABELS.get(name[8:], (name,))[0].lower()
    if name.startswith("actionPlan."):
        return "Plan van aanpak: " + PLAN_FIELDS.get(name[11:], name).lower()
    return TOP_FIELDS.get(name, name)


assert set(STARTING_POSITION_LABELS) == set(STARTING_POSITIONS)
assert set(CONTRACT_TYPE_LABELS) == set(CONTRACT_TYPES)
assert set(ASSESSMENT_STATUS_LABELS) == set(AssessmentStatus)
assert set(VOUCHER_STATUS_LABELS) == set(VoucherStatus)
