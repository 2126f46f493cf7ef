"""The `pso` command line."""

from __future__ import annotations

import asyncio
import gc
import sys

import click

from pso.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def main() -> None:
    """PSO-dienst: Prestatieladder Socialer Ondernemen."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Do not load demo data into a new database.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes sharing this port (production: about one per core).")
def serve(host: str, port: int, no_demo: bool, workers: int) -> None:
    """Apply migrations, load demo data into a new database, and serve."""
    import os

    import uvicorn

    from pso.db.setup import prepare_database

    settings = _settings()
    tokens = asyncio.run(prepare_database(settings, demo=not no_demo))
    if tokens:
        click.echo("Demo data loaded. Tokens for trying the API (shown only now):")
        for label, token in tokens.items():
            click.echo(f"  {label:34} {token}")
    click.echo(f"PSO-dienst on http://{host}:{port}/  (API: /api/v1/openapi.json)")
    if workers == 1:
        # proxy_headers=False: X-Forwarded-For is applied by the app itself, and only from
        # PSO_TRUSTED_PROXIES (pso/proxy.py); uvicorn's default trusts it from loopback.
        uvicorn.run(server_app(settings), host=host, port=port, log_level="info",
                    proxy_headers=False)
        return
    # Each worker process builds its own app from the environment. Without a configured
    # key each would invent its own; share this one so sessions work on every worker.
    os.environ.setdefault("PSO_SECRET_KEY", settings.secret_key)
    uvicorn.run("pso.cli:server_app", factory=True, workers=workers, host=host, port=port,
                proxy_headers=False,
                log_level="info")


def server_app(settings: Settings | None = None):
    """The app as `pso serve` runs it (also the factory of each --workers process)."""
    from pso.app import create_app

    app = create_app(settings)
    app.on_startup.append(_freeze_start_up_objects)  # after the PDF engine's warm-up
    return app


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
@click.option("--name", default=None)
@click.option("--kvk", default=None, help="KvK number (company users)")
@click.option("--municipality", default=None, help="Municipality code like GM0200")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None,
              help="The token stops working after this many days (default: never).")
@click.option("--token-only", is_flag=True, help="Print only the new token.")
def users_add(
    role: str, name: str | None, kvk: str | None, municipality: str | None,
    expires_in_days: int | None, token_only: bool,
) -> None:
    """Create a user and print its token (shown once; only a hash is stored)."""
    from pso.db.setup import add_user
    from pso.services.users import UserInputError

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


@users.command("revoke")
@click.option("--id", "user_id", type=int, default=None, help="The user id `users add` printed.")
@click.option("--token", default=None, help="The token itself (e.g. one found in a leak).")
def users_revoke(user_id: int | None, token: str | None) -> None:
    """Revoke a user's token at once; it is refused (401) from the next request on."""
    from pso.db.setup import revoke_user
    from pso.services.users import UserInputError

    try:
        found, changed = asyncio.run(revoke_user(_settings(), user_id, token))
    except UserInputError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"user {found}: token revoked" if changed else f"user {found} was already revoked")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def employees(file: str) -> None:
    """Read an employee list (CSV or .xlsx) and print it as submission JSON.

    Exit 2 with the problem details (rows and columns named) when the file is wrong.
    """
    import json

    from pso.api.uploads import upload_problem
    from pso.errors import ProblemError
    from pso.upload import MAX_UPLOAD_BYTES, UploadInvalid, read_employees

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
