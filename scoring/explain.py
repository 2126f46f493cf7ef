"""Plain-Dutch explanation of a score: how the rung was reached, what the next one needs.

Every figure comes from the engine's exact Decimals (`fig`), rounded half-up by
`scoring.notation`, the formatter the pages and PDFs use too, so the text and the tables
beside it never disagree.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .notation import percentage, short

if TYPE_CHECKING:
    from .model import Submission
    from .rulebook import Rulebook

RUNG_NAMES = {"none": "geen trede", "aspirant": "aspirant-status", "basistrede": "de basistrede",
              "trede1": "trede 1", "trede2": "trede 2", "trede3": "trede 3"}
SHORT_NAMES = {"basistrede": "basistrede", "trede1": "trede 1", "trede2": "trede 2",
               "trede3": "trede 3"}
QUALITY_NAMES = {"suitableWork": "passend werk", "integration": "integratie",
                 "development": "functioneren en ontwikkeling", "guidance": "begeleiding"}


def pct(value: Decimal) -> str:
    """Dutch notation, two decimals, half-up: 6,45 %."""
    return percentage(value, 2)


def fte(value: Decimal) -> str:
    """Dutch notation, at most two decimals, no trailing zeros: 12,5."""
    return short(value, 2)


def lowest_rung_text(rb: Rulebook) -> str:
    return f"{RUNG_NAMES[rb.rungs[0]]} of een hogere trede"


def explain(sub: Submission, rb: Rulebook, res: dict[str, Any], as_of: date,
            fig: dict[str, Any], *,
            quality_answered: bool = True) -> list[str]:
    """`fig`: the exact figures (Decimal) behind `res`'s floats. `quality_answered=False`
    (a draft before its quality questions): say what the numbers reach and that the rung is
    granted once the quality questions are answered, instead of judging unanswered ones."""
    out = [f"Berekend met {rb.title} ({rb.id})"
           + ("; de uitkomst is indicatief omdat enkele rekenwaarden aannames zijn."
              if rb.indicative else ".")]
    size = fig["sizeFte"]
    out.append(f"Directe bijdrage: {fte(fig['directFte'])} gewogen FTE uit de doelgroep op "
               f"{fte(size)} FTE = {pct(fig['directPct'])}.")
    if sub.purchases:
        suppliers = len(sub.purchases)
        text = (f"Indirecte bijdrage via inkoop bij {suppliers} "
                f"{'leverancier' if suppliers == 1 else 'leveranciers'}: "
                f"{fte(fig['indirectFte'])} FTE = {pct(fig['indirectPct'])}")
        if fig["indirectPctCapped"] < fig["indirectPct"]:
            share = rb.cap_factor / (1 + rb.cap_factor) * 100
            text += (f", begrensd op {pct(fig['indirectPctCapped'])} omdat hoogstens "
                     f"{percentage(share, 0)} van het totaal indirect mag zijn")
        out.append(text + ".")
    out.append(f"Totale sociale bijdrage: {pct(fig['totalPct'])}.")
    if not res["eligible"]:
        out.extend(res["ineligibleReasons"])
        out.append("Daarom is geen trede mogelijk.")
        return out
    thresholds = fig["thresholds"]
    norms = ", ".join(f"{SHORT_NAMES[r]} {pct(v)}" for r, v in thresholds.items())
    out.append(f"Normen bij een omvang van {fte(size)} FTE: {norms}.")
    quant = res["quantitativeRung"]
    if quant == "none":
        out.append(f"Die bijdrage haalt de norm voor {RUNG_NAMES[rb.rungs[0]]} niet.")
    else:
        out.append(f"Op grond van de cijfers wordt {RUNG_NAMES[quant]} gehaald "
                   f"({pct(fig['totalPct'])} ≥ {pct(thresholds[quant])}).")
    failed = res["failedQualityCriteria"] if quality_answered else []
    pending = not quality_answered and quant != "none"
    if failed:
        names = ", ".join(QUALITY_NAMES[f] for f in failed)
        out.append(f"Niet voldaan aan de kwaliteitseisen ({names}); zonder alle vier de eisen "
                   f"wordt {lowest_rung_text(rb)} niet toegekend.")
    rung = res["rung"]
    plan = sub.action_plan
    if pending:
        out.append(f"De kwaliteitsvragen (stap 5) zijn nog niet beantwoord: {RUNG_NAMES[quant]} "
                   "wordt toegekend als aan alle vier de kwaliteitseisen is voldaan.")
    elif rung == "aspirant" and plan is not None:  # aspirant comes from a plan
        out.append(f"Aspirant-status op grond van het door de directie goedgekeurde plan van "
                   f"aanpak voor {RUNG_NAMES[plan.target_rung]} uiterlijk "
                   f"{plan.target_date.isoformat()}.")
    elif (quant == "none" or failed) and plan is not None:
        out.append("Het plan van aanpak geeft geen aspirant-status: het moet door de directie "
                   f"zijn goedgekeurd, trede 1, 2 of 3 als doel hebben en een streefdatum na "
                   f"{as_of.isoformat()} en binnen {rb.plan_max_years} jaar daarna.")
    if not pending:
        out.append(f"Uitkomst: {RUNG_NAMES[rung]}.")
    p30 = res["pso30Plus"]
    if p30["evaluated"]:
        verdict = "voldoet aan PSO 30+" if p30["qualifies"] else (
            f"te weinig voor PSO 30+ (minimaal {percentage(rb.pso30_min_pct, 0)})")
        out.append(f"PSO 30+: {pct(fig['pso30Pct'])} van het personeel hoort tot de "
                   f"30+-doelgroep; {verdict}.")
    nxt = res["nextRung"]
    if nxt is None:
        out.append(f"{RUNG_NAMES[quant].capitalize()} is de hoogste trede.")
    elif nxt["additionalFte"] is None:
        out.append(f"Voor {RUNG_NAMES[nxt['rung']]} is met nieuwe medewerkers alleen geen "
                   "haalbare route binnen de rekengrens.")
    else:
        out.append(f"Voor {RUNG_NAMES[nxt['rung']]} (norm nu {pct(fig['nextThreshold'])}) "
                   f"is {fte(fig['additionalFte'])} FTE extra nodig aan nieuwe medewerkers uit "
                   "de doelgroep (gewicht 1, regulier contract, de hele periode in dienst)"
                   + (" en moet aan alle kwaliteitseisen zijn voldaan." if failed else "."))
    return out
