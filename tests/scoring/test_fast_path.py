"""The msgspec fast path (scoring/fast.py) against the pydantic path, on random input.

Valid bodies: the fast path takes them and scores exactly the same. Mutated bodies (wrong
types, numbers as JSON numbers, out of range, unknown keys, nulls, Python names, -0, ...):
either both paths give the same score, or the fast path declines and the errors are the
slow path's.
"""
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pso.api.score import score_body
from pso.errors import InvalidInput
from scoring import SubmissionInvalid, parse_submission, score
from scoring.fast import fast_parse, parse_for_scoring

from .test_properties import submissions

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

ODD_VALUES = [None, True, False, 0, -0.0, 1, 12, 38, 2.5, "1e3", 10**30, -5, "", " ", "abc",
              "12.5", " 32 ", "0", "-0", "NaN", "2024-02-30", "1899-12-31", "2200-01-01",
              "2024-01-01", "2024-1-1", "123456782", [], {}, "x" * 70, "nope", "wajong",
              "trede1", "12345678", "1234567", "pso-2.1", "pso-9"]


def _slow(raw: bytes):
    try:
        return "ok", score(parse_submission(raw, check_totals=False))
    except SubmissionInvalid as exc:
        return "invalid", exc.errors


def _fast(raw: bytes):
    try:
        return "ok", score(parse_for_scoring(raw))
    except SubmissionInvalid as exc:
        return "invalid", exc.errors


@st.composite
def mutated(draw):
    data = draw(submissions())
    for _ in range(draw(st.integers(1, 3))):
        places = [("", data)] + [(k, v) for k, v in data.items() if isinstance(v, dict)]
        for key in ("employees", "purchases"):
            items = data.get(key) if isinstance(data.get(key), list) else []
            places += [(f"{key}{i}", e) for i, e in enumerate(items) if isinstance(e, dict)]
        _, target = draw(st.sampled_from(places))
        keys = sorted(target) + ["unknownKey", "total_fte", "hours_per_week",
                                 "employmentEnd", "fullTimeHoursPerWeek", "asOf"]
        key = draw(st.sampled_from(keys))
        action = draw(st.integers(0, 3))
        if action == 0 and key in target:
            del target[key]
        elif action == 1 and isinstance(target.get(key), str):
            try:  # the same number as a JSON number
                target[key] = json.loads(target[key])
            except ValueError:
                target[key] = draw(st.sampled_from(ODD_VALUES))
        else:
            target[key] = draw(st.sampled_from(ODD_VALUES))
    return data


@SETTINGS
@given(submissions())
def test_valid_submissions_take_the_fast_path_with_equal_results(data):
    raw = json.dumps(data).encode()
    assert fast_parse(raw) is not None
    assert _fast(raw) == _slow(raw)


@SETTINGS
@given(mutated())
def test_mutated_submissions_score_or_fail_the_same_on_both_paths(data):
    raw = json.dumps(data).encode()
    assert _fast(raw) == _slow(raw)


def test_negative_zero_keeps_its_sign():
    data = {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": "10",
            "purchases": [{"supplierName": "S", "supplierKvk": "12345678",
                           "supplierKind": "sw_company", "invoiceAmount": "10",
                           "supplierTurnover": "100", "supplierFte": "5",
                           "supplierDirectPct": 0}],
            "quality": {"suitableWork": True, "integration": True, "development": True,
                        "guidance": True}, "asOf": "2025-01-01"}
    raw = json.dumps(data).replace('"supplierDirectPct": 0', '"supplierDirectPct": -0').encode()
    assert fast_parse(raw) is None
    assert _fast(raw) == _slow(raw)
    assert str(score_body(raw)["purchases"][0]["attributedFte"]) == "-0.0"


def test_invalid_json_and_errors_come_from_the_slow_path():
    for raw in (b"", b"[]", b"{", b'{"period": NaN}', json.dumps({"totalFte": 1}).encode()):
        assert fast_parse(raw) is None
        with pytest.raises(InvalidInput):
            score_body(raw)
        assert _fast(raw) == _slow(raw)


def test_whole_json_numbers_are_exact_decimals():
    data = {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": 25,
            "fullTimeHoursPerWeek": 38, "quality": {"suitableWork": True, "integration": True,
                                                    "development": True, "guidance": True}}
    sub = fast_parse(json.dumps(data).encode())
    assert sub is not None and sub.total_fte == Decimal(25)
    assert str(sub.full_time_hours_per_week) == "38"
