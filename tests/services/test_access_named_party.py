"""A request that names a party (pso/services/access.py): a company acts only for its own KvK
number and a municipality only for its own code (403); other roles are decided by the rule of
the object they act on. Found by mutation testing (docs/testing.md): no test in the access
set reached the municipality's check, and both orders of the values are needed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pso.auth import ROLES, Actor
from pso.errors import Forbidden
from pso.services.access import ensure_kvk_access, ensure_municipality_access

PARTIES = [
    (ensure_municipality_access, "municipality", "municipality_code", "GM0363", "GM0599"),
    (ensure_kvk_access, "company", "kvk", "11111111", "22222222"),
]


@pytest.mark.parametrize("swapped", [False, True])
@pytest.mark.parametrize(("check", "role", "mark", "one", "other"), PARTIES)
def test_a_party_named_in_a_request_must_be_the_actors_own(
    check: Callable[[Actor, str], None],
    role: str,
    mark: str,
    one: str,
    other: str,
    swapped: bool,
) -> None:
    own, named = (other, one) if swapped else (one, other)
    actor = Actor(1, role, role, **{mark: own})
    check(actor, own)
    with pytest.raises(Forbidden):
        check(actor, named)
    for other_role in (r for r in ROLES if r != role):  # decided by the object's rule
        check(Actor(2, other_role, other_role, **{mark: own}), named)
