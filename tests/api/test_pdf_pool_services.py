"""Voucher and tender evaluation PDFs go through pso.files.pdf_pool like certificates do: the time
limit (503 `pdf-unavailable`) and, with PSO_PDF_WORKERS > 0, a worker process (their
contexts are plain data that pickles)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from certificates.pdf import render_pdf
from pso import clock
from pso.app import create_app
from pso.auth import SYSTEM
from pso.db.models import Voucher
from pso.files import pdf_pool
from pso.services import organizations, tender_exports, voucher_pdf
from pso.services import vouchers as service
from pso.settings import Settings
from tests.api.procurement_support import five_bids, tokens
from tests.api.test_foundation import assert_problem
from tests.api.test_procurement_tenders import URL, add_bids, new_tender

pytestmark = pytest.mark.anyio

KVK = "10000001"
PUBLIC_URL = "https://pso.example.nl"


@pytest.fixture
def restore_pool():
    yield
    pdf_pool.configure(0)


async def issue_voucher(session_maker) -> str:
    day = clock.today()
    async with session_maker() as session, session.begin():
        await organizations.create(session, SYSTEM, {
            "kvk": KVK, "name": 'Groen & "Schoon" <B.V.>', "municipality_code": "GM0200",
            "kind": "company"})
        scheme = await service.create_scheme(session, SYSTEM, {
            "title": "PDF-test", "municipality_code": "GM0200",
            "voucher_amount": Decimal("1500.00"), "budget": Decimal("3000.00"),
            "application_opens_on": day - timedelta(days=1),
            "application_closes_on": day + timedelta(days=1), "voucher_validity_days": 90,
            "max_fte": Decimal("249.99"), "eligible_municipality_codes": ["GM0200"]})
        voucher = await service.issue(session, SYSTEM, scheme.id, KVK, Decimal(5))
        return voucher.code


async def test_voucher_pdf_over_the_time_limit_is_503(
    database_url, session_maker, make_token, restore_pool
) -> None:
    """The voucher PDF is rendered at each status change and stored: over the time limit the
    change itself is 503 and rolled back; reading the stored PDF needs no rendering."""
    code = await issue_voucher(session_maker)
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": database_url,
                                  "PSO_RATE_LIMIT": "0", "PSO_PDF_TIMEOUT": "0.001"})
    auditor = await make_token("auditor")
    municipality = await make_token("municipality", municipality_code="GM0200")
    async with AsyncTestClient(app=create_app(settings)) as client:
        stored = await client.get(f"/api/v1/vouchers/{code}/pdf", headers=auditor)
        assert stored.status_code == 200 and stored.content.startswith(b"%PDF")
        response = await client.post(f"/api/v1/vouchers/{code}/cancellation", json={},
                                     headers=municipality)
        assert_problem(response, 503, "pdf-unavailable")
        assert response.headers["Retry-After"]
        # The voucher itself is untouched and still answers.
        read = await client.get(f"/api/v1/vouchers/{code}", headers=auditor)
        assert read.status_code == 200 and read.json()["status"] == "issued"


async def test_tender_pdf_over_the_time_limit_is_503(
    client, database_url, make_token, restore_pool
) -> None:
    # The bidders' certificates are PDFs too: made before the limit is lowered.
    headers = await tokens(make_token)
    tender = await new_tender(client, headers)
    await add_bids(client, headers, tender["id"], await five_bids(client, headers))
    settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": database_url,
                                  "PSO_RATE_LIMIT": "0", "PSO_PDF_TIMEOUT": "0.001"})
    async with AsyncTestClient(app=create_app(settings)) as limited:
        response = await limited.get(f"{URL}/{tender['id']}/evaluation",
                                     params={"format": "pdf"}, headers=headers["procurement"])
        assert_problem(response, 503, "pdf-unavailable")
        # JSON and CSV need no PDF engine and still answer.
        assert (await limited.get(f"{URL}/{tender['id']}/evaluation", params={"format": "csv"},
                                 headers=headers["procurement"])).status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_voucher_and_tender_contexts_travel_to_a_worker(
    client, session_maker, make_token, restore_pool
) -> None:
    """Plain-data contexts: a worker process renders exactly the bytes of an in-process
    render (no fallback to a thread)."""
    code = await issue_voucher(session_maker)
    async with session_maker() as session:
        voucher = await session.scalar(select(Voucher).where(Voucher.code == code))
        voucher_context = voucher_pdf.voucher_context(voucher, PUBLIC_URL, clock.today())

    headers = await tokens(make_token)
    tender = await new_tender(client, headers)
    await add_bids(client, headers, tender["id"], await five_bids(client, headers))
    await client.post(f"{URL}/{tender['id']}/evaluation", headers=headers["procurement"])
    evaluation = (await client.get(f"{URL}/{tender['id']}/evaluation",
                                   headers=headers["procurement"])).json()
    assert evaluation["registerFacts"]
    tender_context = tender_exports.pdf_context(evaluation, datetime.now(UTC))

    for context in (voucher_context, tender_context):
        pickle.loads(pickle.dumps(context))  # raises on anything that cannot travel

    pdf_pool.configure(1, timeout=60)
    in_worker = await pdf_pool.render(voucher_pdf.TEMPLATE, voucher_context)
    assert pdf_pool.worker_pids(), "rendered in-process, not in the worker"
    assert in_worker == render_pdf(voucher_pdf.TEMPLATE, voucher_context)
    in_worker = await pdf_pool.render(tender_exports.TEMPLATE, tender_context,
                                      stylesheets=tender_exports.STYLESHEETS)
    assert in_worker == render_pdf(tender_exports.TEMPLATE, tender_context,
                                   stylesheets=tender_exports.STYLESHEETS)
