"""A buyer organisation's own valuation models (SPEC §8.1, POST /api/v1/sroi-models): a copy of
a published model with its own figures, checked like the packaged files, visible only to its
organisation, usable for a contract's terms."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from pso.db.models import AuditEvent, SocialReturnTerms
from tests.api.procurement_support import tokens
from tests.api.test_contract_monitoring import buyer_token
from tests.api.test_foundation import assert_problem
from tests.api.test_social_return_terms import DECLARED, TERMS, awarded_tender
from tests.conftest import count_rows
from tests.wording import unstyled

pytestmark = pytest.mark.anyio

URL = "/api/v1/sroi-models"
OWN = {"basedOn": "oost-nederland-v05", "id": "oost-eigen-2027",
       "name": "Bouwblokken Provincie 2027", "source": "Eigen besluit van 1 december 2026.",
       "validFrom": "2027-01-01"}


@pytest.fixture
async def headers(client, make_token, session_maker) -> dict[str, dict[str, str]]:
    found = await tokens(make_token)
    found["buyer"] = await buyer_token(session_maker)
    found["other_buyer"] = await buyer_token(session_maker, "ander@example.nl", "30280354")
    return found


async def own_model(client, headers) -> dict:
    base = (await client.get(f"{URL}/oost-nederland-v05", headers=headers["buyer"])).json()
    blocks = [{"code": b["code"], "label": b["label"], "kind": b["kind"],
               **({"sharePct": b["sharePct"]} if b["kind"] == "purchase" else
                  {"value": b["value"]}),
               **({"countsForMonths": b["countsForMonths"]}
                  if b["kind"] in ("placement", "apprenticeship") else {})}
              for b in base["blocks"]]
    blocks[0]["value"] = "35000"
    blocks.append({"code": "50plus", "label": "50+", "kind": "bonus", "value": "5000"})
    return {**OWN, "blocks": blocks}


async def test_a_buyer_copies_a_model_and_agrees_a_contract_under_it(
    client, headers, session_maker
) -> None:
    made = await client.post(URL, json=await own_model(client, headers), headers=headers["buyer"])
    assert made.status_code == 201, made.text
    model = made.json()
    assert (model["id"], model["name"], model["fullTimeHours"]) == (
        "oost-eigen-2027", "Bouwblokken Provincie 2027", "36")  # from basedOn
    assert model["blocks"][0]["value"] == "35000.00" and model["blocks"][-1]["kind"] == "bonus"
    listed = [m["id"] for m in (await client.get(URL, headers=headers["buyer"])).json()]
    assert listed == ["oost-nederland-v05", "utrecht-a", "utrecht-b", "oost-eigen-2027"]
    assert (await client.get(f"{URL}/oost-eigen-2027", headers=headers["buyer"])).json() == model

    # Another organisation sees none of it and may use the same id for its own.
    assert "oost-eigen-2027" not in [
        m["id"] for m in (await client.get(URL, headers=headers["other_buyer"])).json()]
    assert_problem(await client.get(f"{URL}/oost-eigen-2027", headers=headers["other_buyer"]),
                   404)

    tid = await awarded_tender(client, headers, DECLARED)
    put = await client.put(f"/api/v1/tenders/{tid}/social-return",
                           json={**TERMS, "modelId": "oost-eigen-2027"}, headers=headers["buyer"])
    assert put.status_code == 200, put.text
    assert put.json()["model"]["name"] == "Bouwblokken Provincie 2027"
    async with session_maker() as session:
        terms = await session.scalar(select(SocialReturnTerms))
        assert terms.model["blocks"][0]["value"] == "35000"
        actions = list(await session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_type == "sroi_model")))
    assert actions == ["sroi_model.created"]


async def test_a_new_version_needs_a_new_id(client, headers, session_maker) -> None:
    body = await own_model(client, headers)
    assert (await client.post(URL, json=body, headers=headers["buyer"])).status_code == 201
    again = await client.post(URL, json=body, headers=headers["buyer"])
    assert not unstyled(assert_problem(again, 409, "sroi-model-exists"))
    assert (await client.post(URL, json=body, headers=headers["other_buyer"])).status_code == 201
    assert await count_rows(session_maker, "sroi_models") == 2


@pytest.mark.parametrize(("change", "name", "words"), [
    (lambda b: b["blocks"][3].update(kind="placment"), "blocks[3].kind",
     "Bouwblok 'ww-kort': onbekende soort"),
    (lambda b: b["blocks"][0].update(value="-100"), "blocks[0].value",
     "Bouwblok 'pw-kort': de waarde mag niet negatief zijn."),
    (lambda b: b.update(id="utrecht-a"), "id", "gepubliceerd model"),
    (lambda b: b.update(id="Mijn Model!"), "id", "kleine letters"),
    (lambda b: b.update(basedOn="bestaat-niet"), "basedOn", "Onbekend waarderingsmodel"),
    (lambda b: b.update(name="Model \u202e2027"), "name", ""),
    (lambda b: b["blocks"][1].update(value=30000.5), "blocks[1].value", "geen getal"),
])
async def test_a_faulty_model_is_a_dutch_400_naming_the_block(
    client, headers, session_maker, change, name, words
) -> None:
    body = copy.deepcopy(await own_model(client, headers))
    change(body)
    refused = await client.post(URL, json=body, headers=headers["buyer"])
    problem = assert_problem(refused, 400)
    assert [p["name"] for p in problem["invalidParams"]] == [name]
    assert words in problem["invalidParams"][0]["reason"]
    assert not unstyled(problem), problem
    assert await count_rows(session_maker, "sroi_models") == 0


async def test_only_buyers_make_models(client, headers, session_maker) -> None:
    body = await own_model(client, headers)
    assert_problem(await client.post(URL, json=body, headers=headers["company"]), 403)
    assert_problem(await client.post(URL, json=body, headers=headers["admin"]), 403)
    # A first-release procurement token belongs to no organisation.
    refused = await client.post(URL, json=body, headers=headers["procurement"])
    assert not unstyled(assert_problem(refused, 403))
    assert not unstyled(assert_problem(await client.post(URL, json=[1, 2],
                                                         headers=headers["buyer"]), 400))
    assert await count_rows(session_maker, "sroi_models") == 0
