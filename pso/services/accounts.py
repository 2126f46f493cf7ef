"""Accounts and parties (SPEC §7.1): who may sign in, for which party, in which role.

One place for every rule about people: creating accounts and parties, signing in (with
throttling and the audit log), server-side web sessions, one-time links (password reset:
1 hour; invitation: 7 days; each usable once), TOTP with recovery codes, personal API
tokens and revocation. Services only flush; the caller's transaction commits.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import dutch_date
from pso import passwords
from pso.audit import record
from pso.auth import ROLES, SYSTEM, Actor, hash_token, new_token
from pso.clock import AMSTERDAM
from pso.db.base import utcnow
from pso.db.models import Account, LoginAttempt, OneTimeLink, Party, RecoveryCode, User, WebSession
from pso.db.models.accounts import PARTY_KINDS, ROLE_PARTY
from pso.http.ratelimit import network_of
from pso.mail import queue_mail  # the outbox: the mail is sent only if our transaction commits
from pso.text.identifiers import BODY_CODE_RE, KVK_RE, MUNICIPALITY_RE

# Sign-in throttling: per e-mail address and client address, and coarser per address.
WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 50
# Per account across all addresses, password and second factor alike: slower and longer,
# so rotating addresses gains little while the owner is rarely locked out by strangers.
ACCOUNT_WINDOW = timedelta(hours=6)
MAX_FAILURES_PER_ACCOUNT = 20

SESSION_LIFETIME = timedelta(hours=8)  # a working day; then sign in again
# A session also ends after PSO_SESSION_IDLE_MINUTES without requests. last_seen_at is
# written at most this often, so a page view is not a database write every time.
SEEN_EVERY = timedelta(minutes=1)
RESET_VALID = timedelta(hours=1)
INVITE_VALID = timedelta(days=7)
# Mails with a one-time link, per recipient: more are not sent (a reset request stays silent,
# an invitation is refused), so nobody can flood an inbox through the service.
MAIL_LIMITS = {"reset": (3, timedelta(hours=1)), "invite": (3, timedelta(days=1))}
RECOVERY_CODES = 10
TOTP_REQUIRED = frozenset({"auditor", "admin"})
TOTP_ISSUER = "PSO-dienst"

# No characters that mean something in a mail header (quotes, brackets, separators).
EMAIL_RE = re.compile(r'^[^@\s<>(),;:"\[\]\\]{1,64}@[^@\s<>(),;:"\[\]\\]+\.[^@\s<>(),;:"\[\]\\.]{2,}$')

HOMES = {
    "company": "/mijn",
    "auditor": "/beoordeling",
    "procurement": "/inkoop",
    "municipality": "/gemeente",
    "admin": "/beheer",
}


class AccountError(ValueError):
    """Input the account rules refuse; the message is Dutch and fit to show."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Throttled(Exception):
    retry_after: int  # seconds


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise AccountError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.", "email")
    return email


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def home_of(role: str) -> str:
    return HOMES.get(role, "/account")


def totp_required(account: Account) -> bool:
    return account.role in TOTP_REQUIRED


def needs_enrolment(account: Account) -> bool:
    return totp_required(account) and account.totp_enabled_at is None


def actor_of(account: Account, token_id: int | None = None) -> Actor:
    """The Actor every existing service understands, derived from the account's party."""
    party = account.party
    return Actor(
        token_id, account.name, account.role,
        kvk=party.code if party.kind == "applicant" else None,
        municipality_code=party.code if party.kind == "municipality" else None,
        account_id=account.id, party_id=party.id,
    )


# --- parties ---------------------------------------------------------------------------


def party_key(role: str, key: str | None) -> tuple[str, str]:
    """(kind, code) of the party a `--party` value names for a role."""
    if role not in ROLES:
        raise AccountError(f"Onbekende rol '{role}'; kies uit {', '.join(ROLES)}.", "role")
    kind = ROLE_PARTY[role]
    key = (key or "").strip().upper()
    if kind == "admin":
        if key not in ("", "ADMIN"):
            raise AccountError("Een beheerder hoort niet bij een organisatie.", "party")
        return kind, "admin"
    if kind in ("applicant", "buyer") and not KVK_RE.match(key):
        raise AccountError("Geef het KvK-nummer (8 cijfers) van de organisatie.", "party")
    if kind == "municipality" and not MUNICIPALITY_RE.match(key):
        raise AccountError("Geef de gemeentecode, zoals GM0200.", "party")
    if kind == "certifying_body" and not BODY_CODE_RE.match(key):
        raise AccountError("Geef de code van de certificerende instelling (letters en "
                           "cijfers, 2 tot 20 tekens).", "party")
    return kind, key


async def ensure_party(session: AsyncSession, kind: str, code: str,
                       name: str | None = None) -> Party:
    """The party (kind, code), created when new; a given name replaces a placeholder."""
    if kind not in PARTY_KINDS:
        raise AccountError(f"Onbekende soort partij '{kind}'.")
    party = await session.scalar(select(Party).where(Party.kind == kind, Party.code == code))
    if party is None:
        party = Party(kind=kind, code=code, name=name or _default_party_name(kind, code))
        session.add(party)
        await session.flush()
    elif name and party.name != name and party.name == _default_party_name(kind, code):
        party.name = name
    return party


async def party_by_id(session: AsyncSession, party_id: int) -> Party | None:
    return await session.get(Party, party_id)


async def buying_parties(session: AsyncSession, limit: int = 500) -> list[Party]:
    """Every buying organisation (for the admin's municipality links), by name."""
    return list(await session.scalars(select(Party).where(Party.kind == "buyer")
                                      .order_by(Party.name, Party.code).limit(limit)))


async def set_municipality(session: AsyncSession, actor: Actor, party: Party,
                           code: str | None) -> bool:
    """Link a buying organisation to the municipality it buys for (or unlink it with None):
    that municipality then sees the aggregated social-return figures of its contracts.
    False when the link already was so."""
    if party.kind != "buyer":
        raise AccountError("Alleen een inkopende organisatie hoort bij een gemeente.",
                           "party_municipality")
    if code is not None and not MUNICIPALITY_RE.match(code):
        raise AccountError("Geef een gemeentecode zoals GM0344.", "party_municipality")
    if party.municipality_code == code:
        return False
    previous, party.municipality_code = party.municipality_code, code
    await session.flush()
    await record(session, actor, "party.municipality_set" if code else "party.municipality_removed",
                 "party", party.id, {"party": f"{party.kind}:{party.code}", "municipality": code,
                                     "previous": previous})
    return True


def _default_party_name(kind: str, code: str) -> str:
    return {"applicant": f"Organisatie KvK {code}", "buyer": f"Inkopende organisatie KvK {code}",
            "municipality": f"Gemeente {code}", "certifying_body": f"Certificerende instelling {code}",
            "admin": "Beheer PSO-dienst"}[kind]


async def emails_for_party(session: AsyncSession, kind: str, code: str) -> list[str]:
    """E-mail addresses of the party's active accounts (for reminders to a company or a
    buyer), in a stable order; empty when the party has no accounts."""
    rows = await session.scalars(
        select(Account.email).join(Party, Account.party_id == Party.id)
        .where(Party.kind == kind, Party.code == code, Account.revoked_at.is_(None))
        .order_by(Account.email))
    return list(rows)


# --- accounts --------------------------------------------------------------------------


async def find_account(session: AsyncSession, email: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.email == normalise_email(email)))


async def account_by_id(session: AsyncSession, account_id: int) -> Account | None:
    return await session.get(Account, account_id)


async def list_accounts(session: AsyncSession, limit: int = 500) -> list[Account]:
    """Every account (for the admin), by party and e-mail address."""
    return list(await session.scalars(
        select(Account).join(Party, Account.party_id == Party.id)
        .order_by(Party.kind, Party.code, Account.email).limit(limit)))


async def create_account(
    session: AsyncSession, actor: Actor, *, email: str, name: str, role: str, party: Party,
    password: str | None = None,
) -> Account:
    email = check_email(email)
    name = name.strip()
    if not name or len(name) > 200:
        raise AccountError("Vul een naam in (hoogstens 200 tekens).", "name")
    if role not in ROLES or ROLE_PARTY[role] != party.kind:
        raise AccountError(f"De rol '{role}' past niet bij deze organisatie.", "role")
    if await find_account(session, email) is not None:
        raise AccountError("Er bestaat al een account met dit e-mailadres.", "email")
    account = Account(email=email, name=name, role=role, party_id=party.id, party=party)
    if password is not None:
        reason = passwords.weakness(password, email)
        if reason:
            raise AccountError(reason, "password")
        account.password_hash = await _hash(password)
        account.password_changed_at = utcnow()
    session.add(account)
    await session.flush()
    await record(session, actor, "account.created", "account", account.id,
                 {"email": email, "role": role, "party": f"{party.kind}:{party.code}"})
    return account


async def _hash(password: str) -> str:
    return await anyio.to_thread.run_sync(passwords.hash_password, password)


async def _verify(stored: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(passwords.verify_password, stored, password)


async def revoke_account(session: AsyncSession, actor: Actor, email: str) -> tuple[Account, bool]:
    """Revoking a person ends their sessions and API tokens at once."""
    account = await session.scalar(
        select(Account).where(Account.email == normalise_email(email)).with_for_update(of=Account))
    if account is None:
        raise AccountError("Er is geen account met dit e-mailadres.", "email")
    if account.revoked_at is not None:
        return account, False
    now = utcnow()
    account.revoked_at = now
    await end_sessions(session, account.id)
    await session.execute(update(User).where(User.account_id == account.id,
                                             User.revoked_at.is_(None)).values(revoked_at=now))
    await session.flush()
    await record(session, actor, "account.revoked", "account", account.id, {"email": account.email})
    return account, True


async def reinstate_account(session: AsyncSession, actor: Actor,
                            account_id: int) -> tuple[Account, bool]:
    """Undo a revocation: the person signs in again with their password (or, when they
    never chose one, a new invitation). Ended sessions and API tokens stay ended."""
    account = await session.scalar(
        select(Account).where(Account.id == account_id).with_for_update(of=Account))
    if account is None:
        raise AccountError("Dit account bestaat niet.", "email")
    if account.revoked_at is None:
        return account, False
    account.revoked_at = None
    await session.flush()
    await record(session, actor, "account.reinstated", "account", account.id,
                 {"email": account.email})
    return account, True


async def resend_invitation(session: AsyncSession, actor: Actor, account: Account,
                            public_url: str, *, inviter: str) -> str:
    """A new 7-day invitation for someone who never chose a password; earlier links stay
    valid until they expire (the person may use whichever mail they find)."""
    if account.revoked_at is not None or account.password_hash is not None:
        raise AccountError("Alleen wie nog is uitgenodigd, krijgt een nieuwe uitnodiging.",
                           "email")
    link = await invitation_link(session, account, public_url, inviter=inviter)
    await record(session, actor, "account.invitation_resent", "account", account.id,
                 {"email": account.email})
    return link


# --- signing in ------------------------------------------------------------------------


async def _failures_since(session: AsyncSession, since: datetime, address: str | None,
                          email: str | None, limit: int) -> list[datetime]:
    query = select(LoginAttempt.at).where(LoginAttempt.at > since,
                                          LoginAttempt.success.is_(False))
    if address is not None:
        query = query.where(LoginAttempt.client_address == address)
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    return list(await session.scalars(query.order_by(LoginAttempt.at.desc()).limit(limit)))


async def check_throttle(session: AsyncSession, email: str, address: str) -> None:
    """Raise Throttled when sign-in failed too often: for this e-mail address from this
    client (5 in 15 minutes), from this client for any (50 in 15 minutes), or for this
    e-mail address from anywhere (20 in 6 hours). A client is an IPv4 address or an IPv6
    /64 (pso.http.ratelimit.network_of). It lasts until the window passes."""
    now = utcnow()
    client = network_of(address)
    for limit, window, key, where in (
            (MAX_FAILURES, WINDOW, email, client), (MAX_FAILURES_PER_ADDRESS, WINDOW, None, client),
            (MAX_FAILURES_PER_ACCOUNT, ACCOUNT_WINDOW, email, None)):
        recent = await _failures_since(session, now - window, where, key, limit)
        if len(recent) >= limit:
            # Allowed again when the oldest of the last `limit` failures leaves the window.
            wait = (recent[limit - 1] + window - now).total_seconds()
            raise Throttled(max(1, math.ceil(wait)))


async def _attempt(session: AsyncSession, email: str, address: str, success: bool,
                   account: Account | None, reason: str = "") -> None:
    session.add(LoginAttempt(email=email[:254], client_address=network_of(address)[:64],
                             success=success))
    actor = actor_of(account) if account is not None else Actor(None, email[:200], "anonymous")
    summary: dict[str, Any] = {"email": email[:254], "address": address[:64]}
    if reason:
        summary["reason"] = reason
    await record(session, actor, "account.signed_in" if success else "account.sign_in_failed",
                 "account", account.id if account is not None else "-", summary)


async def authenticate(session: AsyncSession, email: str, password: str,
                       address: str) -> Account | None:
    """The account for a right e-mail and password, else None (the caller shows one
    answer for both). Throttled is raised before the password is even looked at."""
    email = normalise_email(email)[:254]
    await check_throttle(session, email, address)
    account = await find_account(session, email) if email else None
    usable = account is not None and account.revoked_at is None
    # Always one Argon2 verification, so an unknown address takes as long as a wrong password.
    ok = await _verify(account.password_hash if usable and account else None, password[:1000])
    if not (ok and usable):
        await _attempt(session, email, address, False, account if usable else None,
                       "password")
        return None
    assert account is not None
    if account.password_hash and passwords.needs_rehash(account.password_hash):
        account.password_hash = await _hash(password)
    if account.totp_enabled_at is None:
        await _attempt(session, email, address, True, account)
    return account


async def second_factor(session: AsyncSession, account: Account, code: str,
                        address: str) -> bool:
    """Check a TOTP code or an unused recovery code (which is then used up)."""
    await check_throttle(session, account.email, address)
    code = re.sub(r"[\s-]", "", code)[:40]
    ok = False
    if account.totp_secret and account.totp_enabled_at and re.fullmatch(r"\d{6}", code):
        step = totp_step(account.totp_secret, code, after=account.totp_last_step)
        if step is not None:
            account.totp_last_step, ok = step, True
    elif code:
        digest = sha256(code.lower())
        used = await session.execute(
            update(RecoveryCode).where(RecoveryCode.account_id == account.id,
                                       RecoveryCode.code_hash == digest,
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()))
        ok = used.rowcount == 1  # type: ignore[attr-defined]
    await _attempt(session, account.email, address, ok, account, "" if ok else "code")
    return ok


# --- sessions --------------------------------------------------------------------------


async def start_session(session: AsyncSession, account: Account, *, stage: str, address: str,
                        user_agent: str, previous: WebSession | None = None
                        ) -> tuple[str, WebSession]:
    """A new session id (the cookie value) and its row; the browser's previous one ends."""
    if previous is not None and previous.ended_at is None:
        previous.ended_at = utcnow()
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(id_hash=sha256(raw), account_id=account.id, stage=stage,
                     created_at=now, last_seen_at=now, expires_at=now + SESSION_LIFETIME,
                     client_address=address[:64], user_agent=user_agent[:200])
    session.add(row)
    await session.flush()
    return raw, row


@dataclass(frozen=True)
class Visit:
    """A cookie's live session and account, and what this request must write about it."""

    row: WebSession
    account: Account
    idle: bool  # unused longer than the idle limit: it ends now and is not used
    seen_due: bool  # last_seen_at is SEEN_EVERY old: write the new moment


def idle_cutoff(idle: timedelta) -> datetime:
    """Sessions last seen before this moment have been idle for `idle` at least (the write of
    last_seen_at lags up to SEEN_EVERY, so that much is added: nobody is cut off early)."""
    return utcnow() - idle - SEEN_EVERY


async def load_session(session: AsyncSession, raw: str | None, idle: timedelta
                       ) -> Visit | None:
    """The session (within its absolute lifetime) and not revoked account for a cookie value."""
    if not raw or len(raw) > 100:  # pragma: no mutate: Gt_GtE (ids are 43 characters)
        return None
    row = await session.scalar(select(WebSession).where(WebSession.id_hash == sha256(raw)))
    now = utcnow()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    account = await session.get(Account, row.account_id)
    if account is None or account.revoked_at is not None:
        return None
    return Visit(row, account, idle=row.last_seen_at <= idle_cutoff(idle),
                 seen_due=now - row.last_seen_at >= SEEN_EVERY)


async def record_visit(session: AsyncSession, visit: Visit) -> None:
    """End an idle session, or note that it was used (at most once per SEEN_EVERY)."""
    now = utcnow()
    mine = [WebSession.id == visit.row.id, WebSession.ended_at.is_(None)]
    if visit.idle:
        await session.execute(update(WebSession).where(*mine).values(ended_at=now))
    elif visit.seen_due:  # two requests at once: the second one finds nothing to do
        await session.execute(update(WebSession).where(
            *mine, WebSession.last_seen_at <= now - SEEN_EVERY).values(last_seen_at=now))


async def end_session(session: AsyncSession, account: Account, session_id: int) -> bool:
    result = await session.execute(
        update(WebSession).where(WebSession.id == session_id,
                                 WebSession.account_id == account.id,
                                 WebSession.ended_at.is_(None)).values(ended_at=utcnow()))
    ended: int = result.rowcount  # type: ignore[attr-defined]  # a CursorResult
    return ended == 1


async def end_sessions(session: AsyncSession, account_id: int) -> None:
    await session.execute(update(WebSession).where(
        WebSession.account_id == account_id, WebSession.ended_at.is_(None)
    ).values(ended_at=utcnow()))


async def live_sessions(session: AsyncSession, account: Account,
                        idle: timedelta) -> list[WebSession]:
    return list(await session.scalars(
        select(WebSession).where(WebSession.account_id == account.id,
                                 WebSession.ended_at.is_(None),
                                 WebSession.expires_at > utcnow(),
                                 WebSession.last_seen_at > idle_cutoff(idle))
        .order_by(WebSession.created_at.desc())))


# --- passwords and one-time links -------------------------------------------------------


async def change_password(session: AsyncSession, account: Account, current: str,
                          new: str) -> None:
    """Change a password; every session of the account ends (the caller starts a new one)."""
    if not await _verify(account.password_hash, current[:1000]):
        raise AccountError("Het huidige wachtwoord klopt niet.", "current")
    await _set_password(session, account, new)
    await record(session, actor_of(account), "account.password_changed", "account", account.id)


async def _set_password(session: AsyncSession, account: Account, new: str,
                        link_id: int | None = None) -> None:
    reason = passwords.weakness(new, account.email)
    if reason:
        raise AccountError(reason, "password")
    account.password_hash = await _hash(new)
    now = account.password_changed_at = utcnow()
    # Everything a thief could have kept ends: sessions, API tokens and the other links.
    await end_sessions(session, account.id)
    await session.execute(update(User).where(User.account_id == account.id,
                                             User.revoked_at.is_(None)).values(revoked_at=now))
    await _end_links(session, account.id, keep=link_id)
    await session.flush()


async def _end_links(session: AsyncSession, account_id: int, purpose: str | None = None,
                     keep: int | None = None) -> None:
    """Unused one-time links of the account (of one purpose) stop working now; `keep` is
    the link being used (use_link marks it used itself)."""
    query = update(OneTimeLink).where(OneTimeLink.account_id == account_id,
                                      OneTimeLink.used_at.is_(None),
                                      OneTimeLink.expires_at > utcnow(),
                                      OneTimeLink.id != (keep or -1))
    if purpose is not None:
        query = query.where(OneTimeLink.purpose == purpose)
    await session.execute(query.values(expires_at=utcnow()))


async def _links_sent(session: AsyncSession, account_id: int, purpose: str) -> bool:
    """True when this recipient had the most links of this kind the window allows."""
    most, window = MAIL_LIMITS[purpose]
    sent = await session.scalar(select(func.count()).select_from(OneTimeLink).where(
        OneTimeLink.account_id == account_id, OneTimeLink.purpose == purpose,
        OneTimeLink.created_at > utcnow() - window))
    return (sent or 0) >= most


async def create_link(session: AsyncSession, account: Account, purpose: str) -> str:
    """A one-time link token ('reset': 1 hour, 'invite': 7 days); only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    valid = RESET_VALID if purpose == "reset" else INVITE_VALID
    await _end_links(session, account.id, purpose)  # only the newest link works
    now = utcnow()
    session.add(OneTimeLink(token_hash=sha256(raw), purpose=purpose, account_id=account.id,
                            created_at=now, expires_at=now + valid))
    await session.flush()
    return raw


class LinkProblem(Exception):
    def __init__(self, reason: str) -> None:  # 'unknown' | 'used' | 'expired'
        super().__init__(reason)
        self.reason = reason


async def open_link(session: AsyncSession, raw: str) -> tuple[OneTimeLink, Account]:
    if not raw or len(raw) > 100:  # pragma: no mutate: Gt_GtE (tokens are 43 characters)
        raise LinkProblem("unknown")
    link = await session.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == sha256(raw)))
    account = await session.get(Account, link.account_id) if link is not None else None
    if link is None or account is None or account.revoked_at is not None:
        raise LinkProblem("unknown")
    if link.used_at is not None:
        raise LinkProblem("used")
    if link.expires_at <= utcnow():
        raise LinkProblem("expired")
    return link, account


async def use_link(session: AsyncSession, raw: str, new_password: str) -> Account:
    """Set the password through a link; the link is used up (also against a racing
    second use: the update only succeeds while used_at is still empty)."""
    link, account = await open_link(session, raw)
    await _set_password(session, account, new_password, link.id)
    done = await session.execute(update(OneTimeLink).where(
        OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None)).values(used_at=utcnow()))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkProblem("used")
    await record(session, actor_of(account), "account.password_set", "account", account.id,
                 {"through": "invitation" if link.purpose == "invite" else "reset"})
    return account


async def request_reset(session: AsyncSession, email: str, public_url: str) -> None:
    """Mail a reset link when an active account has this address; silent otherwise."""
    account = await find_account(session, email)
    if account is None or account.revoked_at is not None:
        return
    if await _links_sent(session, account.id, "reset"):
        return  # silent, as for an unknown address
    raw = await create_link(session, account, "reset")
    await _mail(session, account, "password_reset", f"{public_url}/wachtwoord-instellen/{raw}",
                RESET_VALID)
    await record(session, SYSTEM, "account.reset_requested", "account", account.id)


async def _mail(session: AsyncSession, account: Account, template: str, link: str,
                valid: timedelta, **extra: Any) -> None:
    until = utcnow() + valid
    local = until.astimezone(AMSTERDAM)
    await queue_mail(session, to=account.email, template=template, context={
        "name": account.name, "link": link, "party_name": account.party.name,
        "valid_until": f"{dutch_date(local.date())} {local:%H:%M}", **extra})


# A certifying body's people are added by an admin only (pso beheer, `pso accounts add`): an
# auditor who could invite a second account for themselves could take the separate
# decision on their own review (SPEC: the reviewer never decides).
INVITE_REFUSED = ("Mensen van een certificerende instelling worden alleen door een beheerder "
                  "toegevoegd; vraag de beheerder van de PSO-dienst om uw collega een account "
                  "te geven.")


def may_invite(account: Account) -> bool:
    return account.role != "auditor"


async def invite(session: AsyncSession, inviter: Account, *, email: str, name: str,
                 public_url: str) -> tuple[Account | None, str | None]:
    """A new account in the inviter's own party and role, with a 7-day link to set a
    password; the invitation is mailed. Returns the account and the link. Auditors cannot
    invite (INVITE_REFUSED); an admin's invitation makes another admin. An address with an
    account at another party gets a mail saying so, and (None, None) is returned."""
    if not may_invite(inviter):
        raise AccountError(INVITE_REFUSED, "email")
    existing = await find_account(session, email)
    if existing is not None and existing.party_id != inviter.party_id:
        # Whether another party's address has an account is not the inviter's business: the
        # answer is the same as for a new colleague; the address's owner hears of it.
        await queue_mail(session, to=existing.email, template="invitation_existing", context={
            "name": existing.name, "inviter": inviter.name, "party_name": inviter.party.name})
        await record(session, actor_of(inviter), "account.invite_existing", "account",
                     existing.id, {"party": f"{inviter.party.kind}:{inviter.party.code}"})
        return None, None
    account = await create_account(session, actor_of(inviter), email=email, name=name,
                                   role=inviter.role, party=inviter.party)
    link = await invitation_link(session, account, public_url, inviter=inviter.name)
    return account, link


async def invitation_link(session: AsyncSession, account: Account, public_url: str, *,
                          inviter: str) -> str:
    if await _links_sent(session, account.id, "invite"):
        most = MAIL_LIMITS["invite"][0]
        raise AccountError(f"Dit adres heeft vandaag al {most} uitnodigingen gekregen; probeer "
                           "het morgen opnieuw.", "email")
    raw = await create_link(session, account, "invite")
    link = f"{public_url}/wachtwoord-instellen/{raw}"
    await _mail(session, account, "invitation", link, INVITE_VALID, inviter=inviter)
    return link


# --- TOTP ------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(account: Account, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, *, after: int | None = None) -> int | None:
    """The 30-second step (now, or one either side for clock drift) whose code this is,
    when later than `after`: a code is accepted once (RFC 6238 section 5.2)."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(utcnow())  # the service clock, so tests can stop it
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def sign_secret(key: str, session_hash: str, secret: str) -> str:
    return hmac.new(key.encode(), f"totp:{session_hash}:{secret}".encode(),
                    hashlib.sha256).hexdigest()


async def enable_totp(session: AsyncSession, account: Account, secret: str,
                      code: str) -> list[str]:
    """Switch TOTP on after a right code from the new secret; returns fresh recovery codes
    (shown once; only their hashes are stored)."""
    code = re.sub(r"\s", "", code)
    if not re.fullmatch(r"[A-Z2-7]{32}", secret):
        raise AccountError("De koppeling is verlopen; begin opnieuw.", "code")
    step = totp_step(secret, code) if re.fullmatch(r"\d{6}", code) else None
    if step is None:
        raise AccountError("Deze code klopt niet. Controleer de tijd op uw telefoon en "
                           "vul de code in die de app nu toont.", "code")
    account.totp_secret = secret
    account.totp_enabled_at = utcnow()
    account.totp_last_step = step
    codes = await _new_recovery_codes(session, account)
    await record(session, actor_of(account), "account.totp_enabled", "account", account.id)
    return codes


async def _new_recovery_codes(session: AsyncSession, account: Account) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = ["-".join(secrets.token_hex(3) for _ in range(3)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(account_id=account.id, code_hash=sha256(c.replace("-", "")))
                    for c in codes)
    await session.flush()
    return codes


async def remaining_recovery_codes(session: AsyncSession, account: Account) -> int:
    return await session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))) or 0


async def disable_totp(session: AsyncSession, account: Account, password: str) -> None:
    if not await _verify(account.password_hash, password[:1000]):
        raise AccountError("Het wachtwoord klopt niet.", "password")
    account.totp_secret = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    await session.flush()
    await record(session, actor_of(account), "account.totp_disabled", "account", account.id)


# --- personal API tokens ---------------------------------------------------------------


async def create_token(session: AsyncSession, account: Account, label: str) -> tuple[User, str]:
    label = label.strip()
    if not label or len(label) > 100:
        raise AccountError("Geef het token een naam (hoogstens 100 tekens), zodat u het later "
                           "herkent.", "label")
    actor = actor_of(account)
    token = new_token()
    user = User(name=account.name, role=account.role, kvk=actor.kvk,
                municipality_code=actor.municipality_code, token_hash=hash_token(token),
                account_id=account.id, label=label)
    session.add(user)
    await session.flush()
    await record(session, actor, "user.created", "user", user.id,
                 {"role": account.role, "name": account.name, "label": label})
    return user, token


async def account_tokens(session: AsyncSession, account: Account) -> list[User]:
    return list(await session.scalars(
        select(User).where(User.account_id == account.id, User.revoked_at.is_(None))
        .order_by(User.created_at.desc())))


async def revoke_token(session: AsyncSession, account: Account, token_id: int) -> bool:
    user = await session.scalar(select(User).where(User.id == token_id,
                                                   User.account_id == account.id))
    if user is None or user.revoked_at is not None:
        return False
    user.revoked_at = utcnow()
    await session.flush()
    await record(session, actor_of(account), "user.revoked", "user", user.id,
                 {"role": user.role, "name": user.name, "label": user.label})
    return True
