"""The CBS list and how typed names become codes (pso/text/municipalities.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

from pso.services.municipalities import size_limit
from pso.text import municipalities as cbs
from tests.wording import is_sentence


def test_the_list_is_versioned_data_with_its_source() -> None:
    data = json.loads(resources.files("pso.data").joinpath("municipalities.json")
                      .read_text("utf-8"))
    assert data["valid_from"] == "2026-01-01" and "CBS" in data["source"]
    current = data["municipalities"]
    assert len(current) == 342 and len(set(current.values())) == 342
    # The mergers of recent years: the new municipalities are there, the old ones former.
    assert current["GM1992"] == "Voorne aan Zee" and current["GM1980"] == "Dijk en Waard"
    for old, into in (("GM0501", "GM1992"), ("GM0457", "GM0363"), ("GM0398", "GM1980")):
        assert old not in current and data["former"][old]["merged_into"] == into
    assert all(code in current for code in data["aliases"].values())


def test_names_are_found_in_any_spelling() -> None:
    assert cbs.find("Apeldoorn") == ("GM0200", None)
    assert cbs.find("  zutphen ") == ("GM0301", None)
    assert cbs.find("Sudwest-Fryslan") == ("GM1900", None)  # accents optional
    assert cbs.find("Den Haag") == ("GM0518", None)
    assert cbs.find("gm0200") == ("GM0200", None)
    assert cbs.find("Hengelo") == ("GM0164", None)


def test_what_is_no_municipality_says_why() -> None:
    cases = {"Bergen": "Er zijn meer gemeenten Bergen: kies Bergen (NH.) of Bergen (L.).",
             "Apeldorn": "De gemeente 'Apeldorn' kennen wij niet. Bedoelt u Apeldoorn?",
             "Weesp": "De gemeente 'Weesp' kennen wij niet.",
             "GM0457": "De gemeente Weesp bestaat niet meer; kies Amsterdam.",
             "GM9999": "Er is geen gemeente met code GM9999."}
    for typed, reason in cases.items():
        code, said = cbs.find(typed)
        assert code is None and said == reason and is_sentence(said), (typed, said)
    assert cbs.chosen("") == ("", "Kies een gemeente.")


def test_a_list_of_names_including_one_with_commas() -> None:
    codes, reasons = cbs.find_all("Apeldoorn, Zutphen; Nuenen, Gerwen en Nederwetten\nEpe, Apeldoorn")
    assert codes == ["GM0200", "GM0301", "GM0820", "GM0232"] and reasons == []
    codes, reasons = cbs.find_all("Apeldoorn, Zutfen, Bergen")
    assert codes == ["GM0200"]
    assert reasons == ["De gemeente 'Zutfen' kennen wij niet. Bedoelt u Zutphen?",
                       "Er zijn meer gemeenten Bergen: kies Bergen (NH.) of Bergen (L.)."]
    assert cbs.listed(["GM0200", "GM0301"]) == "Apeldoorn, Zutphen"


def test_former_codes_keep_their_name_and_choices_are_alphabetical() -> None:
    assert cbs.name_of("GM0457") == "Weesp" and cbs.name_of("GM0363") == "Amsterdam"
    assert cbs.name_of("GM9999") == "GM9999"
    names = list(cbs.choices().values())
    assert names[0] == "Aa en Hunze" and len(names) == 342
    assert names.index("'s-Gravenhage") > names.index("Rotterdam")  # sorted as "s-Gravenhage"


def test_size_rule_in_words() -> None:
    # Sizes carry two decimals and the maximum counts (fte > max is refused).
    assert size_limit(Decimal("249.99")) == "minder dan 250 fte"
    assert size_limit(Decimal(50)) == "ten hoogste 50 fte"
    assert size_limit(Decimal(100)) == "ten hoogste 100 fte"
    assert size_limit(Decimal("12.5")) == "ten hoogste 12,5 fte"
