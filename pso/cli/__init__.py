"""The `pso` command line."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import sys

import click

from pso.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    from pso import clock, passwords
    from pso.mail import configure as configure_mail

    if settings.today is not None:  # PSO_TODAY: development and tests only
        clock.fix(settings.today)
    configure_mail(settings.public_url)
    passwords.configure(settings.env)
    return settings


@click.group()
def main() -> None:
    """PSO-dienst: Prestatieladder Socialer Ondernemen."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-demo", is_flag=True,
              help="Do not load demo data into a new database (never loaded in production).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes sharing this port (production: about one per core).")
def serve(host: str, port: int, no_demo: bool, workers: int) -> None:
    """Apply migrations, load demo data into a new development database, and serve."""
    import os

    import uvicorn

    from pso.cli.database import prepare_database

    settings = _settings()
    sign_ins: dict[str, tuple[str, str]] = {}
    tokens = asyncio.run(prepare_database(settings, demo=not no_demo, sign_ins=sign_ins))
    if tokens and settings.is_development:  # working tokens are never printed in production
        click.echo("Demo data loaded. Tokens for trying the API (shown only now):")
        for label, token in tokens.items():
            click.echo(f"  {label:34} {token}")
    if sign_ins and settings.is_development:
        click.echo("Demo sign-ins at /inloggen (development only; admin and auditor set up "
                   "their authenticator app at the first sign-in):")
        for label, (email, password) in sign_ins.items():
            click.echo(f"  {label:34} {email:24} {password}")
    click.echo(f"PSO-dienst on http://{host}:{port}/  (API: /api/v1/openapi.json)")
    options = server_options(settings)
    if workers == 1:
        uvicorn.run(server_app(settings), host=host, port=port, **options)
        return
    # Each worker process builds its own app from the environment. Without a configured
    # key each would invent its own; share this one so sessions work on every worker.
    os.environ.setdefault("PSO_SECRET_KEY", settings.secret_key)
    uvicorn.run("pso.cli:server_app", factory=True, workers=workers, host=host, port=port,
                **options)


def server_options(settings: Settings) -> dict[str, object]:
    """How `pso serve` runs uvicorn: its C parser (httptools) on uvloop, about twice the
    throughput of the pure-Python h11 on asyncio (benchmarks/bench_http.py measured granian
    at the same figure; uvicorn keeps one process per worker, which the fault tests rely on).
    No access log unless PSO_ACCESS_LOG=1. The app reads trusted proxy headers itself, so the
    server's own X-Forwarded-For handling is off."""
    return {
        "http": _available("httptools", "h11"),
        "loop": _available("uvloop", "asyncio"),
        "access_log": settings.access_log,
        "proxy_headers": False,
        "server_header": False,
        "log_level": "info",
    }


def _available(module: str, fallback: str) -> str:
    import importlib.util

    return module if importlib.util.find_spec(module) is not None else fallback


class HideLinkTokens(logging.Filter):
    """Keeps the token of a one-time link (password reset, invitation) out of the access
    log: whoever reads the log must not be able to take over the account."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = redact_path(str(args[2]))
            record.args = tuple(args)
        return True


def redact_path(path: str) -> str:
    return ONE_TIME_PATH.sub(r"\1…", path)


ONE_TIME_PATH = re.compile(r"(/wachtwoord-instellen/)[^/?\s]+")


def server_app(settings: Settings | None = None):
    """The app as `pso serve` runs it (also the factory of each --workers process)."""
    from pso.app import create_app

    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideLinkTokens) for f in access.filters):
        access.addFilter(HideLinkTokens())

    app = create_app(settings)
    app.on_startup.append(_freeze_start_up_objects)  # after the PDF engine's warm-up
    _background_work(app)
    return app


def _background_work(app) -> None:
    """The daily jobs (pso.jobs) and, with PSO_SMTP_URL, the outbox sender (pso.mail) run
    inside the server, started and stopped with it."""
    from pso.jobs import Scheduler
    from pso.mail import MailSender

    workers: list[Scheduler | MailSender] = []

    async def start() -> None:
        settings, session_maker = app.state.settings, app.state.session_maker
        workers.append(Scheduler(session_maker, settings))
        if settings.smtp_url:
            workers.append(MailSender(session_maker, settings))
        for worker in workers:
            await worker.start()

    async def stop() -> None:
        for worker in reversed(workers):
            await worker.stop()

    app.on_startup.append(start)
    app.on_shutdown.insert(0, stop)  # before the engine is disposed


def _freeze_start_up_objects() -> None:
    """Objects made at start-up (modules, ORM, schemas, fonts) live as long as the process.
    Frozen, the garbage collector stops rescanning them in every full collection, which
    roughly halves a 10,000-bid tender evaluation (benchmarks/bench_procurement.py)."""
    gc.collect()
    gc.freeze()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
def upgrade() -> None:
    """Apply all migrations."""
    from pso.db.migrate import upgrade as run_upgrade

    run_upgrade(_settings().database_url)
    click.echo("database is up to date")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False))
def backup(file: str) -> None:
    """Consistent copy of the SQLite database to FILE, also while the service runs."""
    from pso.db.backup import BackupError
    from pso.db.backup import backup as run_backup

    try:
        size = run_backup(_settings().database_url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {file} ({size / 1_048_576:.1f} MB)")


@main.group()
def users() -> None:
    """User and token management."""


@users.command("add")
@click.option("--role", required=True, help="admin, auditor, procurement, municipality or company")
@click.option("--email", default=None,
              help="A person's e-mail address: creates an account that signs in at /inloggen.")
@click.option("--name", default=None)
@click.option("--party", default=None,
              help="With --email: the KvK number (company, procurement), GM code "
                   "(municipality) or body code (auditor) of the person's party; none for admin.")
@click.option("--party-name", default=None, help="The party's name, when it is new.")
@click.option("--password-stdin", is_flag=True,
              help="With --email: read the password from standard input; without it an "
                   "invitation link is printed (and mailed), valid 7 days.")
@click.option("--kvk", default=None, help="KvK number (company users)")
@click.option("--municipality", default=None,
              help="Municipality code like GM0200; with --role procurement and --party: the "
                   "municipality the buying organisation buys for")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None,
              help="The token stops working after this many days (default: never).")
@click.option("--token-only", is_flag=True, help="Print only the new token.")
def users_add(
    role: str, email: str | None, name: str | None, party: str | None, party_name: str | None,
    password_stdin: bool, kvk: str | None, municipality: str | None,
    expires_in_days: int | None, token_only: bool,
) -> None:
    """Create a person's account (--email), or an API token without a person."""
    from pso.cli.database import add_user
    from pso.services.users import UserInputError

    if email is not None:
        buys_for = municipality if role == "procurement" and party else None
        _add_account(role, email, name, party or kvk or municipality, party_name,
                     password_stdin, expires_in_days, token_only, buys_for)
        return
    if party or party_name or password_stdin:
        raise click.UsageError("--party, --party-name and --password-stdin need --email")
    try:
        user_id, token = asyncio.run(
            add_user(_settings(), role, name, kvk, municipality, expires_in_days)
        )
    except UserInputError as exc:
        raise click.UsageError(str(exc)) from None
    if token_only:
        click.echo(token)
    else:
        click.echo(f"user {user_id} ({role}) created; token: {token}")


def _add_account(role: str, email: str, name: str | None, party: str | None,
                 party_name: str | None, password_stdin: bool, expires_in_days: int | None,
                 token_only: bool, buys_for: str | None = None) -> None:
    from pso.cli.database import add_account
    from pso.services.accounts import AccountError

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        account_id, link, token = asyncio.run(add_account(
            _settings(), email=email, name=name or email.split("@")[0], role=role, party=party,
            party_name=party_name, password=password, with_token=token_only,
            expires_in_days=expires_in_days, municipality=buys_for))
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None
    if token_only:
        click.echo(token)
        return
    click.echo(f"account {account_id} ({role}) created for {email.strip().lower()}")
    if link:
        click.echo(f"invitation link (valid 7 days, also mailed): {link}")


@users.command("revoke")
@click.option("--email", default=None, help="A person: their sessions and tokens end at once.")
@click.option("--id", "user_id", type=int, default=None, help="The user id `users add` printed.")
@click.option("--token", default=None, help="The token itself (e.g. one found in a leak).")
def users_revoke(email: str | None, user_id: int | None, token: str | None) -> None:
    """Revoke a person (--email) or one token; refused (401) from the next request on."""
    from pso.cli.database import revoke_account, revoke_user
    from pso.services.accounts import AccountError
    from pso.services.users import UserInputError

    if email is not None:
        if user_id is not None or token is not None:
            raise click.UsageError("give --email, --id or --token, not several")
        try:
            account_id, changed = asyncio.run(revoke_account(_settings(), email))
        except AccountError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(f"account {account_id}: revoked, sessions and tokens ended" if changed
                   else f"account {account_id} was already revoked")
        return
    try:
        found, changed = asyncio.run(revoke_user(_settings(), user_id, token))
    except UserInputError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"user {found}: token revoked" if changed else f"user {found} was already revoked")


@main.group()
def mail() -> None:
    """The mail outbox (SPEC 7.5)."""


@mail.command("outbox")
@click.option("--status", type=click.Choice(["queued", "sent", "failed"]), default=None,
              help="Only mails with this status (default: all).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--show", "show_id", type=int, default=None, help="Print this mail in full.")
def mail_outbox(status: str | None, limit: int, show_id: int | None) -> None:
    """List the outbox, newest first (or print one mail with --show ID)."""
    from pso.mail.admin import outbox_lines, show_mail

    settings = _settings()
    if show_id is not None:
        text = asyncio.run(show_mail(settings, show_id))
        if text is None:
            raise click.ClickException(f"no mail {show_id} in the outbox")
        click.echo(text)
        return
    for line in asyncio.run(outbox_lines(settings, status, limit)):
        click.echo(line)


@mail.command("send")
def mail_send() -> None:
    """Deliver every queued mail that is due now through PSO_SMTP_URL."""
    from pso.mail.admin import send_now

    settings = _settings()
    if not settings.smtp_url:
        raise click.ClickException("PSO_SMTP_URL is not set: mail stays in the outbox")
    report = asyncio.run(send_now(settings))
    click.echo(f"sent {report.sent}, retrying later {report.retrying}, failed {report.failed}")
    for error in dict.fromkeys(report.errors):
        click.echo(f"  {error}", err=True)
    if report.retrying or report.failed:
        sys.exit(1)


@main.group()
def jobs() -> None:
    """Scheduled work: expiry reminders and voucher expiry (daily inside pso serve)."""


@jobs.command("run")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="Run for this day instead of today (PSO_TODAY, else the real date).")
def jobs_run(day: str | None) -> None:
    """Run the daily jobs now (and, with PSO_SMTP_URL, send the outbox). When another
    instance is running them this reports so and exits 0: that instance does the work."""
    from datetime import date

    from pso.jobs.admin import run_now

    settings = _settings()
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter("use a date like 2026-03-01", param_hint="--date") from None
    report, sent = asyncio.run(run_now(settings, on))
    if not report.ran:
        click.echo(f"jobs for {report.day}: another instance is running them; nothing done")
    else:
        click.echo(f"jobs for {report.day}:")
        for name, counts in report.results.items():
            click.echo(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if sent is not None:
        click.echo(f"mail: sent {sent.sent}, retrying later {sent.retrying}, "
                   f"failed {sent.failed}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def employees(file: str) -> None:
    """Read an employee list (CSV or .xlsx) and print it as submission JSON.

    Exit 2 with the problem details (rows and columns named) when the file is wrong.
    """
    import json

    from pso.api.uploads import upload_problem
    from pso.errors import ProblemError
    from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid, read_employees

    try:
        with click.open_file(file, "rb") as handle:
            data = handle.read(MAX_UPLOAD_BYTES + 1)
    except OSError as exc:
        raise click.FileError(file, exc.strerror) from None
    try:
        result = read_employees(data)
    except UploadInvalid as exc:
        problem: ProblemError = upload_problem(exc)
        click.echo(json.dumps(problem.body(), ensure_ascii=False, indent=2))
        sys.exit(2)
    click.echo(json.dumps({"employees": result.employees}, ensure_ascii=False, indent=2))


@main.command("score")
@click.argument("file")  # no click.Path checks: an unreadable file answers with a problem too
def score_file(file: str) -> None:
    """Score a submission (JSON file, or - for stdin) and print the result as JSON.

    The same calculation as POST /api/v1/score. Exit 2 with the problem details when the
    file cannot be read or the submission is invalid.
    """
    import json

    from pso.api.score import score_body
    from pso.errors import InvalidInput
    from scoring.parse import MAX_BODY_BYTES

    def fail(problem: InvalidInput) -> None:
        click.echo(json.dumps(problem.body(), ensure_ascii=False, indent=2))
        sys.exit(2)

    try:
        with click.open_file(file, "rb") as handle:
            raw = handle.read(MAX_BODY_BYTES + 1)
    except OSError as exc:
        fail(InvalidInput([{"name": "file",
                            "reason": f"Het bestand kan niet worden gelezen: {exc.strerror}"}]))
    try:
        result = score_body(raw)
    except InvalidInput as problem:
        fail(problem)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
