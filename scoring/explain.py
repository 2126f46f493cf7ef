"""Plain-Dutch explanation of a score: how the rung was reached, what the next one needs.

Works from the finished result (floats); the text rounds to two decimals for reading only.
"""
from __future__ import annotations

from datetime import date

RUNG_NAMES = {"none": "geen trede", "aspirant": "aspirant-status", "basistrede": "de basistrede",
              "trede1": "trede 1", "trede2": "trede 2", "trede3": "trede 3"}
SHORT_NAMES = {"basistrede": "basistrede", "trede1": "trede 1", "trede2": "trede 2",
               "trede3": "trede 3"}
QUALITY_NAMES = {"suitableWork": "passend werk", "integration": "integratie",
                 "development": "functioneren en ontwikkeling", "guidance": "begeleiding"}


def pct(value: float) -> str:
    """Dutch notation, two decimals: 6,45."""
    return f"{value:.2f}".replace(".", ",")


def fte(value: float) -> str:
    """Dutch notation, at most two decimals, no trailing zeros: 12,5."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def explain(sub, rb, res: dict, as_of: date) -> list[str]:
    out = [f"Berekend met {rb.title} ({rb.id})"
           + ("; de uitkomst is indicatief omdat enkele rekenwaarden aannames zijn."
              if rb.indicative else ".")]
    size = res["sizeFte"]
    out.append(f"Directe bijdrage: {fte(res['directFte'])} gewogen FTE uit de doelgroep op "
               f"{fte(size)} FTE = {pct(res['directPct'])} %.")
    if sub.purchases:
        suppliers = len(sub.purchases)
        text = (f"Indirecte bijdrage via inkoop bij {suppliers} "
                f"{'leverancier' if suppliers == 1 else 'leveranciers'}: "
                f"{fte(res['indirectFte'])} FTE = {pct(res['indirectPct'])} %")
        if res["indirectPctCapped"] < res["indirectPct"]:
            share = rb.cap_factor / (1 + rb.cap_factor) * 100
            text += (f", begrensd op {pct(res['indirectPctCapped'])} % omdat hoogstens "
                     f"{share:.0f} % van het totaal indirect mag zijn")
        out.append(text + ".")
    total = res["totalPct"]
    out.append(f"Totale sociale bijdrage: {pct(total)} %.")
    if not res["eligible"]:
        out.extend(res["ineligibleReasons"])
        out.append("Daarom is geen trede mogelijk.")
        return out
    thresholds = res["thresholds"]
    norms = ", ".join(f"{SHORT_NAMES[r]} {pct(v)} %" for r, v in thresholds.items())
    out.append(f"Normen bij een omvang van {fte(size)} FTE: {norms}.")
    quant = res["quantitativeRung"]
    if quant == "none":
        out.append(f"Die bijdrage haalt de norm voor {RUNG_NAMES[rb.rungs[0]]} niet.")
    else:
        out.append(f"Daarmee wordt {RUNG_NAMES[quant]} gehaald "
                   f"({pct(total)} % ≥ {pct(thresholds[quant])} %).")
    failed = res["failedQualityCriteria"]
    if failed:
        names = ", ".join(QUALITY_NAMES[f] for f in failed)
        out.append(f"Niet voldaan aan de kwaliteitseisen ({names}); zonder alle vier de eisen "
                   f"wordt geen {RUNG_NAMES[rb.rungs[0]]} of hoger toegekend.")
    rung = res["rung"]
    plan = sub.action_plan
    if rung == "aspirant":
        out.append(f"Aspirant-status op grond van het door de directie goedgekeurde plan van "
                   f"aanpak voor {RUNG_NAMES[plan.target_rung]} uiterlijk "
                   f"{plan.target_date.isoformat()}.")
    elif (quant == "none" or failed) and plan is not None:
        out.append("Het plan van aanpak geeft geen aspirant-status: het moet door de directie "
                   f"zijn goedgekeurd, trede 1, 2 of 3 als doel hebben en een streefdatum na "
                   f"{as_of.isoformat()} en binnen {rb.plan_max_years} jaar daarna.")
    out.append(f"Uitkomst: {RUNG_NAMES[rung]}.")
    p30 = res["pso30Plus"]
    if p30["evaluated"]:
        verdict = "voldoet aan PSO 30+" if p30["qualifies"] else (
            f"te weinig voor PSO 30+ (minimaal {rb.pso30_min_pct:f} %)")
        out.append(f"PSO 30+: {pct(p30['pct'])} % van het personeel hoort tot de "
                   f"30+-doelgroep; {verdict}.")
    nxt = res["nextRung"]
    if nxt is None:
        out.append(f"{RUNG_NAMES[quant].capitalize()} is de hoogste trede.")
    elif nxt["additionalFte"] is None:
        out.append(f"Voor {RUNG_NAMES[nxt['rung']]} is met nieuwe medewerkers alleen geen "
                   "haalbare route binnen de rekengrens.")
    else:
        out.append(f"Voor {RUNG_NAMES[nxt['rung']]} (norm nu {pct(nxt['thresholdPct'])} %) "
                   f"is {fte(nxt['additionalFte'])} FTE extra nodig aan nieuwe medewerkers uit "
                   "de doelgroep (gewicht 1, regulier contract, de hele periode in dienst)"
                   + (" en moet aan alle kwaliteitseisen zijn voldaan." if failed else "."))
    return out
