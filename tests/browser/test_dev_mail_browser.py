"""The daily jobs inside the server and /dev/mail in a real browser (Debian chromium,
JavaScript off), on SQLite (tests/browser/support.py, one_backend): a server started with
PSO_TODAY queues the three-month reminder by itself, and the outbox page shows the mail's text
and its HTML part in a sandboxed frame."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.db.engine import make_engine
from tests.browser.support import (
    ARTIFACTS,
    DESKTOP,
    chromium,
    database,
    one_backend,
    server_app,
    shoot,
)
from tests.jobs import data
from tests.servers import start_server


async def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        await data.reminder_fixture(async_sessionmaker(engine, expire_on_commit=False))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=one_backend("sqlite"))
def base(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database(request.param, tmp_path_factory, "devmail") as url:
        asyncio.run(_seed(url))
        with start_server(url, env={"PSO_TODAY": data.DAY.isoformat(), "PSO_JOBS_HOUR": "0"},
                          command=server_app) as served:
            yield served


def test_reminder_in_the_outbox_page(base: str) -> None:
    with chromium() as browser:
        context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
        tab = context.new_page()
        deadline = time.monotonic() + 20
        while True:  # the server's scheduler runs the day's jobs right after start-up
            tab.goto(f"{base}/dev/mail")
            if tab.get_by_role("link", name="Uw PSO-certificaat").count() == 2:
                break
            assert time.monotonic() < deadline, tab.content()
            time.sleep(0.2)
        assert tab.get_by_text("In de wachtrij").count() == 2
        tab.get_by_role("link", name="Uw PSO-certificaat").first.click()
        heading = tab.get_by_role("heading", level=1)
        assert heading.inner_text() == (
            "Uw PSO-certificaat PSO-2024-000001 verloopt op 1 mei 2026")
        text = tab.locator("pre.mail-text").inner_text()
        assert "over drie maanden" in text and "Bedrijf 10000000 (KvK 10000000)" in text
        frame = tab.frame_locator("iframe.mail-html")
        assert "over drie maanden" in frame.locator("body").inner_text()
        assert frame.get_by_role("link", name="Certificaat in het register bekijken") \
            .get_attribute("href").endswith("/register/PSO-2024-000001")
        shoot(tab, "dev-mail-reminder", phone=False)
        # Full-page shots leave the (out-of-process) sandboxed frame blank: the frame in view.
        tab.locator("iframe.mail-html").scroll_into_view_if_needed()
        tab.screenshot(path=str(ARTIFACTS / "dev-mail-reminder-html.png"))
