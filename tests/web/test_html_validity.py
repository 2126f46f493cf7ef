"""The account pages as a validator reads them (tests/html_checks.py on the WHATWG parse):
no attribute escaped into a value, no role on a heading, no heading level skipped; the
one-time code fields ask phones for the numeric keypad. The browser suite applies the same
checks to every page state it reaches (tests/browser/support.py)."""

from __future__ import annotations

import pyotp
import pytest
import tinyhtml5

from tests.html_checks import problems
from tests.web.test_accounts import form_post, make_account, sign_in

pytestmark = pytest.mark.anyio
NS = "{http://www.w3.org/1999/xhtml}"


def _input(html: str, element_id: str) -> dict[str, str]:
    for element in tinyhtml5.parse(html).iter(f"{NS}input"):
        if element.get("id") == element_id:
            return dict(element.attrib)
    raise AssertionError(f"no input #{element_id}")


async def test_account_pages_are_valid_html(client, session_maker) -> None:
    pages = {}
    for path in ("/inloggen", "/wachtwoord-vergeten", "/register", "/register?q=zzzz", "/"):
        pages[path] = (await client.get(path)).text
    pages["refused sign-in"] = (await form_post(client, "/inloggen", {
        "email": "niemand@example.nl", "password": "fout"})).text
    secret = pyotp.random_base32()
    await make_account(session_maker, "auditor", totp=secret)
    assert (await sign_in(client, "auditor@example.nl")).headers["location"] == "/inloggen/code"
    pages["/inloggen/code"] = (await client.get("/inloggen/code")).text
    pages["wrong code"] = (await form_post(client, "/inloggen/code", {"code": "000000"})).text
    for name, html in pages.items():
        assert problems(html) == [], name
    for name in ("/inloggen/code", "wrong code"):
        code = _input(pages[name], "code")
        assert code["inputmode"] == "numeric" and code["spellcheck"] == "false", code
        assert code["autocomplete"] == "one-time-code" and "required" in code
    email = _input(pages["/inloggen"], "email")
    assert email["spellcheck"] == "false" and email["type"] == "email" and "required" in email
    assert "inputmode" not in _input(pages["/inloggen"], "password")


def test_the_checks_find_what_they_look_for() -> None:
    found = problems('<html lang="nl"><title>t</title><h1>a</h1><h2 role="status">b</h2>'
                     '<h3>c</h3><input id="code" spellcheck=&#34;false&#34;>')
    assert [line.rpartition(": ")[2] for line in found] == [
        "a role on a heading", "a heading level skipped", "an attribute escaped into a value"]
