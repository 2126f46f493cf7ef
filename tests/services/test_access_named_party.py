"""A request that names a party (pso/services/access.py): a company acts only for its own KvK
number and a municipality only for its own code (403); other roles are decided by the rule of
the object they act on. Found by mutation testing (docs/testing.md): no test in the access
set reached the municipality's check, and both orders of the values are needed."""

from __future__ import annotations

import pytest

from pso.auth import Actor
from pso.errors import Forbidden
from pso.services.access import ensure_kvk_access, ensure_municipality_access

ORDERS = [("GM0363", "GM0599"), ("GM0599", "GM0363")]


@pytest.mark.parametrize(("own", "named"), ORDERS)
def test_a_municipality_acts_only_for_its_own_code(own: str, named: str) -> None:
    municipality = Actor(1, "gemeente", "municipality", municipality_code=own)
    ensure_municipality_access(municipality, own)
    with pytest.raises(Forbidden):
        ensure_municipality_access(municipality, named)
    ensure_municipality_access(Actor(2, "bedrijf", "company", municipality_code=own), named)


@pytest.mark.parametrize(("own", "named"), [("11111111", "22222222"), ("22222222", "11111111")])
def test_a_company_acts_only_for_its_own_kvk_number(own: str, named: str) -> None:
    company = Actor(1, "bedrijf", "company", kvk=own)
    ensure_kvk_access(company, own)
    with pytest.raises(Forbidden):
        ensure_kvk_access(company, named)
    ensure_kvk_access(Actor(2, "gemeente", "municipality", kvk=own), named)
