"""/beheer/accounts: an admin makes the first account of any party (the person gets a
mailed invitation link, valid 7 days), sends a new invitation to someone who never chose a
password, revokes people after a confirmation and reinstates them, and changes or removes
the municipality a buying organisation buys for. Rules: pso.services.accounts."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import ROLES
from pso.services import accounts as service
from pso.text import municipalities as cbs
from pso.web.account.settings import ROLE_LABELS
from pso.web.beheer.common import DB, admin
from pso.web.forms import posted
from pso.web.session import Page

PATH = "/beheer/accounts"
FIELDS = ("email", "name", "role", "party", "party_name", "party_municipality")


async def _page(page: Page, *, form: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
                status: int = 200) -> Template:
    """`typed`: a refused municipality link's text, by its field id (gemeente-<party id>)."""
    return page.render("web/beheer/accounts.html", status=status, context={
        "people": await service.list_accounts(page.db),
        "buyers": await service.buying_parties(page.db),
        "roles": {role: ROLE_LABELS[role] for role in ROLES},
        "form": form or dict.fromkeys(FIELDS, ""), "errors": errors or {},
        "typed": typed or {}, "municipality_name": lambda code: cbs.name_of(code) or code,
    })


@get(PATH, dependencies=DB, include_in_schema=False)
async def people(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await admin(request, db)
    return stop or await _page(page)


def _party(typed: dict[str, str]) -> tuple[str, str, str | None]:
    """(kind, code, name) of the party the form names. A municipality is typed by name
    (or code) and named after the CBS list unless the admin gave a name."""
    role = typed["role"]
    if not role:
        raise service.AccountError("Kies een rol.", "role")
    if role not in ROLES:
        raise service.AccountError("Kies een rol uit de lijst.", "role")
    if role == "municipality":
        code, reason = cbs.chosen(typed["party"])
        if reason:
            raise service.AccountError(reason, "party")
        return "municipality", code, typed["party_name"] or f"Gemeente {cbs.name_of(code)}"
    kind, code = service.party_key(role, typed["party"])
    return kind, code, typed["party_name"] or None


def _municipality(text: str) -> str:
    """A municipality typed by name or code, as for a municipality's own account."""
    code, reason = cbs.chosen(text)
    if reason:
        raise service.AccountError(reason, "party_municipality")
    return code


@post(PATH, dependencies=DB, include_in_schema=False, status_code=200)
async def add_person(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    assert page.account is not None
    typed = {name: form.text(name) for name in FIELDS}
    try:
        kind, code, party_name = _party(typed)
        party = await service.ensure_party(db, kind, code, party_name)
        if typed["party_municipality"]:
            await service.set_municipality(db, service.actor_of(page.account), party,
                                           _municipality(typed["party_municipality"]))
        account = await service.create_account(
            db, service.actor_of(page.account), email=typed["email"], name=typed["name"],
            role=typed["role"], party=party)
        await service.invitation_link(db, account, page.settings.public_url,
                                      inviter=page.account.name)
    except service.AccountError as exc:
        await db.rollback()
        return await _page(page, form=typed, errors={exc.field or "email": str(exc)}, status=400)
    return page.redirect(PATH, f"Account aangemaakt voor {account.email}; de uitnodiging is "
                               "verstuurd (7 dagen geldig).")


@post(PATH + "/partijen/{party_id:int}/gemeente", dependencies=DB, include_in_schema=False,
      status_code=200)
async def relink_party(request: Request, db: AsyncSession, party_id: int) -> Template | Redirect:
    """Change the municipality a buying organisation buys for, or (`loskoppelen`) remove it."""
    page, form, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    assert page.account is not None
    party = await service.party_by_id(db, party_id)
    if party is None or party.kind != "buyer":
        return page.redirect(PATH, "Niet gewijzigd: deze inkopende organisatie bestaat niet.")
    name, text, removing = party.name, form.text("municipality"), bool(form.text("loskoppelen"))
    try:
        code = None if removing else _municipality(text)
        changed = await service.set_municipality(db, service.actor_of(page.account), party, code)
    except service.AccountError as exc:
        await db.rollback()
        field = f"gemeente-{party_id}"
        return await _page(page, errors={field: str(exc)}, typed={field: text}, status=400)
    if code is None:
        return page.redirect(PATH, f"{name} hoort nu bij geen gemeente." if changed
                             else f"{name} hoorde al bij geen gemeente.")
    town = cbs.name_of(code)
    return page.redirect(PATH, f"{name} koopt nu in voor gemeente {town}; die gemeente ziet de "
                               "social-return-cijfers van haar contracten." if changed
                         else f"{name} kocht al in voor gemeente {town}.")


@post(PATH + "/{account_id:int}/intrekken", dependencies=DB, include_in_schema=False,
      status_code=200)
async def revoke_person(request: Request, db: AsyncSession, account_id: int) -> Redirect | Template:
    """Without `bevestigd` the confirmation page; with it the revocation."""
    page, form, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    assert page.account is not None
    if account_id == page.account.id:
        return page.redirect(PATH, "Niet ingetrokken: u kunt uw eigen account niet intrekken.")
    person = await service.account_by_id(db, account_id)
    if person is None:
        return page.redirect(PATH, "Niet ingetrokken: dit account bestaat niet.")
    if not form.text("bevestigd"):
        return page.render("web/beheer/account_revoke.html", context={"person": person})
    _, changed = await service.revoke_account(db, service.actor_of(page.account), person.email)
    return page.redirect(PATH, f"Het account van {person.email} is ingetrokken; sessies en "
                               "tokens werken niet meer. Met 'Herstellen' maakt u dit ongedaan."
                         if changed else f"Het account van {person.email} was al ingetrokken.")


@post(PATH + "/{account_id:int}/herstellen", dependencies=DB, include_in_schema=False,
      status_code=200)
async def reinstate_person(request: Request, db: AsyncSession,
                           account_id: int) -> Redirect | Template:
    page, _, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    assert page.account is not None
    try:
        person, changed = await service.reinstate_account(
            db, service.actor_of(page.account), account_id)
    except service.AccountError as exc:
        return page.redirect(PATH, str(exc))
    if not changed:
        return page.redirect(PATH, f"Het account van {person.email} was niet ingetrokken.")
    then = ("kan weer inloggen met het eigen wachtwoord" if person.password_hash
            else "heeft nog geen wachtwoord: stuur een nieuwe uitnodiging")
    return page.redirect(PATH, f"Het account van {person.email} is hersteld en {then}. "
                               "Ingetrokken API-tokens blijven ingetrokken.")


@post(PATH + "/{account_id:int}/uitnodiging", dependencies=DB, include_in_schema=False,
      status_code=200)
async def invite_again(request: Request, db: AsyncSession, account_id: int) -> Redirect | Template:
    page, _, stop = await posted(request, db, "admin", PATH)
    if stop:
        return stop
    assert page.account is not None
    person = await service.account_by_id(db, account_id)
    if person is None:
        return page.redirect(PATH, "Niet verstuurd: dit account bestaat niet.")
    try:
        await service.resend_invitation(db, service.actor_of(page.account), person,
                                        page.settings.public_url, inviter=page.account.name)
    except service.AccountError as exc:
        return page.redirect(PATH, str(exc))
    return page.redirect(PATH, f"Een nieuwe uitnodiging is verstuurd naar {person.email} "
                               "(7 dagen geldig).")


ROUTES = [people, add_person, relink_party, revoke_person, reinstate_person, invite_again]
