"""The scoring engine: spec §2.3–2.5 on an already parsed Submission.

Employee FTEs are summed exactly in integers, everything else is Decimal in one fixed
context; floats appear only in the returned dict.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any
from zoneinfo import ZoneInfo

from .dates import add_years
from .enums import QUALITY_CRITERIA
from .errors import SubmissionInvalid
from .explain import explain
from .explain import fte as fte_text
from .model import DEFAULT_FULL_TIME, Submission
from .next_rung import additional_fte, total_pct
from .notation import dutch_decimal, exponent
from .rulebook import (
    TOLERANCE,
    Limit,
    Rulebook,
    all_rulebooks,
    get_rulebook,
    reaches,
    rulebook_for,
    unknown_rulebook_reason,
)

# 28 significant digits; results are reported as floats (~16 digits) anyway.
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN,
                  traps=[InvalidOperation, DivisionByZero, Overflow])
ZERO, HUNDRED = Decimal(0), Decimal(100)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def resolve_rulebook(submission: Submission, rulebook: str | Rulebook | None = None) -> Rulebook:
    """By name (argument, else the submission's `rulebook`), else the one in force on period.end."""
    if isinstance(rulebook, Rulebook):
        return rulebook
    name = rulebook or submission.rulebook
    if name:
        rb = get_rulebook(name)
        if rb is None:
            raise SubmissionInvalid([{"name": "rulebook", "reason": unknown_rulebook_reason()}])
        return rb
    rb = rulebook_for(submission.period.end)
    if rb is None:
        raise SubmissionInvalid([{
            "name": "period.end",
            "reason": f"Op {submission.period.end.isoformat()} geldt geen normversie; kies er "
                      "een met 'rulebook': " + ", ".join(sorted(all_rulebooks())) + "."}])
    return rb


def score(submission: Submission, rulebook: str | Rulebook | None = None, *,
          today: date | None = None, quality_answered: bool = True) -> dict[str, Any]:
    """Score one parsed submission (spec §2.5); returns a JSON-ready dict with camelCase keys.

    `today` is the default for a missing `asOf` (the service passes its own clock's day,
    which PSO_TODAY may fix); without it today's date in Amsterdam, whatever the host's
    time zone. `quality_answered=False` words the explanation for a draft whose quality
    questions are still open (the figures are the same).

    Raises SubmissionInvalid for the checks that need the rulebook: unknown name, no rulebook
    in force on period.end, target-group FTE above totalFte.
    """
    rb = resolve_rulebook(submission, rulebook)
    with localcontext(CONTEXT):
        return _score(submission, rb, today, quality_answered)


def _hours_scale(sub: Submission) -> tuple[dict[Decimal, int], int]:
    """Exact integer FTE numerators.

    fte_i = min(h_i, ft) × days_i / (ft × periodDays). With S = 10^k making all hours whole,
    fte_i = n_i / Q with n_i = min(h_i, ft)·S·days_i and Q = ft·S·periodDays: one shared
    denominator, so sums are exact and each float comes from one correctly rounded division.
    Returns ({hoursPerWeek: min(h, ft)·S}, Q).
    """
    # both parsers fill in the default; `or` tells mypy
    ft = sub.full_time_hours_per_week or DEFAULT_FULL_TIME
    hours = {e.hours_per_week for e in sub.employees}
    places = max([0, -exponent(ft)] + [-exponent(h) for h in hours])
    scale = Decimal(10) ** places  # exact: inputs have at most 28 digits
    ft_scaled = int(ft * scale)
    scaled = {h: (ft_scaled if h >= ft else int(h * scale)) for h in hours}
    return scaled, ft_scaled * sub.period.days


def check_fte_total(unweighted: Decimal, total_fte: Decimal) -> None:
    """Target-group FTE (unweighted, as counted) may not exceed totalFte (spec §2.1)."""
    if unweighted > total_fte + TOLERANCE:
        raise SubmissionInvalid([{
            "name": "employees",
            "reason": f"De doelgroep telt samen {_dutch_fte(unweighted)} FTE (ongewogen), meer "
                      f"dan het totaal van de organisatie ({_dutch_fte(total_fte)} FTE)."}])


def _dutch_fte(value: Decimal) -> str:
    return dutch_decimal(value, 2)


def _note(days: int, note: str | None, why: Limit | None, last: int | None,
          lo: int) -> str | None:
    parts = [note] if note else []
    if why is not None and last is not None:  # set together
        when = date.fromordinal(last).isoformat()
        if last < lo:
            parts.append(f"telvenster ({why.label}) eindigde op {when}; "
                         "telt niet mee in deze periode")
        else:
            parts.append(f"telt tot en met {when} ({why.label})")
    elif days == 0:
        parts.append("niet in dienst tijdens de periode")
    return "; ".join(parts) if parts else None


def amsterdam_today() -> date:
    """Today in the Netherlands (the scheme's day), not the host's."""
    return datetime.now(AMSTERDAM).date()


def _score(sub: Submission, rb: Rulebook, today: date | None = None,
           quality_answered: bool = True) -> dict[str, Any]:
    T = sub.total_fte
    ps, pe = sub.period.start.toordinal(), sub.period.end.toordinal()
    scaled, q = _hours_scale(sub)
    qw = q * rb.weight_scale
    combos = rb.combos
    reg_positions, p30_positions = rb.register_positions, rb.pso30_positions
    p30_contracts, p30_flag = rb.pso30_contracts, rb.pso30_register_flag

    employees = []
    n_direct = n_all = n_register = n_p30 = 0  # numerators over q (over qw for n_direct)
    for e in sub.employees:
        pos, con = e.starting_position, e.contract_type
        combo = combos[pos][con]
        # (conditionals rather than max()/min(): this loop is the engine's hot path)
        lo = e.employment_start.toordinal()
        lo = lo if lo > ps else ps  # noqa: FURB136
        hi = pe
        if e.employment_end is not None:
            end = e.employment_end.toordinal()
            hi = end if end < pe else pe  # noqa: FURB136
        # Counting window: the earliest limit wins; a limit without its date does not apply.
        best = why = None
        for years, start, extend, until, lim in combo[5]:
            if until is not None:
                d = getattr(e, until)
                if d is None:
                    continue
                last = d.toordinal()
            else:
                base = getattr(e, start)
                if base is None:
                    continue
                last = add_years(base, years).toordinal() - 1  # exclusive end
                if extend is not None:
                    ext = getattr(e, extend)
                    if ext is not None and ext.toordinal() > last:
                        last = ext.toordinal()
            if best is None or last < best:
                best, why = last, lim
        if best is not None and best < hi:
            hi = best  # the window, not the employment or the period, ends the counting
        else:
            why = None
        days = hi - lo + 1 if hi >= lo else 0
        n = scaled[e.hours_per_week] * days
        nw = n * combo[1]
        n_direct += nw
        n_all += n
        in_register = e.in_target_group_register
        if in_register or pos in reg_positions:
            n_register += n
        if (pos in p30_positions or (p30_flag and in_register)) and con in p30_contracts:
            n_p30 += n
        employees.append({
            "reference": e.reference,
            "startingPosition": pos,
            "contractType": con,
            "countedDays": days,
            "fte": n / q,  # int / int: the correctly rounded float of the exact value
            "positionWeight": combo[3],
            "contractWeight": combo[4],
            "weight": combo[2],
            "weightedFte": nw / qw,
            "note": _note(days, combo[6], why, best, lo)
                    if (why is not None or combo[6] or not days) else None,
        })
    dq = Decimal(q)
    check_fte_total(Decimal(n_all) / dq, T)
    direct = Decimal(n_direct) / Decimal(qw)

    purchases = []
    indirect = ZERO
    for p in sub.purchases:
        att = (p.invoice_amount * p.supplier_fte * p.supplier_direct_pct
               / (p.supplier_turnover * HUNDRED))
        indirect += att
        purchases.append({"supplierName": p.supplier_name, "supplierKvk": p.supplier_kvk,
                          "supplierKind": p.supplier_kind, "attributedFte": float(att)})

    direct_pct, indirect_pct, capped, total = total_pct(direct, indirect, T, rb.cap_factor)

    eligible = T >= rb.minimum_total_fte
    reasons = [] if eligible else [(
        f"De organisatie heeft {fte_text(T)} FTE; de PSO vraagt minimaal "
        f"{fte_text(rb.minimum_total_fte)} FTE.")]
    thresholds = rb.thresholds(T)
    quantitative = "none"
    if eligible:
        for rung in rb.rungs:
            if reaches(total, thresholds[rung]):
                quantitative = rung
    ql = sub.quality
    failed = [name for name, ok in zip(QUALITY_CRITERIA, (ql.suitable_work, ql.integration,
                                                           ql.development, ql.guidance),
                                       strict=True) if not ok]
    as_of = sub.as_of or today or amsterdam_today()
    if not eligible:
        rung = "none"
    elif quantitative != "none" and not failed:
        rung = quantitative
    else:
        rung = "aspirant" if _plan_ok(sub, rb, as_of) else "none"

    p30_eval = rung == rb.pso30_rung
    p30_pct = Decimal(n_p30) / dq * HUNDRED / T if p30_eval else None

    next_rung: dict[str, Any] | None = None
    extra: Decimal | None = None
    if eligible and quantitative != rb.rungs[-1]:
        # the rung just above the quantitative one (rungs are listed lowest first)
        target = rb.rungs[rb.rungs.index(quantitative) + 1 if quantitative != "none" else 0]
        extra = additional_fte(direct, indirect, T, rb, target)
        next_rung = {"rung": target, "thresholdPct": float(thresholds[target]),
                     "additionalFte": None if extra is None else float(extra)}

    result = {
        "rulebook": rb.id,
        "indicative": rb.indicative,
        "asOf": as_of.isoformat(),
        "eligible": eligible,
        "ineligibleReasons": reasons,
        "sizeFte": float(T),
        "directFte": n_direct / qw,
        "directPct": float(direct_pct),
        "indirectFte": float(indirect),
        "indirectPct": float(indirect_pct),
        "indirectPctCapped": float(capped),
        "totalPct": float(total),
        "thresholds": {r: float(v) for r, v in thresholds.items()},
        "quantitativeRung": quantitative,
        "qualityPassed": not failed,
        "failedQualityCriteria": failed,
        "rung": rung,
        "pso30Plus": {"evaluated": p30_eval,
                      "pct": None if p30_pct is None else float(p30_pct),
                      # exactly pct ≥ 30 (spec §2.4 step 4): the tolerance is for rung thresholds
                      "qualifies": p30_pct is not None and p30_pct >= rb.pso30_min_pct},
        "targetGroupRegisterPct": float(Decimal(n_register) / dq * HUNDRED / T),
        "nextRung": next_rung,
        "employees": employees,
        "purchases": purchases,
        "assumptions": [a["note"] for a in rb.assumptions],
    }
    exact = {"sizeFte": T, "directFte": direct, "directPct": direct_pct,
             "indirectFte": indirect, "indirectPct": indirect_pct, "indirectPctCapped": capped,
             "totalPct": total, "thresholds": thresholds, "pso30Pct": p30_pct,
             "nextThreshold": None if next_rung is None else thresholds[next_rung["rung"]],
             "additionalFte": extra}
    result["explanation"] = explain(sub, rb, result, as_of, exact,
                                    quality_answered=quality_answered)
    return result


def _plan_ok(sub: Submission, rb: Rulebook, as_of: date) -> bool:
    """Aspirant rule: board-approved plan for trede1-3 with a target date in (asOf, asOf + 2y]."""
    plan = sub.action_plan
    return (plan is not None and plan.board_approved
            and plan.target_rung in rb.plan_target_rungs
            and as_of < plan.target_date <= add_years(as_of, rb.plan_max_years))
