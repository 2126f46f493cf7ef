"""Issue 21 item 11, as a property of the form layer: every form of every portal, posted with
bad input, answers with a page (after the redirect of post/redirect/get) that shows field
labels and Dutch choices, never a field path (`employees[2].hoursPerWeek`,
`motivations.integration`, `confirm:`), an enum code of the API (`'approved'`) or an API
path (`/api/`). The test walks the pages a signed-in person of each role reaches, so a new
form is covered without being listed here. Refused pages also say so in their title."""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from scoring.enums import CONTRACT_TYPES, STARTING_POSITIONS
from tests.factories import submission
from tests.web.prg import answered, refused_redirect
from tests.web.test_accounts import csrf_of, make_account, sign_in
from tests.web.test_beoordeling import SECRET, post_form
from tests.web.test_mijn import register, step1

pytestmark = pytest.mark.anyio

CODES = {"approved", "rejected", "in_review", "information_requested", "submitted", "draft",
         "sw_company", "pso_certified", "public_body", "suspended", "revoked",
         "superseded", "expired", "pso30plus", *STARTING_POSITIONS, *CONTRACT_TYPES}
CODES -= {"wsw", "wajong"}  # also ordinary (capitalised) Dutch words in labels
# ("company" is left out: the test accounts are called "Test company".)
NAMES = ("period", "quality", "motivations", "employees", "purchases", "actionPlan",
         "submission", "policy", "subsidiaries", "bids", "hires", "scenario")
INTERNAL = [
    (re.compile(r"\w\[\d+\]"), "a field path with an index"),
    (re.compile(rf"\b(?:{'|'.join(NAMES)})\.\w+"), "a dotted field path"),
    (re.compile(r"\b[a-z]+[A-Z]\w*\b"), "a camelCase field name"),
    (re.compile(r"\b(?:confirm|response|outcome|reason|message|note|csrf|body)\s*:"),
     "an English field name"),
    (re.compile(rf"(?<![\w-])(?:{'|'.join(sorted(CODES))})(?![\w-])"), "an enum code"),
    (re.compile(r"/api/"), "an API path"),
]
SKIP = re.compile(r"^/(uitloggen|dev/)|/sessies/|/tokens/\d+/intrekken|/documenten/\d+$")
DOWNLOAD = re.compile(r"\.(pdf|csv|xlsx|json)$|/pdf$|/csv$|/documenten/\d+$|/export")


class Forms(HTMLParser):
    """Links and POST forms of a page: each form's action and its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "file": False}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button"):
            name = a.get("name")
            kind = (a.get("type") or tag).lower()
            if kind == "file":
                self._form["file"] = True
            if name:
                self._form["fields"].append((name, kind, a.get("value") or ""))
            if tag == "select":
                self._select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def visible(page: str) -> str:
    """The title and the text a reader sees."""
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", page, flags=re.DOTALL)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(((title.group(1) if title else "") + " " + text).split())


def bad_input(form: dict) -> dict[str, str]:
    """Keep the CSRF token, the hidden fields and the first submit button; everything a
    person types or chooses becomes nonsense; checkboxes and radios are left unchosen."""
    data: dict[str, str] = {}
    button = False
    for name, kind, value in form["fields"]:
        if kind == "hidden":
            data.setdefault(name, value)
        elif kind in ("submit", "button"):
            if not button and value:
                data[name], button = value, True
        elif kind in ("checkbox", "radio"):
            continue
        elif kind == "select":
            data[name] = "onbekend_code"
        elif kind == "textarea":
            data[name] = ""
        else:
            data[name] = "??"
    return data


def assert_readable(text: str, where: str) -> None:
    text = re.sub(r"\bpso_[A-Za-z0-9_-]{20,}", "", text)  # a new personal token, shown once
    for pattern, what in INTERNAL:
        found = pattern.search(text)
        assert found is None, f"{where}: {what} on the page: …{text[max(0, found.start() - 60):found.end() + 60]}…"


async def walk(client, starts: list[str], prefixes: tuple[str, ...], limit: int = 40) -> int:
    """Visit the pages under `prefixes`, post every form on them with bad input, and check
    every page and every answer. Returns the number of forms posted."""
    seen, queue, posted, done = set(), list(starts), 0, set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page = await client.get(url, follow_redirects=True)
        if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
            continue
        here = urlsplit(str(page.url)).path
        assert_readable(visible(page.text), here)
        parser = Forms()
        parser.feed(page.text)
        for href in parser.links:
            path = urlsplit(urljoin(here, href)).path
            if path.startswith(prefixes) and not DOWNLOAD.search(path) and path not in seen:
                queue.append(path)
        for form in parser.forms:
            action = urlsplit(urljoin(here, form["action"] or here)).path
            key = (action, tuple(sorted(n for n, *_ in form["fields"])))
            if SKIP.search(action) or key in done:  # a file input is posted without a file
                continue
            done.add(key)
            raw = await client.post(action, data=bad_input(form), follow_redirects=False)
            answer = await answered(client, raw)
            if refused_redirect(raw):
                assert answer.text.count("<title>Fout: ") == 1, f"{action}: no 'Fout:' title"
            if answer.status_code in (301, 302, 303):
                answer = await client.get(answer.headers["location"], follow_redirects=True)
            assert answer.status_code < 500, f"{action}: {answer.status_code}"
            if "text/html" in answer.headers.get("content-type", ""):
                assert_readable(visible(answer.text), f"POST {action}")
            posted += 1
    return posted


async def totp_client(settings, session_maker, role: str, email: str, party: str | None = ""):
    """A browser of its own, signed in with password and TOTP code."""
    await make_account(session_maker, role, email, totp=SECRET, party=party)
    browser = AsyncTestClient(app=create_app(settings))
    await browser.__aenter__()
    await sign_in(browser, email)
    code = await browser.get("/inloggen/code")
    done = await browser.post("/inloggen/code", follow_redirects=False, data={
        "code": pyotp.TOTP(SECRET).now(), "csrf": csrf_of(code.text)})
    assert done.status_code == 303, done.text
    return browser


async def password_client(settings, session_maker, role: str, email: str):
    await make_account(session_maker, role, email)
    browser = AsyncTestClient(app=create_app(settings))
    await browser.__aenter__()
    await sign_in(browser, email)
    return browser


async def test_no_internal_names_on_any_form_page(client, settings, session_maker,
                                                  make_token) -> None:
    admin_token = await make_token("admin")
    await client.post("/api/v1/certifying-bodies", headers=admin_token,
                      json={"code": "PSOCERT", "name": "PSO Certificering", "accreditation": "RvA"})
    await client.post("/api/v1/organizations", headers=admin_token, json={
        "kvk": "87654320", "name": "Werkplaats Oost", "municipalityCode": "GM0363",
        "kind": "company"})
    ids = []
    for _ in range(2):  # one for Ans to review, one Bert reviewed and handed over
        made = await client.post("/api/v1/organizations/87654320/assessments",
                                 headers=admin_token, json={"submission": submission(3),
                                                            "certifyingBody": "PSOCERT"})
        ids.append(made.json()["id"])
        await client.post(f"/api/v1/assessments/{ids[-1]}/submit", headers=admin_token)
    browsers = []
    try:
        ans = await totp_client(settings, session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
        bert = await totp_client(settings, session_maker, "auditor", "bert@psocert.nl",
                                 "PSOCERT")
        browsers += [ans, bert]
        await post_form(ans, f"/beoordeling/aanvragen/{ids[0]}/in-behandeling", {},
                        f"/beoordeling/aanvragen/{ids[0]}")
        await post_form(bert, f"/beoordeling/aanvragen/{ids[1]}/in-behandeling", {},
                        f"/beoordeling/aanvragen/{ids[1]}")
        await post_form(bert, f"/beoordeling/aanvragen/{ids[1]}/afronden", {},
                        f"/beoordeling/aanvragen/{ids[1]}")
        posted = await walk(ans, ["/beoordeling", f"/beoordeling/aanvragen/{ids[0]}/correctie",
                                  "/beoordeling/certificaten"], ("/beoordeling",))

        # The company: an organisation and a draft application, every wizard step.
        await make_account(session_maker, "company", "company@example.nl")
        await sign_in(client, "company@example.nl")
        await register(client)
        aid = await step1(client)
        steps = [f"/mijn/aanvraag/{aid}/stap/{n}" for n in range(1, 8)]
        posted += await walk(client, ["/mijn", *steps, "/account"], ("/mijn", "/account"),
                             limit=30)

        admin = await totp_client(settings, session_maker, "admin", "beheer@pso.nl")
        browsers.append(admin)
        posted += await walk(admin, ["/beheer"], ("/beheer",), limit=25)
        for role, start in (("procurement", "/inkoop"), ("municipality", "/gemeente")):
            browser = await password_client(settings, session_maker, role, f"{role}@example.nl")
            browsers.append(browser)
            posted += await walk(browser, [start], (start,), limit=20)
        anonymous = AsyncTestClient(app=create_app(settings))
        await anonymous.__aenter__()
        browsers.append(anonymous)
        posted += await walk(anonymous, ["/", "/inloggen", "/wachtwoord-vergeten", "/rekentool",
                                         "/aanbesteding"],
                             ("/inloggen", "/wachtwoord", "/rekentool", "/aanbesteding"),
                             limit=8)
        assert posted >= 25, posted
    finally:
        for browser in browsers:
            await browser.__aexit__(None, None, None)
