"""The access policy as a roles × resources matrix (pso/services/access.py): per role and
resource, whether it sees every row, only its own party's, or none. Unknown roles see
nothing. The SQL filters agree with these predicates (test_access_parity.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pso.auth import ROLES, SYSTEM, Actor
from pso.db.models import (
    Assessment,
    AssessmentDocument,
    Certificate,
    Organization,
    Tender,
    TenderAward,
    Voucher,
    VoucherScheme,
)
from pso.services import access

MINE, THEIRS = "11111111", "22222222"
GM_MINE, GM_THEIRS = "GM0363", "GM0599"
PARTY_MINE, PARTY_THEIRS = 7, 8
UNKNOWN = ("visitor", "", "Admin", "systeem")

# Every actor carries all of "its own" party's marks (KvK, municipality, party, token id), so
# what it sees follows from its role alone.
ACTORS = {
    role: Actor(
        PARTY_MINE, f"test {role}", role, kvk=MINE, municipality_code=GM_MINE, party_id=PARTY_MINE
    )
    for role in (*ROLES, *UNKNOWN)
} | {"system": SYSTEM}

ALL, OWN, NONE = "all", "own", "none"
EXPECTED: dict[str, dict[str, str]] = {
    "assessment": {"admin": ALL, "system": ALL, "company": OWN, "auditor": OWN},
    "document": {"admin": ALL, "system": ALL, "company": OWN, "auditor": OWN},
    "certificate": {"admin": ALL, "system": ALL, "auditor": OWN},
    "voucher": {"system": ALL, "auditor": ALL, "company": OWN, "municipality": OWN},
    "scheme": {"admin": ALL, "system": ALL, "company": ALL, "municipality": OWN},
    "tender": {"admin": ALL, "system": ALL, "procurement": OWN},
    "contract": {"admin": ALL, "system": ALL, "procurement": OWN, "company": OWN},
}


def _org(kvk: str) -> Organization:
    return Organization(kvk=kvk, name=f"Org {kvk}", municipality_code=GM_MINE, kind="company")


def _assessment(mine: bool, status: str = "submitted") -> Assessment:
    return Assessment(
        id=1 if mine else 2,
        organization=_org(MINE if mine else THEIRS),
        status=status,
        certifying_body_id=PARTY_MINE if mine else PARTY_THEIRS,
    )


def _tender(mine: bool) -> Tender:
    return Tender(
        id=1,
        party_id=PARTY_MINE if mine else PARTY_THEIRS,
        owner_id=PARTY_MINE if mine else PARTY_THEIRS,
    )


def row(resource: str, mine: bool) -> Any:
    """A row of the resource that belongs to the actors' own party, or to another."""
    if resource == "assessment":
        return _assessment(mine)
    if resource == "document":
        found = _assessment(mine)
        return AssessmentDocument(id=1, assessment_id=found.id), found
    if resource == "certificate":
        return Certificate(certifying_body_id=PARTY_MINE if mine else PARTY_THEIRS)
    scheme = VoucherScheme(municipality_code=GM_MINE if mine else GM_THEIRS)
    if resource == "scheme":
        return scheme
    if resource == "voucher":
        return Voucher(scheme=scheme, organization=_org(MINE if mine else THEIRS))
    if resource == "tender":
        return _tender(mine)
    assert resource == "contract"
    return _tender(mine), TenderAward(kvk=MINE if mine else THEIRS)


def sees(resource: str, actor: Actor) -> str:
    rule = access.rule(resource, actor)
    own, other = rule.sees(actor, row(resource, True)), rule.sees(actor, row(resource, False))
    assert own or not other, f"{actor.role} sees others' {resource} but not its own"
    return ALL if other else OWN if own else NONE


def test_the_policy_names_every_resource_and_only_known_roles() -> None:
    assert set(access.POLICY) == set(EXPECTED)
    for resource, table in access.POLICY.items():
        assert set(table) <= {*ROLES, "system"}, resource


@pytest.mark.parametrize("resource", sorted(EXPECTED))
@pytest.mark.parametrize("role", [*ROLES, "system", *UNKNOWN])
def test_matrix(resource: str, role: str) -> None:
    assert sees(resource, ACTORS[role]) == EXPECTED[resource].get(role, NONE)


@pytest.mark.parametrize("resource", sorted(EXPECTED))
def test_a_missing_mark_of_ones_own_party_sees_nothing_of_its_own(resource: str) -> None:
    """A company token without a KvK number, a municipality without its code, a person without
    a party: no `None == None` match gives it rows that name no party."""
    for role, expected in EXPECTED[resource].items():
        if expected != OWN:
            continue
        bare = replace(ACTORS[role], id=None, kvk=None, municipality_code=None, party_id=None)
        assert sees(resource, bare) == NONE, (resource, role)


def test_an_auditor_sees_what_is_addressed_to_no_body_but_no_draft() -> None:
    auditor = ACTORS["auditor"]
    unaddressed = replace(auditor, party_id=None)
    for who in (auditor, unaddressed):
        assert access.may_see_assessment(
            who, Assessment(organization=_org(THEIRS), status="submitted", certifying_body_id=None)
        )
        assert access.may_see_certificate(who, Certificate(certifying_body_id=None))
    for status in ("draft",):
        assert not access.may_see_assessment(auditor, _assessment(True, status))
    assert access.may_see_assessment(ACTORS["company"], _assessment(True, "draft"))


def test_a_document_follows_only_its_own_application() -> None:
    company = ACTORS["company"]
    mine = _assessment(True)
    assert access.may_see_document(company, AssessmentDocument(assessment_id=mine.id), mine)
    assert not access.may_see_document(company, AssessmentDocument(assessment_id=99), mine)
