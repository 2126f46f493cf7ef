"""The one CSRF check (pso.web.csrf), walked over the app's own routes: every POST, PUT, PATCH
and DELETE outside the API, a new form included without a list to keep. Without this
browser's token a post changes nothing in the database; a signed-in person goes back to a
page with the "form expired" notice, an anonymous one to sign in (or, on a form posted
before signing in, back to that form). Both databases."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import select

from pso.db.base import Base
from pso.services import accounts
from pso.web.csrf import checked
from pso.web.session import STALE
from tests.web.test_form_wording import password_client, totp_client
from tests.web.test_mijn import visible

pytestmark = pytest.mark.anyio

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
UPLOAD = {"file": ("loonstrook.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}


def forms(app: Litestar) -> list[tuple[str, str, bool]]:
    """(method, path, needs the token) of every unsafe route outside the API."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods & set(UNSAFE)):
                found.append((method, route.path, checked(route.path, handler, method)))
    return sorted(found)


def concrete(path: str) -> str:
    """Any id will do: the token is checked before the handler looks anything up."""
    return re.sub(r"\{\w+:int\}", "1", re.sub(r"\{\w+(:str|:path)?\}", "x", path))


def role_of(path: str) -> str:
    """The role whose portal the path is in; other forms are posted by a company."""
    top = "/" + path.strip("/").split("/")[0]
    return next((role for role in accounts.HOMES if accounts.home_of(role) == top), "company")


async def stored(session_maker) -> dict[str, list[str]]:
    """Every row of every table (not when a session was last seen: a visit is noted)."""
    found = {}
    async with session_maker() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "last_seen_at"]
            found[table.name] = sorted(map(repr, (await session.execute(select(*columns)))))
    return found


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


async def assert_notice(browser, refused, method: str, path: str) -> None:
    """The refusal leads to a page with the "form expired" notice."""
    assert refused.status_code == 303, (method, path, refused.status_code)
    shown = await browser.get(refused.headers["location"], follow_redirects=False)
    if shown.status_code == 200 and "text/html" in shown.headers["content-type"]:
        assert STALE in visible(shown.text), (method, path)
    else:  # a page that sends on (/inloggen/code without a session: sign in first)
        assert shown.status_code in (303, 403, 404), (method, path, shown.status_code)


async def test_every_form_refuses_a_post_without_its_token(client, settings, session_maker) -> None:
    walked = forms(client.app)
    paths = {path for _, path, needs in walked if needs}
    # The walk reaches every portal, the forms once listed by hand as not reached included.
    assert {
        "/mijn/social-return/{tender_id:int}/regels",
        "/mijn/social-return/{tender_id:int}/bestand",
        "/inloggen",
        "/uitloggen",
        "/beheer/accounts",
        "/gemeente/regelingen",
        "/inkoop/aanbestedingen",
        "/beoordeling/aanvragen/{aid:int}/besluit",
        "/account/tokens",
    } <= paths
    browsers = {}
    try:
        for role in sorted({role_of(path) for path in paths}):
            make = totp_client if role in accounts.TOTP_REQUIRED else password_client
            browsers[role] = await make(settings, session_maker, role, f"{role}@example.nl")
        before = await stored(session_maker)
        for method, path, needs in walked:
            if not needs:
                continue
            url = concrete(path)
            browser = browsers[role_of(path)]
            for token, files in (({}, UPLOAD), ({"csrf": "vals"}, None)):
                refused = await browser.request(
                    method, url, data={"name": "X", **token}, files=files, follow_redirects=False
                )
                await assert_notice(browser, refused, method, path)
            # Not signed in: sign in first, or see the form again.
            client.cookies.clear()
            anonymous = await client.request(
                method, url, data={"csrf": "vals"}, follow_redirects=False
            )
            assert anonymous.status_code == 303, (method, path)
            signed_out = client.app.route_handler_method_map[path][method].opt.get(
                "signed_out_form"
            )
            if not signed_out:
                assert anonymous.headers["location"] == f"/inloggen?volgende={url}", path
            else:
                await assert_notice(client, anonymous, method, path)
            after = await stored(session_maker)
            assert not changed(before, after), (method, path, changed(before, after))
    finally:
        for browser in browsers.values():
            await browser.__aexit__(None, None, None)


async def test_forms_without_a_token_store_nothing(client, session_maker) -> None:
    """The public calculators take no token: their answer is a page for anyone who posts
    the same figures, and nothing is kept."""
    free = [(method, path) for method, path, needs in forms(client.app) if not needs]
    assert free, "no form without a token"
    before = await stored(session_maker)
    for method, path in free:
        answer = await client.request(
            method, concrete(path), data={"x": "1"}, follow_redirects=False
        )
        assert answer.status_code < 500, (method, path)
    assert not changed(before, await stored(session_maker))
