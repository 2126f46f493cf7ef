"""The score of an application as a PDF (SPEC §7.2 step 4): the figures, the ladder, the
engine's full explanation and the per-employee breakdown. Provisional until the certifying
body decides; after the decision it is the outcome. Plain data only, so the context pickles
and may render in a PDF worker (pso.files.pdf_pool). Figures through scoring.notation, the
formatter of the explanation and the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

from certificates.formatting import RUNG_LABELS, dutch_date
from certificates.ladder import ladder_svg
from pso.db.models import Assessment, AssessmentStatus
from pso.files import pdf_pool
from pso.text.dates import dates_in
from pso.text.labels import (
    ASSESSMENT_STATUS_LABELS,
    CONTRACT_TYPE_LABELS,
    QUALITY_LABELS,
    STARTING_POSITION_LABELS,
)
from scoring.notation import dutch_decimal, exact, percentage

TEMPLATE = "portal/provisional.html"
MAX_ROWS = 300
FINAL = (AssessmentStatus.APPROVED, AssessmentStatus.REJECTED)


def _pct(value: Any) -> str:
    return percentage(exact(value), 2)


def _num(value: Any, places: int = 2) -> str:
    return dutch_decimal(exact(value), places)


def _heading(assessment: Assessment, result: dict[str, Any], pending: bool) -> tuple[str, str]:
    """(title, the sentence under it): provisional, or the outcome once decided."""
    if assessment.status == AssessmentStatus.APPROVED:
        title = f"Uitkomst: {RUNG_LABELS[result['rung']]}"
        notice = ("De certificerende instelling heeft de aanvraag goedgekeurd; het certificaat "
                  "is het bewijs van de trede.")
    elif assessment.status == AssessmentStatus.REJECTED:
        title = "Aanvraag afgewezen"
        notice = ("De certificerende instelling heeft de aanvraag afgewezen; er is geen "
                  "certificaat uitgereikt.")
    elif pending:
        title = (f"Voorlopige uitkomst: {RUNG_LABELS[result['quantitativeRung']]} op grond "
                 "van de cijfers")
        notice = ("Dit is geen certificaat. De trede wordt toegekend als de kwaliteitsvragen "
                  "(stap 5) zijn beantwoord en aan alle vier de eisen is voldaan; daarna "
                  "beoordeelt de certificerende instelling de aanvraag.")
    else:
        title = f"Voorlopige uitkomst: {RUNG_LABELS[result['rung']]}"
        notice = ("Dit is geen certificaat. De uitkomst is voorlopig tot de certificerende "
                  "instelling de aanvraag heeft beoordeeld.")
    return title, notice


def file_name(assessment: Assessment) -> str:
    final = assessment.status in FINAL
    return f"{'uitkomst' if final else 'voorlopige-uitkomst'}-{assessment.id}.pdf"


def provisional_context(assessment: Assessment, day: date) -> dict[str, Any]:
    from pso.services.portal import provisional_result, quality_answered, rung_pending

    result, org = provisional_result(assessment), assessment.organization
    pending = rung_pending(result, quality_answered(assessment))
    title, notice = _heading(assessment, result, pending)
    final = assessment.status in FINAL
    period = assessment.submission.get("period") or {}
    rows = [{"reference": e["reference"],
             "position": STARTING_POSITION_LABELS.get(e.get("startingPosition", ""), ""),
             "contract": CONTRACT_TYPE_LABELS.get(e.get("contractType", ""), ""),
             "days": e["countedDays"], "fte": _num(e["fte"], 4),
             "weighted": _num(e["weightedFte"], 4), "note": dates_in(e.get("note"))}
            for e in result.get("employees", [])[:MAX_ROWS]]
    next_rung = result.get("nextRung")
    return {
        "title": f"{'Uitkomst' if final else 'Voorlopige uitkomst'} aanvraag {assessment.id}",
        "heading": title, "notice": notice, "final": final,
        "created": f"{day.isoformat()}T00:00:00Z",
        "author": "PSO-dienst",
        "organization": {"name": org.name, "kvk": org.kvk},
        "subsidiaries": [(s.kvk, s.name) for s in org.subsidiaries],
        "assessment_id": assessment.id,
        "status": ASSESSMENT_STATUS_LABELS[assessment.status].lower(),
        "period": (dutch_date(date.fromisoformat(period["start"])),
                   dutch_date(date.fromisoformat(period["end"]))),
        "printed_on": dutch_date(day),
        "rung_label": RUNG_LABELS[result["rung"]],
        "quantitative_label": RUNG_LABELS[result["quantitativeRung"]],
        "indicative": result.get("indicative", False),
        "rulebook": result["rulebook"],
        "figures": [
            ("Omvang", f"{_num(result['sizeFte'])} FTE"),
            ("Totale bijdrage", _pct(result["totalPct"])),
            ("Direct (eigen medewerkers)", (f"{_pct(result['directPct'])} · "
                                            f"{_num(result['directFte'], 4)} gewogen FTE")),
            ("Indirect (inkoop, begrensd)", _pct(result["indirectPctCapped"])),
            ("Doelgroepregister", _pct(result["targetGroupRegisterPct"])),
        ],
        "thresholds": [(RUNG_LABELS[k], _pct(v)) for k, v in result["thresholds"].items()],
        "next_rung": None if not next_rung else {
            "label": RUNG_LABELS[next_rung["rung"]], "threshold": _pct(next_rung["thresholdPct"]),
            "fte": None if next_rung["additionalFte"] is None
            else _num(next_rung["additionalFte"])},
        "failed_quality": [] if pending or not quality_answered(assessment) else [
            QUALITY_LABELS[k][0] for k in result.get("failedQualityCriteria", [])
            if k in QUALITY_LABELS],
        "explanation": [dates_in(line) for line in result.get("explanation", [])],
        "employees": rows,
        "more_employees": max(0, len(result.get("employees", [])) - MAX_ROWS),
        "purchases": [{"name": p.get("supplierName", ""), "kvk": p.get("supplierKvk", ""),
                       "fte": _num(p["attributedFte"], 4)} for p in result.get("purchases", [])],
        # constants only, safe unescaped
        "ladder_svg": Markup(ladder_svg(result["quantitativeRung" if pending else "rung"])),
    }


async def render_provisional(assessment: Assessment, day: date) -> bytes:
    return await pdf_pool.render(TEMPLATE, provisional_context(assessment, day))
