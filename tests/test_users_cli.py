"""Token lifetime from the command line: `pso users add --expires-in-days`, `pso users revoke`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from pso.app import create_app
from pso.auth import SYSTEM
from pso.db.models import AuditEvent, User
from pso.services import users
from pso.services.users import UserInputError
from pso.settings import Settings
from tests.test_cli import run


def test_revoke_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    added = run("users", "add", "--role", "admin", "--expires-in-days", "30", database_url=url)
    assert added.returncode == 0, added.stderr
    user_id = added.stdout.split()[1]
    token = added.stdout.strip().rsplit(" ", 1)[1]
    other = run("users", "add", "--role", "admin", "--token-only", database_url=url).stdout.strip()
    app = create_app(Settings.from_env({"PSO_DATABASE_URL": url, "PSO_ENV": "test",
                                        "PSO_RATE_LIMIT": "0"}))
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.get("/api/v1/audit-events", headers=auth).status_code == 200

        revoked = run("users", "revoke", "--id", user_id, database_url=url)
        assert revoked.returncode == 0, revoked.stderr
        assert "revoked" in revoked.stdout
        assert client.get("/api/v1/audit-events", headers=auth).status_code == 401
        again = run("users", "revoke", "--token", token, database_url=url)
        assert again.returncode == 0 and "already" in again.stdout

        events = client.get("/api/v1/audit-events",
                            headers={"Authorization": f"Bearer {other}"}).json()["items"]
    actions = [(e["action"], e["entityId"]) for e in events]
    assert actions.count(("user.revoked", user_id)) == 1
    created = next(e for e in events if e["action"] == "user.created" and e["entityId"] == user_id)
    expires = datetime.fromisoformat(created["summary"]["expiresAt"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)


@pytest.mark.parametrize("args", [(), ("--id", "1", "--token", "pso_x"), ("--id", "999"),
                                  ("--token", "pso_unknown")])
def test_revoke_refuses_unclear_or_unknown_targets(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    result = run("users", "revoke", *args, database_url=url)
    assert result.returncode == 2, result.stdout


@pytest.mark.anyio
async def test_revoke_service_records_once(session_maker) -> None:
    async with session_maker() as session, session.begin():
        user, token = await users.add(session, SYSTEM, "auditor", "Auditor")
    async with session_maker() as session, session.begin():
        _, changed = await users.revoke(session, SYSTEM, token=token)
        assert changed
    async with session_maker() as session, session.begin():
        found, changed = await users.revoke(session, SYSTEM, user_id=user.id)
        assert not changed and found.revoked_at is not None
        with pytest.raises(UserInputError):
            await users.revoke(session, SYSTEM)
    async with session_maker() as session:
        stored = await session.scalar(select(User).where(User.id == user.id))
        assert stored.revoked_at is not None
        revocations = list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.revoked")))
    assert len(revocations) == 1 and revocations[0].entity_id == str(user.id)
