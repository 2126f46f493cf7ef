"""PDF rendering through pso.files.pdf_pool: same bytes in a worker, recycled workers, time limit."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.testing import AsyncTestClient

from certificates.certificate import TEMPLATE, CertificateData, certificate_context
from certificates.pdf import render_pdf
from pso.app import create_app
from pso.errors import ProblemError
from pso.files import pdf_pool
from pso.settings import Settings
from tests.api.test_certification import KVK, draft
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows
from tests.factories import organization

pytestmark = pytest.mark.anyio

DATA = CertificateData(
    number="PSO-2026-000042", kind="ladder", rung="trede2", organization_name="Pool B.V.",
    kvk="12345678", valid_from=date(2026, 3, 1), valid_until=date(2028, 2, 29),
    rulebook="pso-2.1", issuer="Test", issued_on=date(2026, 3, 1),
    public_url="https://pso.example.nl",
)


@pytest.fixture
def restore_pool():
    yield
    pdf_pool.configure(0)


async def test_worker_renders_the_same_bytes_and_is_recycled(restore_pool) -> None:
    pdf_pool.configure(1, renders_per_worker=2, timeout=60)
    expected = render_pdf(TEMPLATE, certificate_context(DATA))
    pids: set[int] = set()
    for _ in range(3):
        assert await pdf_pool.render(TEMPLATE, certificate_context(DATA)) == expected
        pids.update(pdf_pool.worker_pids())
    # After two renders the first worker exits and a fresh one takes over.
    assert len(pids) >= 2, pids


async def test_a_render_over_the_limit_is_503_and_the_pool_starts_afresh(restore_pool) -> None:
    # Starting a worker alone takes longer than 10 ms: the first render must time out.
    pdf_pool.configure(1, timeout=0.01)
    generation = pdf_pool._pool.generation
    with pytest.raises(ProblemError) as caught:
        await pdf_pool.render(TEMPLATE, certificate_context(DATA))
    assert caught.value.status == 503 and caught.value.headers["Retry-After"]
    assert pdf_pool._pool.generation == generation + 1
    pdf_pool._timeout = 60
    assert (await pdf_pool.render(TEMPLATE, certificate_context(DATA))).startswith(b"%PDF")


async def test_context_that_cannot_travel_is_rendered_in_process(restore_pool) -> None:
    pdf_pool.configure(1, timeout=60)
    context = {**certificate_context(DATA), "unused": lambda: None}  # lambdas do not pickle
    assert (await pdf_pool.render(TEMPLATE, context)).startswith(b"%PDF")
    assert pdf_pool.worker_pids() == []  # no worker was needed


async def test_approval_whose_pdf_times_out_is_503_and_issues_nothing(
    database_url, make_token, session_maker, restore_pool
) -> None:
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": database_url,
                                  "PSO_RATE_LIMIT": "0", "PSO_PDF_TIMEOUT": "0.001"})
    async with AsyncTestClient(app=create_app(settings)) as client:
        tokens = {"company": await make_token("company", kvk=KVK),
                  "auditor": await make_token("auditor"),
                  "reviewer": await make_token("auditor")}
        created = await client.post("/api/v1/organizations", json=organization(KVK),
                                    headers=tokens["company"])
        assert created.status_code == 201, created.text
        assessment = await draft(client, tokens["company"], 7)
        await client.post(f"/api/v1/assessments/{assessment['id']}/submit",
                          headers=tokens["company"])
        await client.post(f"/api/v1/assessments/{assessment['id']}/review",
                          headers=tokens["reviewer"])
        await client.post(f"/api/v1/assessments/{assessment['id']}/review-completed",
                          headers=tokens["reviewer"])
        response = await client.post(f"/api/v1/assessments/{assessment['id']}/decision",
                                     json={"outcome": "approved"}, headers=tokens["auditor"])
        assert_problem(response, 503, "pdf-unavailable")
        assert response.headers["Retry-After"]
        again = await client.get(f"/api/v1/assessments/{assessment['id']}",
                                 headers=tokens["auditor"])
        assert again.json()["status"] == "in_review"
    assert await count_rows(session_maker, "certificates") == 0
