"""Shape of the §2.5 response and the explanation."""
import json

from .helpers import ALL_GOOD, emp, purchase, run, submission

KEYS = {"rulebook", "indicative", "eligible", "ineligibleReasons", "sizeFte", "directFte",
        "directPct", "indirectFte", "indirectPct", "indirectPctCapped", "totalPct", "thresholds",
        "quantitativeRung", "qualityPassed", "failedQualityCriteria", "rung", "pso30Plus",
        "targetGroupRegisterPct", "nextRung", "employees", "purchases", "explanation"}


def test_response_shape_and_json():
    r = run(submission([emp(), emp("B", "ww", hours="20", start="2023-01-01")],
                       purchases=[purchase()]))
    assert KEYS <= set(r)
    assert {"reference", "countedDays", "fte", "weight", "weightedFte", "note"} <= set(
        r["employees"][0])
    assert {"supplierName", "supplierKvk", "attributedFte"} <= set(r["purchases"][0])
    assert set(r["pso30Plus"]) == {"evaluated", "pct", "qualifies"}
    for key in ("sizeFte", "directFte", "directPct", "indirectFte", "indirectPct",
                "indirectPctCapped", "totalPct", "targetGroupRegisterPct"):
        assert isinstance(r[key], float), key
    assert json.loads(json.dumps(r, allow_nan=False)) == r


def test_precision_not_rounded():
    # 1 wajong 40 h in 3 FTE: 33.333...% -> more than 4 decimals survive
    r = run(submission([emp()], total="3"))
    assert abs(r["directPct"] - 100 / 3) < 1e-12


def test_explanation_is_dutch_and_says_what_is_missing():
    r = run(submission([emp(hours="36")], total="10"))
    text = " ".join(r["explanation"])
    assert "trede 2" in text and "9,00 %" in text and "0,73 FTE" in text and "trede 3" in text


def test_explanation_mentions_quality_aspirant_and_cap():
    r = run(submission([emp()], total="100", quality=dict(ALL_GOOD, guidance=False),
                       purchases=[purchase(invoice="200000", fte="100", pct="100")],
                       actionPlan={"boardApproved": True, "targetRung": "trede2",
                                   "targetDate": "2026-06-30"}))
    text = " ".join(r["explanation"])
    assert "begeleiding" in text and "aspirant" in text.lower() and "begrensd" in text
    assert r["rung"] == "aspirant"


def test_explanation_ineligible():
    r = run(submission([emp(hours="20")], total="1.5"))
    assert any("minimaal 2 FTE" in s for s in r["explanation"])
