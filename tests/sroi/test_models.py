"""Valuation models as data (SPEC §8.1): the packaged files, their figures, the checks on load."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources

import pytest

from sroi.model import ModelError, build, model_json, packaged_model, packaged_models

# The figures as published (shared/background/sroi-bouwblokken.md): code -> (kind, value,
# countsForMonths). A purchase's value is its share in percent.
OOST_V05 = {
    "pw-kort": ("placement", "30000", 24), "pw-lang": ("placement", "40000", 24),
    "doelgroep": ("placement", "40000", None), "ww-kort": ("placement", "10000", 12),
    "ww-lang": ("placement", "15000", 12), "nug": ("placement", "10000", 12),
    "werkervaring": ("work_experience", "750", None),
    "bbl-1-2": ("apprenticeship", "20000", None),
}
UTRECHT_A = {
    "pw-kort": ("placement", "30000", None), "pw-lang": ("placement", "40000", None),
    "ww-kort": ("placement", "15000", None), "ww-lang": ("placement", "20000", None),
    "wia-wao": ("placement", "30000", None), "banenafspraak": ("placement", "35000", None),
    "nug": ("placement", "10000", None), "wsw-inzet": ("purchase", "100", None),
    "vast": ("bonus", "10000", None), "50plus": ("bonus", "5000", None),
    "bbl": ("apprenticeship", "15000", None), "bol": ("apprenticeship", "10000", None),
    "maatschappelijk": ("activity", "100", None),
    "sociale-onderneming": ("purchase", "100", None),
}
UTRECHT_B = {
    "pw": ("placement", "40000", None), "banenafspraak": ("placement", "50000", None),
    "wia-wao": ("placement", "40000", None), "ww": ("placement", "20000", None),
    "nug": ("placement", "10000", None), "praktijkplaats": ("apprenticeship", "35000", None),
    "mbo-bbl": ("apprenticeship", "35000", None), "mbo-bol": ("apprenticeship", "20000", None),
    "50plus": ("bonus", "10000", None), "statushouder": ("bonus", "10000", None),
    "vast": ("bonus", "10000", None), "sociale-onderneming": ("purchase", "100", None),
    "kennis": ("activity", "100", None),
}


@pytest.mark.parametrize(("model_id", "figures"), [
    ("oost-nederland-v05", OOST_V05), ("utrecht-a", UTRECHT_A), ("utrecht-b", UTRECHT_B)])
def test_packaged_figures_are_the_published_ones(model_id, figures) -> None:
    model = packaged_model(model_id)
    assert model is not None
    found = {b.code: (b.kind, b.value, b.counts_for_months) for b in model.blocks.values()}
    assert found == {c: (k, Decimal(v), m) for c, (k, v, m) in figures.items()}
    assert model.full_time_hours == Decimal(36)
    assert model.source.endswith(".") and ("utrecht.nl" in model.source
                                           or "impactoost.nl" in model.source)


def test_oost_nederland_names_and_dates() -> None:
    model = packaged_model("oost-nederland-v05")
    assert model.name == "Uniform Bouwblokkenmodel Oost-Nederland V05"
    assert model.valid_from.isoformat() == "2023-04-01"
    assert model.blocks["pw-kort"].label == "Participatiewet < 2 jaar"


def test_every_packaged_file_loads_and_round_trips() -> None:
    files = [e for e in resources.files("sroi.models").iterdir() if e.name.endswith(".json")]
    assert len(files) == len(packaged_models()) >= 3
    for model in packaged_models().values():
        assert build(json.loads(json.dumps(model_json(model)))) == model


def _raw(model_id: str = "oost-nederland-v05") -> dict:
    return copy.deepcopy(model_json(packaged_model(model_id)))


def test_unknown_kind_refuses_and_names_the_block() -> None:
    raw = _raw()
    raw["blocks"][3]["kind"] = "placment"
    with pytest.raises(ModelError) as caught:
        build(raw)
    assert "Bouwblok 'ww-kort'" in str(caught.value)
    assert caught.value.errors == [{"name": "blocks[3].kind",
                                    "reason": "Bouwblok 'ww-kort': onbekende soort 'placment'."}]


def test_negative_value_refuses_and_names_the_block() -> None:
    raw = _raw("utrecht-a")
    raw["blocks"][9]["value"] = "-5000"
    with pytest.raises(ModelError) as caught:
        build(raw)
    assert caught.value.errors == [{"name": "blocks[9].value",
                                    "reason": "Bouwblok '50plus': de waarde mag niet negatief zijn."}]


@pytest.mark.parametrize(("change", "name"), [
    (lambda r: r["blocks"][0].update(value=30000.5), "blocks[0].value"),  # a float
    (lambda r: r["blocks"][0].update(countsForMonths=0), "blocks[0].countsForMonths"),
    (lambda r: r["blocks"][6].update(countsForMonths=6), "blocks[6].countsForMonths"),
    (lambda r: r["blocks"][1].update(code="pw-kort"), "blocks[1].code"),
    (lambda r: r["blocks"][0].update(extra=1), "blocks[0].extra"),
    (lambda r: r["blocks"][0].update(label=" "), "blocks[0].label"),
    (lambda r: r.update(fullTimeHours="0"), "fullTimeHours"),
    (lambda r: r.update(validFrom="april 2023"), "validFrom"),
    (lambda r: r.update(blocks=[]), "blocks"),
    (lambda r: r.pop("source"), "source"),
])
def test_other_faults_refuse(change, name) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(ModelError) as caught:
        build(raw)
    assert [e["name"] for e in caught.value.errors] == [name]
    assert all(e["reason"][0].isupper() and e["reason"].endswith(".")
               for e in caught.value.errors)


def test_purchase_share_is_at_most_100_percent() -> None:
    raw = _raw("utrecht-a")
    raw["blocks"][7]["sharePct"] = "100.5"
    with pytest.raises(ModelError, match="wsw-inzet"):
        build(raw)
