"""Rulebook data: discovery, selection, checks, and the result fields that name them."""
import copy
import json
from datetime import date
from importlib import resources

import pytest

from scoring import RulebookError, all_rulebooks, get_rulebook, rulebook_for
from scoring.rulebook import build

from .helpers import emp, run, submission


def _data(name: str) -> dict:
    return json.loads((resources.files("scoring.rulebooks") / f"{name}.json").read_text("utf-8"))


def test_every_file_in_the_folder_is_loaded():
    files = {p.name[:-5] for p in resources.files("scoring.rulebooks").iterdir()
             if p.name.endswith(".json")}
    assert files == set(all_rulebooks()) >= {"pso-2.1", "pso-1.8"}


@pytest.mark.parametrize("day,expected", [
    ("2019-03-31", None), ("2019-04-01", "pso-1.8"), ("2023-03-31", "pso-1.8"),
    ("2023-04-01", "pso-2.1"), ("2030-12-31", "pso-2.1"),
])
def test_rulebook_in_force(day, expected):
    rb = rulebook_for(date.fromisoformat(day))
    assert (rb.id if rb else None) == expected


def test_selection_by_period_end_and_by_name():
    # period 2022-04-01..2023-03-31 ends under 1.8; a period ending 2023-04-01 under 2.1
    r = run(submission([emp()], start="2022-04-01", end="2023-03-31"))
    assert r["rulebook"] == "pso-1.8" and "basistrede" not in r["thresholds"]
    r = run(submission([emp()], start="2022-04-02", end="2023-04-01"))
    assert r["rulebook"] == "pso-2.1"
    r = run(submission([emp()], rulebook="pso-1.8"))
    assert r["rulebook"] == "pso-1.8"
    # the argument overrides the submission's field
    r = run(submission([emp()], rulebook="pso-1.8"), rulebook="pso-2.1")
    assert r["rulebook"] == "pso-2.1"


def test_indicative_and_assumption_notes():
    r = run(submission([emp()]))
    assert r["indicative"] is True and any("aanname" in n for n in r["assumptions"])
    rb = get_rulebook("pso-2.1")
    keys = {a["key"] for a in rb.assumptions}
    assert {"startingPositions.bbl_bol_3.weight", "startingPositions.ww.window",
            "norms.interpolation", "basistredeFactor"} <= keys


def test_rulebook_without_assumptions_is_not_indicative():
    data = _data("pso-2.1")
    data["assumptions"] = []
    assert build(data).indicative is False


def test_new_year_is_a_data_change():
    # A hypothetical pso-2.2: other weight, other window, other norms; no code involved.
    data = _data("pso-2.1")
    data.update(id="pso-2.2", validFrom="2025-04-01")
    data["startingPositions"]["ww"] = {"weight": "0.8", "window": [{"years": 3}]}
    data["norms"]["rows"][0] = ["2", "20", "27", "32"]
    rb = build(data)
    from scoring import parse_submission, score
    sub = parse_submission(submission([emp(position="ww", start="2022-01-01")], total="2"))
    r = score(sub, rb)
    # ww from 2022-01-01, 3 years -> last 2024-12-31: whole year, weight 0.8 -> 40 % at size 2
    assert r["rulebook"] == "pso-2.2" and r["employees"][0]["weightedFte"] == 0.8
    assert r["thresholds"]["trede1"] == 20.0


@pytest.mark.parametrize("breakage", [
    lambda d: d["norms"]["rows"].__setitem__(1, ["5", "22", "28", "33"]),  # trede1 rises
    lambda d: d["norms"]["rows"].__setitem__(1, ["5", "12.6", "23", "22"]),  # row unordered
    lambda d: d["norms"]["rows"].__setitem__(0, ["2", "21.4", "28.0", "76"]),  # above 75
    lambda d: d["startingPositions"]["ww"].update(weight="1.5"),
    lambda d: d["startingPositions"].pop("ww"),
    lambda d: d["contractTypes"]["trial"].update(window=[{"years": 1, "until": "schoolLeftOn"}]),
    lambda d: d["contractTypes"]["trial"].update(window=[{"until": "birthday"}]),
    lambda d: d["startingPositions"]["ww"].update(weight=0.75),  # numbers must be strings
    lambda d: d.update(basistredeFactor="1.2"),
])
def test_bad_rulebook_data_is_refused(breakage):
    data = copy.deepcopy(_data("pso-2.1"))
    breakage(data)
    with pytest.raises((RulebookError, KeyError, ValueError)):
        build(data)
