"""The company portal's use cases (SPEC §7.2): the wizard's drafts, quality motivations,
the certifying body, the definitive application, re-certification as a copy, and the
scenario panel. The web pages (pso/web/mijn/) and the JSON API both call these; the rules
of drafts and submission stay in services/certification.py.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import RUNG_LABELS
from pso.audit import record
from pso.auth import Actor
from pso.db.models import Assessment, AssessmentStatus, Organization
from pso.errors import Conflict, InvalidInput, NotFound
from pso.services import bodies, certification, organizations
from pso.services.access import ensure_kvk_access
from pso.text.labels import QUALITY_LABELS
from scoring import SubmissionInvalid, parse_submission, score

STEPS = 7
QUALITY_KEYS = ("suitableWork", "integration", "development", "guidance")
MAX_MOTIVATION = 2000
MAX_SCENARIO_HIRES = 50
MAX_SCENARIO_PURCHASES = 20
# Statuses of an application still in progress (E's review states included).
OPEN_STATUSES = (AssessmentStatus.DRAFT, *certification.OPEN)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def organization_of(session: AsyncSession, actor: Actor) -> Organization | None:
    """The applying organisation of a company account (None until it is registered)."""
    if not actor.kvk:
        return None
    return await organizations.find(session, actor.kvk)


async def applications(session: AsyncSession, org: Organization) -> list[Assessment]:
    rows = await session.scalars(select(Assessment).where(Assessment.organization_id == org.id)
                                 .order_by(Assessment.id.desc()))
    return list(rows)


def open_application(rows: list[Assessment]) -> Assessment | None:
    return next((a for a in rows if a.status in OPEN_STATUSES), None)


def last_approved(rows: list[Assessment]) -> Assessment | None:
    return next((a for a in rows if a.status == AssessmentStatus.APPROVED), None)


async def _refuse_second_open(session: AsyncSession, org: Organization) -> None:
    current = open_application(await applications(session, org))
    if current is not None:
        raise Conflict("application-open",
                       f"Er loopt al een aanvraag (nummer {current.id}); maak die eerst af.",
                       assessmentId=current.id)


def first_submission(start: Any, end: Any, total_fte: Any,
                     full_time: Any = None) -> dict[str, Any]:
    """Step 1's data as a submission: no employees or purchases yet, no criteria met."""
    data: dict[str, Any] = {
        "period": {"start": start, "end": end}, "totalFte": total_fte,
        "employees": [], "purchases": [], "quality": dict.fromkeys(QUALITY_KEYS, False),
    }
    if full_time not in (None, ""):
        data["fullTimeHoursPerWeek"] = full_time
    return data


async def start(session: AsyncSession, actor: Actor, kvk: str, raw: Any) -> Assessment:
    """A new application (draft) from step 1; one open application per organisation."""
    ensure_kvk_access(actor, kvk)
    org = await organizations.find(session, kvk)
    if org is None:
        raise NotFound(f"Geen organisatie met KvK-nummer {kvk}.")
    await _refuse_second_open(session, org)
    assessment = await certification.create(session, actor, kvk, raw)
    assessment.wizard_step = 2
    return assessment


async def recertify(session: AsyncSession, actor: Actor, kvk: str) -> Assessment:
    """A new draft copied from the last approved application, the period a year later."""
    ensure_kvk_access(actor, kvk)
    org = await organizations.find(session, kvk)
    if org is None:
        raise NotFound(f"Geen organisatie met KvK-nummer {kvk}.")
    rows = await applications(session, org)
    if open_application(rows) is not None:
        await _refuse_second_open(session, org)
    source = last_approved(rows)
    if source is None:
        raise Conflict("nothing-to-copy", "Er is nog geen goedgekeurde aanvraag om te kopiëren; "
                       "begin een nieuwe aanvraag.")
    data = copy.deepcopy(source.submission)
    data.pop("asOf", None)
    data.pop("rulebook", None)  # the rulebook in force for the new period
    period = data.get("period") or {}
    try:
        period["start"] = _add_years(date.fromisoformat(period["start"]), 1).isoformat()
        period["end"] = _add_years(date.fromisoformat(period["end"]), 1).isoformat()
    except (KeyError, TypeError, ValueError):
        pass
    data["period"] = period
    assessment = await certification.create(session, actor, kvk, data)
    assessment.copied_from_id = source.id
    assessment.motivations = copy.deepcopy(source.motivations)
    assessment.certifying_body = source.certifying_body
    assessment.wizard_step = 2
    await record(session, actor, "assessment.copied", "assessment", assessment.id,
                 {"from": source.id, "period": period})
    return assessment


def resume_url(assessment: Assessment) -> str:
    """Where "verder met de aanvraag" leads: the wizard's step the person got to, or the
    application page once it is out of the company's hands."""
    if assessment.status != AssessmentStatus.DRAFT:
        return f"/mijn/aanvraag/{assessment.id}"
    return f"/mijn/aanvraag/{assessment.id}/stap/{min(max(assessment.wizard_step or 1, 1), STEPS)}"


async def save_step(session: AsyncSession, actor: Actor, assessment_id: int, raw: Any,
                    step: int) -> Assessment:
    """Save one wizard step's data (the whole submission, rescored) as the draft."""
    assessment = await certification.replace_submission(session, actor, assessment_id, raw)
    assessment.wizard_step = max(assessment.wizard_step or 1, min(step + 1, STEPS))
    return assessment


def _motivation_errors(quality: dict[str, bool],
                       motivations: dict[str, str]) -> list[dict[str, str]]:
    errors = []
    for key in QUALITY_KEYS:
        text = (motivations.get(key) or "").strip()
        if quality.get(key) and not text:
            errors.append({"name": f"motivations.{key}",
                           "reason": f"Licht kort toe hoe u aan de eis "
                                     f"'{QUALITY_LABELS[key][0].lower()}' voldoet."})
        elif len(text) > MAX_MOTIVATION:
            errors.append({"name": f"motivations.{key}",
                           "reason": f"Hoogstens {MAX_MOTIVATION} tekens."})
    return errors


async def set_quality(session: AsyncSession, actor: Actor, assessment_id: int,
                      quality: dict[str, bool], motivations: dict[str, str]) -> Assessment:
    """Step 5: which criteria hold, with a short motivation for each one that does."""
    errors = _motivation_errors(quality, motivations)
    if errors:
        raise InvalidInput(errors)
    assessment = await certification.get_for(session, actor, assessment_id, lock=True)
    data = {**assessment.submission, "quality": {k: bool(quality.get(k)) for k in QUALITY_KEYS}}
    assessment = await save_step(session, actor, assessment_id, data, 5)
    assessment.motivations = {k: (motivations.get(k) or "").strip() for k in QUALITY_KEYS}
    return assessment


def quality_answered(assessment: Assessment) -> bool:
    """Whether the quality questions (step 5) have answers: saved in step 5, copied from an
    approved application, or the application is past the wizard."""
    return assessment.motivations is not None or assessment.status != AssessmentStatus.DRAFT


def provisional_result(assessment: Assessment) -> dict[str, Any]:
    """The score as the company reads it. Before step 5 every criterion is still 'no', so
    the stored score grants no rung; its explanation then says what the numbers reach and
    that the rung is granted once the quality questions are answered (same figures)."""
    if quality_answered(assessment):
        return assessment.score
    return score(parse_submission(assessment.submission), quality_answered=False)


def rung_pending(result: dict[str, Any], answered: bool) -> bool:
    """The numbers reach a rung that waits only for the quality answers."""
    return not answered and result.get("eligible", False) \
        and result.get("quantitativeRung", "none") != "none"


def outcome_text(assessment: Assessment) -> str:
    """The rung in one phrase for lists: before step 5 what the numbers reach."""
    result = assessment.score or {}
    if rung_pending(result, quality_answered(assessment)):
        return f"{RUNG_LABELS[result['quantitativeRung']]} op grond van de cijfers"
    return RUNG_LABELS.get(result.get("rung", "none"), "")


async def certifying_bodies(session: AsyncSession) -> list[bodies.BodyView]:
    """The bodies offered in step 6: those with an auditor to review the application."""
    return await bodies.list_bodies(session, staffed=True)


async def choose_body(session: AsyncSession, actor: Actor, assessment_id: int,
                      code: str) -> Assessment:
    """Step 6: address the application to one certifying body (the rule is the
    certification service's); the wizard notes the progress."""
    assessment = await certification.choose_body(session, actor, assessment_id, code)
    assessment.wizard_step = max(assessment.wizard_step or 1, 7)
    return assessment


async def submit_definitive(session: AsyncSession, actor: Actor, assessment_id: int,
                            response: str | None = None) -> Assessment:
    """Step 7: the definitive application, and after an auditor's information request the
    resubmission with the company's answer. The wizard's own checks first (a motivation per
    criterion met, a certifying body when there are any), then the one submit rule."""
    assessment = await certification.get_for(session, actor, assessment_id, lock=True)
    certification.require_status(assessment, *certification.EDITABLE)
    problems = _motivation_errors(assessment.submission.get("quality") or {},
                                  assessment.motivations or {})
    if problems:
        raise Conflict("motivation-missing", "Stap 5 is nog niet af: " + problems[0]["reason"])
    if assessment.certifying_body_id is None and await certifying_bodies(session):
        raise Conflict("certifying-body-missing",
                       "Kies eerst in stap 6 een certificerende instelling.")
    return await certification.submit(session, actor, assessment_id, response=response)


# --- the scenario panel: hypothetical hires and purchases, nothing stored -----------------


def _positive(value: Any, name: str, errors: list[dict[str, str]], *, low: Decimal,
              high: Decimal, what: str) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.append({"name": name, "reason": f"Vul bij {what} een getal in."})
        return None
    if not number.is_finite() or not (low < number <= high):
        errors.append({"name": name, "reason": f"{what.capitalize()} moet groter zijn dan "
                                               f"{low} en hoogstens {high}."})
        return None
    return number


def scenario_submission(submission: dict[str, Any], hires: list[dict[str, Any]],
                        purchases: list[dict[str, Any]]) -> dict[str, Any]:
    """The draft plus hypothetical full-period hires (the organisation grows by their FTE)
    and purchases. Raises InvalidInput naming the scenario's own fields."""
    errors: list[dict[str, str]] = []
    if len(hires) > MAX_SCENARIO_HIRES or len(purchases) > MAX_SCENARIO_PURCHASES:
        raise InvalidInput([{"name": "hires", "reason": "Te veel regels in het scenario."}])
    data = copy.deepcopy(submission)  # asOf kept: the draft's own day (action-plan rule)
    period = data.get("period") or {}
    full_time = Decimal(str(data.get("fullTimeHoursPerWeek") or "40"))
    extra_fte = Decimal(0)
    employees = list(data.get("employees") or [])
    for i, hire in enumerate(hires):
        count = _positive(hire.get("count", 1), f"hires[{i}].count", errors, low=Decimal(0),
                          high=Decimal(1000), what="het aantal medewerkers")
        hours = _positive(hire.get("hoursPerWeek"), f"hires[{i}].hoursPerWeek", errors,
                          low=Decimal(0), high=Decimal(80), what="de uren per week")
        if count is None or hours is None:
            continue
        if count != count.to_integral_value():
            errors.append({"name": f"hires[{i}].count", "reason": "Vul een heel aantal in."})
            continue
        for n in range(int(count)):
            employees.append({
                "reference": f"scenario-{i + 1}-{n + 1}",
                "startingPosition": hire.get("startingPosition") or "participatiewet",
                "contractType": hire.get("contractType") or "regular",
                "hoursPerWeek": str(hours), "employmentStart": period.get("start"),
            })
        extra_fte += count * min(Decimal(1), hours / full_time)
    if errors:
        raise InvalidInput(errors)
    data["employees"] = employees
    data["purchases"] = list(data.get("purchases") or []) + list(purchases)
    if extra_fte:
        data["totalFte"] = str(Decimal(str(data["totalFte"])) + extra_fte)
    return data


def scenario(submission: dict[str, Any], hires: list[dict[str, Any]],
             purchases: list[dict[str, Any]], *, answered: bool = True) -> dict[str, Any]:
    """Score the draft with the hypothetical changes; nothing is saved. Without changes it
    is the draft's own score (its `asOf` and rulebook kept)."""
    data = scenario_submission(submission, hires, purchases)
    own = len(submission.get("employees") or [])
    own_purchases = len(submission.get("purchases") or [])
    try:
        return score(parse_submission(data), quality_answered=answered)
    except SubmissionInvalid as exc:
        errors = []
        for err in exc.errors:
            name = err["name"]
            if name.startswith("employees["):
                index = int(name[10:name.index("]")])
                if index >= own:  # one hypothetical hire (a row may stand for several)
                    name = "hires" + name[name.index("]") + 1:]
            elif name.startswith("purchases["):
                index = int(name[10:name.index("]")])
                name = f"purchases[{index - own_purchases}]" + name[name.index("]") + 1:]
            errors.append({"name": name, "reason": err["reason"]})
        raise InvalidInput(errors) from None
