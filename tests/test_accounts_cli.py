"""`pso users add --email … --role … --party …` and `pso users revoke --email …`, next to
every form of the first release (which tests/test_cli.py and test_users_cli.py keep)."""

from __future__ import annotations

import re
from pathlib import Path

from litestar.testing import TestClient

from pso.app import create_app
from pso.settings import Settings
from tests.cli import CliResult, run_cli

PASSWORD = "Groene-Ladder-Zomer-2026"


def pso(*args: str, url: str, stdin: str | None = None) -> CliResult:
    env = {"PSO_DATABASE_URL": url, "PSO_ENV": "test", "PSO_PUBLIC_URL": "https://pso.example.nl"}
    return run_cli(*args, env=env, stdin=stdin)


def sign_in(client: TestClient, email: str, password: str):
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/inloggen").text).group(1)
    return client.post("/inloggen", data={"email": email, "password": password, "csrf": csrf},
                       follow_redirects=False)


def test_add_with_password_invitation_and_revoke(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    added = pso("users", "add", "--email", "Ana@Example.nl", "--name", "Ana", "--role",
                "municipality", "--party", "GM0363", "--party-name", "Gemeente Amsterdam",
                "--password-stdin", url=url, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "created for ana@example.nl" in added.stdout and "invitation" not in added.stdout

    invited = pso("users", "add", "--email", "bob@example.nl", "--name", "Bob", "--role",
                  "company", "--party", "12345678", url=url)
    assert invited.returncode == 0, invited.stderr
    link = re.search(r"https://pso\.example\.nl(/wachtwoord-instellen/\S+)", invited.stdout)
    assert link, invited.stdout

    token = pso("users", "add", "--email", "cas@example.nl", "--role", "admin",
                "--token-only", url=url).stdout.strip()
    assert token.startswith("pso_") and "\n" not in token

    app = create_app(Settings.from_env({"PSO_DATABASE_URL": url, "PSO_ENV": "test",
                                        "PSO_RATE_LIMIT": "0"}))
    with TestClient(app) as client:
        assert sign_in(client, "ana@example.nl", PASSWORD).headers["location"] == "/gemeente"
        assert "Gemeente Amsterdam" in client.get("/gemeente").text
        page = client.get(link.group(1))
        assert page.status_code == 200 and "bob@example.nl" in page.text
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/audit-events", headers=auth).status_code == 200

        revoked = pso("users", "revoke", "--email", "ANA@example.nl", url=url)
        assert revoked.returncode == 0 and "revoked" in revoked.stdout, revoked.stderr
        assert client.get("/gemeente", follow_redirects=False).status_code == 303
        again = pso("users", "revoke", "--email", "ana@example.nl", url=url)
        assert again.returncode == 0 and "already" in again.stdout
        assert pso("users", "revoke", "--email", "cas@example.nl", url=url).returncode == 0
        assert client.get("/api/v1/audit-events", headers=auth).status_code == 401


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    cases = [
        (("--email", "a@example.nl", "--role", "company", "--party", "123"), None, "KvK"),
        (("--email", "a@example.nl", "--role", "municipality", "--party", "Amsterdam"), None,
         "GM0200"),
        (("--email", "geen-adres", "--role", "admin"), None, "e-mailadres"),
        (("--email", "a@example.nl", "--role", "keizer"), None, "Onbekende rol"),
        (("--email", "a@example.nl", "--role", "admin", "--password-stdin"), "kort\n",
         "12 tekens"),
        (("--email", "a@example.nl", "--role", "admin", "--password-stdin"),
         "qwertyuiop123\n", "veelgebruikte"),
        (("--role", "admin", "--party", "x"), None, "need --email"),
    ]
    for args, stdin, message in cases:
        result = pso("users", "add", *args, url=url, stdin=stdin)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
    assert pso("users", "add", "--email", "a@example.nl", "--role", "admin", url=url
               ).returncode == 0
    twice = pso("users", "add", "--email", "A@example.nl", "--role", "admin", url=url)
    assert twice.returncode == 2 and "bestaat al" in twice.stderr
    unknown = pso("users", "revoke", "--email", "niemand@example.nl", url=url)
    assert unknown.returncode == 2 and "geen account" in unknown.stderr
    both = pso("users", "revoke", "--email", "a@example.nl", "--id", "1", url=url)
    assert both.returncode == 2
