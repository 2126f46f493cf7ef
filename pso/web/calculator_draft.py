"""The calculator's next step: start an application with the data entered (issue 21).

The calculator stores nothing, and a visitor may not be signed in yet. So the checked
submission travels in a signed, compressed cookie (`pso_rekentool`, one hour) to MijnPSO:
after signing in, the company confirms and the draft is made from it. A list too large for a
cookie is refused with the advice to read the file in at step 2.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.clock import today
from pso.errors import ProblemError
from pso.services import portal
from pso.web import calculator
from pso.web.csrf import NO_TOKEN
from pso.web.forms import Form
from pso.web.mijn.common import load, load_form
from pso.web.session import NO_STORE, _mac
from scoring import SubmissionInvalid, parse_submission, score

COOKIE = "pso_rekentool"
MAX_COOKIE = 3800  # browsers keep about 4 kB per cookie
TARGET = "/mijn/aanvraag/uit-rekentool"


def pack(secret: str, submission: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(zlib.compress(json.dumps(
        submission, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 9)).decode()
    return f"{payload}.{_mac(secret, 'rekentool', payload)}"


def unpack(secret: str, value: str | None) -> dict[str, Any] | None:
    if not value or "." not in value or len(value) > MAX_COOKIE + 100:
        return None
    payload, mac = value.rsplit(".", 1)
    if mac != _mac(secret, "rekentool", payload):
        return None
    try:
        data = json.loads(zlib.decompress(base64.urlsafe_b64decode(payload), bufsize=1 << 16))
    except (ValueError, zlib.error):
        return None
    return data if isinstance(data, dict) else None


def _cookie(request: Request, value: str, max_age: int) -> Cookie:
    secure = request.url.scheme == "https" or \
        request.app.state.settings.public_url.startswith("https://")
    return Cookie(key=COOKIE, value=value, path="/", httponly=True, samesite="lax",
                  secure=secure, max_age=max_age)


@post("/rekentool/aanvraag", opt=NO_TOKEN, include_in_schema=False, status_code=200)
async def carry(request: Request) -> Template | Redirect:
    """The calculator's form, checked as the calculator does, on its way to a draft."""
    form = await Form.read(request)
    state = calculator.state_from(form)
    data, where = calculator.submission_from(state)
    try:
        result = score(parse_submission(data), today=today())
    except SubmissionInvalid as exc:
        fields, in_file = calculator.place_errors(exc.errors, where, state["upload"])
        return calculator.page(state, errors=fields, file_errors=in_file, status=400)
    data.pop("asOf", None)  # the draft is scored on the day it is made
    value = pack(request.app.state.settings.secret_key, data)
    if len(value) > MAX_COOKIE:
        return calculator.page(state, result=result, notice=(
            "Deze gegevens zijn te veel om mee te nemen. Start de aanvraag in MijnPSO en lees "
            "uw lijst met medewerkers daar in bij stap 2."))
    return Redirect(TARGET, status_code=303, headers=NO_STORE,
                    cookies=[_cookie(request, value, 3600)])


def _carried(request: Request) -> dict[str, Any] | None:
    return unpack(request.app.state.settings.secret_key, request.cookies.get(COOKIE))


@get(TARGET, include_in_schema=False)
async def confirm_page(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db, registered=True)
    if mijn is None:
        return stop
    data = _carried(request)
    if data is None:
        return mijn.page.redirect("/mijn/aanvraag/nieuw", "Er staan geen gegevens uit de "
                                  "rekentool klaar; begin hier bij stap 1.")
    return mijn.render("web/calculator_draft.html", {
        "data": data, "result": score(parse_submission(data), today=today())})


@post(TARGET, include_in_schema=False, status_code=200)
async def create_draft(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, _, stop = await load_form(request, db, registered=True)
    if mijn is None:
        return stop
    data = _carried(request)
    if data is None:
        return mijn.page.redirect("/mijn/aanvraag/nieuw", "Er staan geen gegevens uit de "
                                  "rekentool klaar; begin hier bij stap 1.")
    try:
        assessment = await portal.start(db, mijn.actor, mijn.kvk, data)
    except ProblemError as exc:
        await mijn.rollback(db)
        answer = mijn.page.redirect("/mijn", exc.detail)
    else:
        answer = mijn.page.redirect(
            f"/mijn/aanvraag/{assessment.id}/stap/2",
            f"Aanvraag {assessment.id} is aangemaakt met de gegevens uit de rekentool. "
            "Controleer ze per stap en beantwoord daarna de kwaliteitsvragen.")
    answer.cookies.append(_cookie(request, "", 0))
    return answer


ROUTES = [carry, confirm_page, create_draft]
