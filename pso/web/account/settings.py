"""/account: change the password, enrol or remove the second factor (TOTP), see and end
own sessions, create and revoke personal API tokens; /account/uitnodigen invites a
colleague into the same party. Rules live in pso.services.accounts."""

from __future__ import annotations

from typing import Any

import segno
from litestar import Request, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.http.transaction import provide_db
from pso.services import accounts as service
from pso.web.forms import Form
from pso.web.session import STALE, Page, minutes_text
from pso.web.setup import moment

DB = {"db": Provide(provide_db)}
ROLE_LABELS = {"company": "Aanvrager", "auditor": "Auditor", "procurement": "Inkoper",
               "municipality": "Gemeente", "admin": "Beheerder"}


def _session_rule(idle_minutes: int) -> str:
    hours = int(service.SESSION_LIFETIME.total_seconds() // 3600)
    return (f"Sessies eindigen na {minutes_text(idle_minutes)} zonder activiteit en uiterlijk "
            f"na {hours} uur.")


def _password(form: Form, name: str) -> str:
    value = form.fields.get(name, [""])[0]
    return value if isinstance(value, str) else ""


async def _overview(page: Page, *, status: int = 200, errors: dict[str, str] | None = None,
                    new_token: str | None = None, codes: list[str] | None = None) -> Template:
    account = page.account
    assert account is not None and page.web_session is not None
    return page.render("web/account/account.html", status=status, context={
        "person": account, "party": account.party, "role": ROLE_LABELS[account.role],
        "home": service.home_of(account.role), "may_invite": service.may_invite(account),
        "sessions": [{"id": s.id, "started": moment(s.created_at), "client_address":
                      s.client_address, "user_agent": s.user_agent}
                     for s in await service.live_sessions(page.db, account,
                                                          page.settings.session_idle)],
        "current": page.web_session.id,
        "session_rule": _session_rule(page.settings.session_idle_minutes),
        "tokens": await service.account_tokens(page.db, account),
        "recovery_left": await service.remaining_recovery_codes(page.db, account),
        "totp_required": service.totp_required(account),
        "errors": errors or {}, "new_token": new_token, "codes": codes,
    })


@get("/account", dependencies=DB, include_in_schema=False)
async def overview(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    return page.gate() or await _overview(page)


async def _posted(request: Request, db: AsyncSession,
                  enrolling: bool = False) -> tuple[Page, Form, Redirect | Template | None]:
    page = await Page.load(request, db)
    page.form_page = "/account"  # a refused form is shown again on the account page
    form = await Form.read(request)
    stop = page.gate(enrolling=enrolling)
    if stop is None and not page.csrf_ok(form):
        stop = page.redirect("/account", STALE)
    return page, form, stop


@post("/account/wachtwoord", dependencies=DB, include_in_schema=False, status_code=200)
async def change_password(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await _posted(request, db)
    if stop:
        return stop
    assert page.account is not None
    new = _password(form, "password")
    if new != _password(form, "password2"):
        return await _overview(page, status=400, errors={
            "password": "De twee nieuwe wachtwoorden zijn niet gelijk."})
    try:
        await service.change_password(db, page.account, _password(form, "current"), new)
    except service.AccountError as exc:
        return await _overview(page, status=400, errors={exc.field: str(exc)})
    # Every session ended, this one too: this browser continues in a fresh one.
    await page.sign_in(page.account, "full")
    return page.redirect("/account", "Uw wachtwoord is gewijzigd. Al uw andere sessies en uw "
                                     "API-tokens zijn beëindigd.")


def _enrol_context(page: Page, secret: str) -> dict[str, Any]:
    assert page.account is not None and page.web_session is not None
    uri = service.totp_uri(page.account, secret)
    return {"secret": secret, "qr": segno.make(uri, error="m").svg_inline(scale=4, border=2),
            "sig": service.sign_secret(page.secret, page.web_session.id_hash, secret),
            "required": service.totp_required(page.account),
            "enabled": page.account.totp_enabled_at is not None}


@get("/account/tweestapsverificatie", dependencies=DB, include_in_schema=False)
async def enrol_form(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    stop = page.gate(enrolling=True)
    if stop:
        return stop
    assert page.account is not None
    if page.account.totp_enabled_at is not None:
        return page.redirect("/account", "Tweestapsverificatie staat al aan.")
    # A new secret on every visit; it is only stored once a code from it is confirmed.
    return page.render("web/account/totp.html", _enrol_context(page, service.new_totp_secret()))


@post("/account/tweestapsverificatie", dependencies=DB, include_in_schema=False,
      status_code=200)
async def enrol(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await _posted(request, db, enrolling=True)
    if stop:
        return stop
    assert page.account is not None and page.web_session is not None
    if page.account.totp_enabled_at is not None:
        return page.redirect("/account", "Tweestapsverificatie staat al aan.")
    secret = form.text("secret")
    expected = service.sign_secret(page.secret, page.web_session.id_hash, secret)
    if not (secret and form.text("sig") == expected):
        return page.redirect("/account/tweestapsverificatie", STALE)
    try:
        codes = await service.enable_totp(db, page.account, secret, form.text("code"))
    except service.AccountError as exc:
        return page.render("web/account/totp.html", {**_enrol_context(page, secret),
                                                      "error": str(exc)}, 400)
    return page.render("web/account/recovery_codes.html", {
        "codes": codes, "home": service.home_of(page.account.role)})


@post("/account/tweestapsverificatie/verwijderen", dependencies=DB, include_in_schema=False,
      status_code=200)
async def disable(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await _posted(request, db)
    if stop:
        return stop
    assert page.account is not None
    try:
        await service.disable_totp(db, page.account, _password(form, "password"))
    except service.AccountError as exc:
        return await _overview(page, status=400, errors={"totp": str(exc)})
    note = " Voor uw rol is die verplicht: stel haar opnieuw in." \
        if service.totp_required(page.account) else ""
    return page.redirect("/account", "Tweestapsverificatie is uitgezet." + note)


@post("/account/sessies/{session_id:int}/beeindigen", dependencies=DB, include_in_schema=False,
      status_code=200)
async def end_session(request: Request, db: AsyncSession, session_id: int) -> Redirect | Template:
    page, _, stop = await _posted(request, db)
    if stop:
        return stop
    assert page.account is not None and page.web_session is not None
    if not await service.end_session(db, page.account, session_id):
        return page.redirect("/account", "Deze sessie bestaat niet (meer).")
    if session_id == page.web_session.id:
        page.forget_session()
        return page.redirect("/inloggen", "U bent uitgelogd.")
    return page.redirect("/account#sessies", "De sessie is beëindigd.")


@post("/account/tokens", dependencies=DB, include_in_schema=False, status_code=200)
async def create_token(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await _posted(request, db)
    if stop:
        return stop
    assert page.account is not None
    try:
        _, token = await service.create_token(db, page.account, form.text("label"))
    except service.AccountError as exc:
        return await _overview(page, status=400, errors={"label": str(exc)})
    return await _overview(page, new_token=token)


@post("/account/tokens/{token_id:int}/intrekken", dependencies=DB, include_in_schema=False,
      status_code=200)
async def revoke_token(request: Request, db: AsyncSession, token_id: int) -> Redirect | Template:
    page, _, stop = await _posted(request, db)
    if stop:
        return stop
    assert page.account is not None
    if not await service.revoke_token(db, page.account, token_id):
        return page.redirect("/account#tokens", "Dit token bestaat niet of is al ingetrokken.")
    return page.redirect("/account#tokens", "Het token is ingetrokken; het werkt niet meer.")


@get("/account/uitnodigen", dependencies=DB, include_in_schema=False)
async def invite_form(request: Request, db: AsyncSession) -> Template | Redirect:
    page = await Page.load(request, db)
    stop = page.gate()
    if stop:
        return stop
    assert page.account is not None
    return page.render("web/account/invite.html", {
        "form": {"email": "", "name": ""}, "errors": {}, "party": page.account.party,
        "may_invite": service.may_invite(page.account), "refused": service.INVITE_REFUSED})


@post("/account/uitnodigen", dependencies=DB, include_in_schema=False, status_code=200)
async def invite(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await _posted(request, db)
    if stop:
        return stop
    assert page.account is not None
    typed = {"email": form.text("email"), "name": form.text("name")}
    try:
        account, _ = await service.invite(db, page.account, email=typed["email"],
                                          name=typed["name"],
                                          public_url=page.settings.public_url)
    except service.AccountError as exc:
        return page.render("web/account/invite.html", {
            "form": typed, "errors": {exc.field or "email": str(exc)},
            "party": page.account.party, "may_invite": service.may_invite(page.account),
            "refused": service.INVITE_REFUSED}, 400 if service.may_invite(page.account) else 403)
    # The same answer when the address has an account at another party (then only its
    # owner is told), so inviting reveals nothing about other parties.
    sent_to = account.email if account is not None else service.normalise_email(typed["email"])
    return page.redirect("/account/uitnodigen",
                         f"Uitnodiging verstuurd naar {sent_to}; de link is 7 dagen geldig.")


ROUTES = [overview, change_password, enrol_form, enrol, disable, end_session, create_token,
          revoke_token, invite_form, invite]
