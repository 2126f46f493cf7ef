"""Settling a social-return contract in a real browser (chromium, JavaScript off) on
PostgreSQL, or SQLite without it (tests/browser/support.py, one_backend): the confirmation
the server checks, a reason before the contract end, the frozen figures and the PDF
download. Screenshots at 1280 px and 390 px."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from tests.browser.support import one_backend, shoot, submit
from tests.browser.test_social_return_browser import (  # noqa: F401  (browser, tab: fixtures)
    browser,
    served,
    tab,
    to_terms_after_award,
)


@pytest.fixture(scope="module", params=one_backend("postgres"))
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Its own server and database (test_social_return_browser.py runs on SQLite); the
    imported `browser` and `tab` fixtures use this one."""
    with served(request.param, tmp_path_factory, "social_return_settlement") as found:
        yield found


def test_buyer_settles_early_with_a_reason(tab, site, tmp_path) -> None:  # noqa: F811
    backend = site["backend"]
    to_terms_after_award(tab, "Groenonderhoud 2027", "PU-2026-077")
    tab.fill("#f-reductions-trede2", "50")
    submit(tab, "button:has-text('Afspraken vastleggen')")

    submit(tab, "button:has-text('Contract afrekenen')")
    main = " ".join(tab.inner_text("main").split())
    assert "afrekenen kan maar één keer" in main
    tab.fill("#f-settle-reason", "Opdracht eerder beëindigd.")
    shoot(tab, f"social-return-afrekenen-{backend}")
    tab.check("#f-settle-confirm")
    submit(tab, "button:has-text('Contract afrekenen')")
    main = " ".join(tab.inner_text("main").split())
    # 5 % of 250.000 less 50 % = 6.250 short; boete × 1
    assert "Contract afgerekend: tekort € 6.250,00, te betalen € 6.250,00." in main
    assert "Reden: Opdracht eerder beëindigd." in main
    shoot(tab, f"social-return-afgerekend-{backend}")
    with tab.expect_download() as got:
        tab.click("text=Download eindverantwoording (PDF)")
    path = tmp_path / "eindverantwoording.pdf"
    got.value.save_as(path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "Tekort € 6.250,00" in text and "Boete € 6.250,00" in text
    tab.goto("/inkoop/social-return")
    main = " ".join(tab.inner_text("main").split())
    assert "Groenonderhoud 2027" in main and "afgerekend, te betalen € 6.250,00" in main
    shoot(tab, f"social-return-overzicht-{backend}")
