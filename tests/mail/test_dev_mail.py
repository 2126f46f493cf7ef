"""/dev/mail shows the outbox in development and tests, and does not exist in production."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from pso import mail
from pso.app import create_app
from pso.settings import Settings
from tests.mail.test_outbox import CONTEXT

pytestmark = pytest.mark.anyio


async def test_outbox_list_mail_and_sandboxed_html(client, session_maker) -> None:
    empty = await client.get("/dev/mail")
    assert empty.status_code == 200 and "De outbox is leeg." in empty.text
    async with session_maker() as session, session.begin():
        row = await mail.queue_mail(session, to="ans@example.nl", template="certificate_expiry",
                                    context={**CONTEXT, "name": "<script>alert(1)</script>"})
    listing = await client.get("/dev/mail")
    assert "ans@example.nl" in listing.text
    assert f'href="/dev/mail/{row.id}"' in listing.text
    assert "In de wachtrij" in listing.text
    page = await client.get(f"/dev/mail/{row.id}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text            # text part escaped on the page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert f'<iframe class="mail-html" sandbox src="/dev/mail/{row.id}/html"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = await client.get(f"/dev/mail/{row.id}/html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    policy = html.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy
    assert html.headers["x-frame-options"] == "SAMEORIGIN"
    assert "&lt;script&gt;" in html.text and "<script>" not in html.text


@pytest.mark.parametrize("path", ["/dev/mail/999", "/dev/mail/0", "/dev/mail/99999999999",
                                  "/dev/mail/abc", "/dev/mail/999/html"])
async def test_unknown_mail_is_404(client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404


async def test_absent_in_production(database_url: str) -> None:
    settings = Settings.from_env({"PSO_ENV": "production", "PSO_DATABASE_URL": database_url,
                                  "PSO_SECRET_KEY": "x" * 40, "PSO_RATE_LIMIT": "0",
                                  "PSO_PUBLIC_URL": "https://pso.example.nl"})
    async with AsyncTestClient(app=create_app(settings)) as client:
        for path in ("/dev/mail", "/dev/mail/1", "/dev/mail/1/html"):
            response = await client.get(path)
            assert response.status_code == 404, path
