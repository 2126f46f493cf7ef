"""Browser sessions for every signed-in page, stored server-side (SPEC §7.1).

Cookie `pso_sessie` holds only a random id; the `web_sessions` table keeps its SHA-256,
the account and the stage ('totp' between password and code, then 'full'). Every request
looks the session up again, so logout, a password change or revoking the person ends it
at once: a copied cookie is worthless afterwards. A new id at every sign-in (no fixation).
A session ends after 8 hours, and earlier after PSO_SESSION_IDLE_MINUTES without requests:
the browser then goes to the sign-in page with a notice and `volgende` set to where it was.
`last_seen_at` is written at most once a minute (pso.http.transaction.write_now).

Before signing in, the browser gets `pso_formulier`, a random nonce for the CSRF tokens
of the anonymous forms (sign in, forgotten password, set password). Every form carries
HMAC(secret, "csrf:" + session id or nonce). `pso_melding` is a signed one-time message
shown on the next page. All cookies: HttpOnly, SameSite=Lax, path /, Secure when the
service runs behind https (PSO_PUBLIC_URL). GET pages never write to the database, except
that note about the session itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.response import Redirect, Template
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.base import utcnow
from pso.db.models import FORM_REPLY_LIFETIME, Account, FormReply, WebSession
from pso.http.transaction import reads_only, write_now
from pso.services import accounts as service
from pso.text.refusals import readable_context

if TYPE_CHECKING:
    from pso.web.forms import Form  # forms.posted() uses Page: no import back at run time

SESSION_COOKIE = "pso_sessie"
ANON_COOKIE = "pso_formulier"
FLASH_COOKIE = "pso_melding"
REPLY_COOKIE = "pso_antwoord"  # the one-time key of a refused form's page (FormReply)
# A form refused for what was typed: post/redirect/get. Not a failed sign-in (401): its
# answer stays the POST's own, so the attempt is never replayed to a later visitor.
REFUSED = (400, 409, 422)
REPLY_LIFETIME = FORM_REPLY_LIFETIME
# A signed note "this browser's session belongs to <name>, <role>", bound to the session
# cookie: the public pages, which do not look the session up, show the portal link and
# "Uitloggen" from it. It names nothing secret and ends with the session cookie.
PORTAL_COOKIE = "pso_portaal"
PORTALS = {"company": "MijnPSO", "auditor": "Beoordeling", "procurement": "Inkoop",
           "municipality": "Gemeente", "admin": "Beheer"}
NO_STORE = {"Cache-Control": "no-store"}
STALE = "Het formulier was verlopen (of de sessie is opnieuw gestart). Probeer het nog eens."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _mac(secret: str, purpose: str, value: str) -> str:
    return _b64(hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest())


def _sign_flash(secret: str, text: str) -> str:
    payload = _b64(text[:500].encode("utf-8"))
    return f"{payload}.{_mac(secret, 'flash', payload)}"


def _read_flash(secret: str, value: str | None) -> str | None:
    if not value or "." not in value or len(value) > 1000:
        return None
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(secret, "flash", payload)):
        return None
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    except ValueError:
        return None


def _portal_note(secret: str, raw_session: str, role: str, name: str) -> str:
    payload = _b64(f"{role}\n{name[:200]}".encode())
    return f"{payload}.{_mac(secret, 'portal', raw_session + '.' + payload)}"


def visitor(request: Request, person: Person | None = None) -> dict[str, str] | None:
    """Who is signed in, for the top menu of every page: the person a portal page loaded,
    else the signed portal note of a public page. {name, role, home, portal, csrf}."""
    settings = request.app.state.settings
    raw = request.cookies.get(SESSION_COOKIE) or ""
    if person is not None and person.stage == "full":
        role, name = person.role, person.name
    else:
        note = request.cookies.get(PORTAL_COOKIE) or ""
        if not raw or "." not in note or len(note) > 600:
            return None
        payload, mac = note.rsplit(".", 1)
        if not hmac.compare_digest(mac, _mac(settings.secret_key, "portal", raw + "." + payload)):
            return None
        try:
            role, name = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)
                                                  ).decode("utf-8").split("\n", 1)
        except ValueError:
            return None
    return {"name": name, "role": role, "home": service.home_of(role),
            "portal": PORTALS.get(role, "Account"),
            "csrf": _mac(settings.secret_key, "csrf", "s:" + raw)}


@dataclass(frozen=True)
class PartyView:
    kind: str
    code: str
    name: str


@dataclass(frozen=True)
class Person:
    """Plain values of the signed-in account, taken when the session is loaded: pages keep
    working after a rolled-back transaction expired the ORM objects."""

    id: int
    name: str
    email: str
    role: str
    party: PartyView
    totp_enabled: bool
    stage: str
    session_id: int
    session_hash: str
    actor: Actor

    @classmethod
    def of(cls, account: Account, web_session: WebSession) -> Person:
        party = account.party
        return cls(account.id, account.name, account.email, account.role,
                   PartyView(party.kind, party.code, party.name),
                   account.totp_enabled_at is not None, web_session.stage, web_session.id,
                   web_session.id_hash, service.actor_of(account))


def minutes_text(minutes: int) -> str:
    return f"{minutes} {'minuut' if minutes == 1 else 'minuten'}"


def idle_notice(minutes: int) -> str:
    return (f"U bent uitgelogd na {minutes_text(minutes)} zonder activiteit. Log opnieuw in "
            "om verder te gaan waar u was.")


def client_address(request: Request) -> str:
    client = request.scope.get("client")
    return (client[0] if client else "") or "onbekend"


class Page:
    """Who is asking (an account with a live session, or nobody) and how to answer."""

    def __init__(self, request: Request, db: AsyncSession) -> None:
        self.request = request
        self.db = db
        settings = request.app.state.settings
        self.settings = settings
        self.secret = settings.secret_key
        self.secure = (request.url.scheme == "https"
                       or settings.public_url.startswith("https://"))
        self.raw_session: str | None = None
        self.web_session: WebSession | None = None
        self.account: Account | None = None
        self.person: Person | None = None
        self.nonce = request.cookies.get(ANON_COOKIE) or ""
        if len(self.nonce) > 100:
            self.nonce = ""
        self.new_nonce = False
        self.flash = _read_flash(self.secret, request.cookies.get(FLASH_COOKIE))
        self.idle_notice: str | None = None  # the session ended on this request: unused too long
        self._cookies: list[Cookie] = []
        # The page of a form refused on the POST before, shown once on this GET.
        self.reply: FormReply | None = None
        # Where a refused form's page is shown again (post/redirect/get); see refused().
        self.form_page: str | None = None

    @classmethod
    async def load(cls, request: Request, db: AsyncSession) -> Page:
        page = cls(request, db)
        await page._load_session(request, db)
        if reads_only(request) and request.cookies.get(REPLY_COOKIE):
            await page._take_reply(request.cookies[REPLY_COOKIE])
        return page

    async def _load_session(self, request: Request, db: AsyncSession) -> None:
        page = self
        raw = request.cookies.get(SESSION_COOKIE)
        visit = await service.load_session(db, raw, page.settings.session_idle)
        if visit is None:
            return
        if visit.idle or visit.seen_due:
            await write_now(db, request, lambda session: service.record_visit(session, visit))
        if visit.idle:
            page.idle_notice = idle_notice(page.settings.session_idle_minutes)
            page.forget_session()
            return
        page.raw_session = raw
        page.web_session, page.account = visit.row, visit.account
        page.person = Person.of(page.account, page.web_session)

    # --- post/redirect/get for refused forms ---------------------------------------------

    def _basis_hash(self) -> str:
        return hashlib.sha256(self._csrf_basis().encode()).hexdigest()

    async def _take_reply(self, token: str) -> None:
        """The stored page of this browser's refused form for this address, used once."""
        if len(token) > 100:
            return
        key = hashlib.sha256(token.encode()).hexdigest()
        row = await self.db.scalar(select(FormReply).where(FormReply.token_hash == key))
        if row is None or row.basis_hash != self._basis_hash() or row.path != self._path() \
                or row.created_at < utcnow() - REPLY_LIFETIME:
            return
        self.reply = row
        # Used once; replies nobody came back for go with it after an hour.
        await write_now(self.db, self.request, lambda session: session.execute(
            delete(FormReply).where(or_(FormReply.id == row.id,
                                        FormReply.created_at < utcnow() - REPLY_LIFETIME))))

    def _path(self) -> str:
        url = self.request.url
        return url.path + (f"?{url.query}" if url.query else "")

    def _is_page(self, path: str) -> bool:
        try:
            self.request.app.asgi_router.handle_routing(path, "GET")  # type: ignore[arg-type]
        except (NotFoundException, MethodNotAllowedException):
            return False
        return True

    def _page_address(self) -> str:
        """Where the refused form's page is shown: the POST's own address when it is also a
        page (most forms post to themselves), else the form's page the handler named
        (`form_page`, e.g. the review page for its question form), else the nearest page
        above it (/account for /account/wachtwoord)."""
        path = self.request.url.path
        if self._is_page(path):
            return self._path()
        if self.form_page:
            return self.form_page
        while "/" in path.strip("/"):
            path = path.rstrip("/").rsplit("/", 1)[0]
            if self._is_page(path):
                return path
        return "/"

    def _refused(self, template: str, context: dict[str, Any], status: int) -> Redirect:
        """Render the refused form's page now, keep it for this browser, and send the
        browser to it with a GET (Back then never shows "resubmit form")."""
        engine = self.request.app.template_engine
        html = engine.get_template(template).render(
            **context, request=self.request, csrf_input="")
        token = secrets.token_urlsafe(32)
        target = self._page_address()
        self.db.add(FormReply(token_hash=hashlib.sha256(token.encode()).hexdigest(),
                              basis_hash=self._basis_hash(), path=target, status=status,
                              html=html))
        return Redirect(target, status_code=303, headers=NO_STORE,
                        cookies=[*self._all_cookies(None),
                                 self._cookie(REPLY_COOKIE, token, int(
                                     REPLY_LIFETIME.total_seconds()))])

    # --- who -----------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        """Fully signed in (password and, where enabled, the second factor)."""
        return self.person is not None and self.person.stage == "full"

    @property
    def actor(self) -> Actor | None:
        return self.person.actor if self.person is not None and self.signed_in else None

    def gate(self, *roles: str, enrolling: bool = False) -> Redirect | Template | None:
        """None when a fully signed-in account with one of `roles` (any role when none
        given) may see the page; otherwise where to send the browser instead."""
        person = self.person
        if person is None:
            return self.redirect(f"/inloggen?volgende={quote(self._here(), safe='/')}")
        if person.stage != "full":
            return self.redirect("/inloggen/code")
        if not enrolling and person.role in service.TOTP_REQUIRED and not person.totp_enabled:
            return self.redirect("/account/tweestapsverificatie",
                                 "Stel eerst tweestapsverificatie in; voor uw rol is die verplicht.")
        if roles and person.role not in roles:
            return self.render("web/account/forbidden.html", {
                "home": service.home_of(person.role)}, status=403)
        return None

    def _here(self) -> str:
        """Where to come back to after signing in: this page, or for a form post the page
        the form was on (a post's own address may have no page)."""
        here = urlsplit(str(self.request.url))
        if not reads_only(self.request):
            came_from = urlsplit(self.request.headers.get("referer", ""))
            if came_from.netloc == here.netloc and came_from.path:
                here = came_from
        return here.path + (f"?{here.query}" if here.query else "")

    # --- CSRF ----------------------------------------------------------------------

    def _csrf_basis(self) -> str:
        if self.raw_session:
            return "s:" + self.raw_session
        if not self.nonce:
            self.nonce = secrets.token_urlsafe(18)
            self.new_nonce = True
        return "a:" + self.nonce

    @property
    def csrf(self) -> str:
        return _mac(self.secret, "csrf", self._csrf_basis())

    def csrf_ok(self, form: Form) -> bool:
        token = form.text("csrf")
        if not token or (not self.raw_session and not self.nonce):
            return False
        return hmac.compare_digest(token.encode(), self.csrf.encode())

    # --- cookies and answers ---------------------------------------------------------

    def _cookie(self, key: str, value: str, max_age: int | None = None) -> Cookie:
        return Cookie(key=key, value=value, path="/", httponly=True, samesite="lax",
                      secure=self.secure, max_age=max_age)

    async def sign_in(self, account: Account, stage: str) -> None:
        """Start a new session (new id) for this browser; the old one ends."""
        raw, row = await service.start_session(
            self.db, account, stage=stage, address=client_address(self.request),
            user_agent=self.request.headers.get("user-agent", ""), previous=self.web_session)
        self.raw_session, self.web_session, self.account = raw, row, account
        self.person = Person.of(account, row)
        self._cookies.append(self._cookie(
            SESSION_COOKIE, raw, int(service.SESSION_LIFETIME.total_seconds())))

    def forget_session(self) -> None:
        self.raw_session, self.web_session, self.account = None, None, None
        self.person = None
        self._cookies.append(self._cookie(SESSION_COOKIE, "", 0))

    def _all_cookies(self, flash: str | None) -> list[Cookie]:
        cookies = list(self._cookies)
        if self.request.cookies.get(REPLY_COOKIE) and reads_only(self.request):
            cookies.append(self._cookie(REPLY_COOKIE, "", 0))  # one-time, used or not
        had = self.request.cookies.get(PORTAL_COOKIE)
        if self.signed_in and self.raw_session and self.person is not None:
            note = _portal_note(self.secret, self.raw_session, self.person.role,
                                self.person.name)
            if note != had:
                cookies.append(self._cookie(PORTAL_COOKIE, note))
        elif had:
            cookies.append(self._cookie(PORTAL_COOKIE, "", 0))
        if self.new_nonce:
            cookies.append(self._cookie(ANON_COOKIE, self.nonce))
        if flash:
            cookies.append(self._cookie(FLASH_COOKIE, _sign_flash(self.secret, flash)))
        elif self.flash is not None:
            cookies.append(self._cookie(FLASH_COOKIE, "", 0))
        return cookies

    def render(self, template: str, context: dict[str, Any], status: int = 200
               ) -> Template | Redirect | Response:
        """The page; a form refused on a POST (400/409/422) as a redirect to its page
        (post/redirect/get), whose GET then shows what was rendered here, once."""
        if self.reply is not None:
            reply, self.reply = self.reply, None
            return Response(reply.html, status_code=reply.status, media_type="text/html",
                            headers=NO_STORE, cookies=self._all_cookies(None))
        refused = status in REFUSED
        if refused:
            context = readable_context(context)
        full = {**context, "flash": self.flash or self.idle_notice, "csrf": self.csrf,
                "account": self.person if self.signed_in else None, "actor": self.actor,
                "form_failed": refused}
        if refused and self.request.method == "POST":
            return self._refused(template, full, status)
        return Template(template, status_code=status, headers=NO_STORE,
                        cookies=self._all_cookies(None), context=full)

    def redirect(self, to: str, flash: str | None = None) -> Redirect:
        return Redirect(to, status_code=303, headers=NO_STORE,
                        cookies=self._all_cookies(flash or self.idle_notice))
