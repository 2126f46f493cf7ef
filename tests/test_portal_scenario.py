"""The scenario panel (issue 21 item 4): with no changes it is the draft's own score, the
draft's `asOf` and rulebook kept, whatever today is."""
from __future__ import annotations

import copy
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pso import clock
from pso.services import certification, portal
from tests.scoring.test_properties import submissions


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions(), st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)))
def test_an_empty_scenario_is_the_drafts_score(data, saved_on):
    data = copy.deepcopy(data)
    data.pop("asOf")
    with clock.fixed(saved_on):  # the draft is saved on one day ...
        stored, result = certification.evaluate(data)
    # ... and the scenario asked for on another (the real today)
    assert portal.scenario(stored, [], []) == result
