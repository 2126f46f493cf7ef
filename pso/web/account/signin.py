"""/inloggen (+ /inloggen/code for the second factor), /uitloggen, /wachtwoord-vergeten and
/wachtwoord-instellen/{link}: the way in and out. Rules live in pso.services.accounts."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.http.transaction import provide_db
from pso.services import accounts as service
from pso.web.forms import Form
from pso.web.session import STALE, Page, client_address

DB = {"db": Provide(provide_db)}
WRONG = "Het e-mailadres of het wachtwoord klopt niet."
WRONG_CODE = "Deze code klopt niet. Vul de code in die uw app nu toont, of een herstelcode."


def _next(value: str | None) -> str:
    """Only a path on this site (no //host or scheme) is a place to go after signing in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value \
            and len(value) < 300 and not value.startswith("/inloggen"):
        return value
    return ""


def _throttled(page: Page, template: str, context: dict, exc: service.Throttled) -> Template:
    minutes = max(1, -(-exc.retry_after // 60))
    response = page.render(template, {
        **context, "error": f"Te veel mislukte pogingen. Probeer het over {minutes} "
                            f"{'minuut' if minutes == 1 else 'minuten'} opnieuw."}, 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _landing(page: Page, wanted: str = "") -> Redirect:
    account = page.account
    assert account is not None
    if service.needs_enrolment(account):
        return page.redirect("/account/tweestapsverificatie",
                             "Welkom. Stel eerst tweestapsverificatie in; voor uw rol is die "
                             "verplicht.")
    return page.redirect(wanted or service.home_of(account.role), f"Ingelogd als {account.name}.")


@get("/inloggen", dependencies=DB, include_in_schema=False)
async def signin_form(request: Request, db: AsyncSession,
                      volgende: str | None = None) -> Template | Redirect:
    page = await Page.load(request, db)
    if page.signed_in:
        return _landing(page, _next(volgende))
    return page.render("web/account/signin.html", {"email": "", "next": _next(volgende),
                                                     "demo": page.settings.is_development})


@post("/inloggen", dependencies=DB, include_in_schema=False, status_code=200)
async def signin(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    form = await Form.read(request)
    email, wanted = form.text("email"), _next(form.text("volgende"))
    context = {"email": email, "next": wanted, "demo": page.settings.is_development}
    if not page.csrf_ok(form):
        return page.render("web/account/signin.html", {**context, "error": STALE}, 400)
    password = form.fields.get("password", [""])[0]
    password = password if isinstance(password, str) else ""
    try:
        account = await service.authenticate(db, email, password, client_address(request))
    except service.Throttled as exc:
        return _throttled(page, "web/account/signin.html", context, exc)
    if account is None:
        return page.render("web/account/signin.html", {**context, "error": WRONG}, 401)
    if account.totp_enabled_at is not None:
        await page.sign_in(account, "totp")
        return page.redirect("/inloggen/code" + (f"?volgende={quote(wanted, safe='/')}"
                                                 if wanted else ""))
    await page.sign_in(account, "full")
    return _landing(page, wanted)


@get("/inloggen/code", dependencies=DB, include_in_schema=False)
async def code_form(request: Request, db: AsyncSession,
                    volgende: str | None = None) -> Template | Redirect:
    page = await Page.load(request, db)
    if page.account is None:
        return page.redirect("/inloggen")
    if page.signed_in:
        return _landing(page, _next(volgende))
    return page.render("web/account/code.html", {"next": _next(volgende)})


@post("/inloggen/code", dependencies=DB, include_in_schema=False, status_code=200)
async def code(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    if page.account is None:
        return page.redirect("/inloggen", "Uw sessie is verlopen; log opnieuw in.")
    form = await Form.read(request)
    wanted = _next(form.text("volgende"))
    if page.signed_in:
        return _landing(page, wanted)
    if not page.csrf_ok(form):
        return page.render("web/account/code.html", {"next": wanted, "error": STALE}, 400)
    try:
        ok = await service.second_factor(db, page.account, form.text("code"),
                                         client_address(request))
    except service.Throttled as exc:
        return _throttled(page, "web/account/code.html", {"next": wanted}, exc)
    if not ok:
        return page.render("web/account/code.html", {"next": wanted, "error": WRONG_CODE}, 401)
    await page.sign_in(page.account, "full")
    return _landing(page, wanted)


@post("/uitloggen", dependencies=DB, include_in_schema=False, status_code=200)
async def signout(request: Request, db: AsyncSession) -> Redirect:
    page = await Page.load(request, db)
    form = await Form.read(request)
    if page.account is None or page.web_session is None:
        return page.redirect("/inloggen")
    if not page.csrf_ok(form):
        return page.redirect("/account", STALE)
    await service.end_session(db, page.account, page.web_session.id)
    page.forget_session()
    return page.redirect("/inloggen", "U bent uitgelogd.")


@get("/wachtwoord-vergeten", dependencies=DB, include_in_schema=False)
async def forgotten_form(request: Request, db: AsyncSession) -> Template:
    page = await Page.load(request, db)
    return page.render("web/account/forgotten.html", {"email": ""})


@post("/wachtwoord-vergeten", dependencies=DB, include_in_schema=False, status_code=200)
async def forgotten(request: Request, db: AsyncSession) -> Template:
    page = await Page.load(request, db)
    form = await Form.read(request)
    email = form.text("email")
    if not page.csrf_ok(form):
        return page.render("web/account/forgotten.html", {"email": email, "error": STALE}, 400)
    try:
        email = service.check_email(email)
    except service.AccountError as exc:
        return page.render("web/account/forgotten.html", {"email": email, "error": str(exc)},
                           400)
    await service.request_reset(db, email, page.settings.public_url)
    # The same answer whether or not the address has an account.
    return page.render("web/account/forgotten.html", {"email": "", "sent": email})


LINK_PROBLEMS = {
    "unknown": "Deze link is onbekend. Controleer of u de hele link uit de e-mail gebruikte.",
    "used": "Deze link is al gebruikt. Een link werkt maar één keer.",
    "expired": "Deze link is verlopen. Een link om een wachtwoord te kiezen is 1 uur geldig "
               "(een uitnodiging 7 dagen).",
}


def _link_problem(page: Page, reason: str) -> Template:
    return page.render("web/account/link_problem.html", {"problem": LINK_PROBLEMS[reason]},
                       404 if reason == "unknown" else 410)


@get("/wachtwoord-instellen/{link:str}", dependencies=DB, include_in_schema=False)
async def set_password_form(request: Request, db: AsyncSession, link: str) -> Template:
    page = await Page.load(request, db)
    try:
        one_time, account = await service.open_link(db, link)
    except service.LinkProblem as exc:
        return _link_problem(page, exc.reason)
    return page.render("web/account/set_password.html", {
        "link": link, "invited": one_time.purpose == "invite", "person": account})


@post("/wachtwoord-instellen/{link:str}", dependencies=DB, include_in_schema=False,
      status_code=200)
async def set_password(request: Request, db: AsyncSession, link: str) -> Template | Redirect:
    page = await Page.load(request, db)
    form = await Form.read(request)
    try:
        one_time, account = await service.open_link(db, link)
    except service.LinkProblem as exc:
        return _link_problem(page, exc.reason)
    context = {"link": link, "invited": one_time.purpose == "invite", "person": account}
    if not page.csrf_ok(form):
        return page.render("web/account/set_password.html", {**context, "error": STALE}, 400)
    password = form.fields.get("password", [""])[0]
    password = password if isinstance(password, str) else ""
    again = form.fields.get("password2", [""])[0]
    if password != again:
        return page.render("web/account/set_password.html", {
            **context, "error": "De twee wachtwoorden zijn niet gelijk."}, 400)
    try:
        await service.use_link(db, link, password)
    except service.AccountError as exc:
        return page.render("web/account/set_password.html", {**context, "error": str(exc)}, 400)
    except service.LinkProblem as exc:
        return _link_problem(page, exc.reason)
    if page.account is not None:
        page.forget_session()
    return page.redirect("/inloggen", "Uw wachtwoord is ingesteld. Log nu in met uw "
                                      "e-mailadres en het nieuwe wachtwoord.")


ROUTES = [signin_form, signin, code_form, code, signout, forgotten_form, forgotten,
          set_password_form, set_password]
