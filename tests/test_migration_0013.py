"""Migration 0013 on existing data (SQLite and PostgreSQL): every certificate's frozen list
of subsidiaries becomes rows of certificate_subsidiaries (not the organisation's list of
today), and a day with two contract checks keeps its last one; and back."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from alembic import command

from pso.db.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS
from tests.databases import temporary_postgres
from tests.test_migration_0007 import _run


@pytest.mark.parametrize("backend", BACKENDS)
def test_0013_backfills_covered_kvks_and_one_check_per_day(backend: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = (f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3" if backend == "sqlite"
               else stack.enter_context(temporary_postgres("pso_m13")))
        upgrade(url, "0011")
        certificate = (
            "INSERT INTO certificates (id, number, kind, rung, organization_id, assessment_id, "
            "valid_from, valid_until, rulebook, issuer, issued_at, pdf_sha256, subsidiaries) "
            "VALUES ({id}, 'PSO-2026-00000{id}', 'ladder', 'trede2', 1, 1, '2026-01-01', "
            "'2028-12-31', 'pso-2.1', 'x', CURRENT_TIMESTAMP, 'abc', {subs})")
        check = ("INSERT INTO contract_checks (award_id, day, ok, results, created_at) "
                 "VALUES (1, '{day}', {ok}, '[]', CURRENT_TIMESTAMP)")
        asyncio.run(_run(
            url,
            "INSERT INTO organizations (id, kvk, name, search_name, municipality_code, kind, "
            "created_at) VALUES (1, '12345678', 'Moeder', 'moeder', 'GM0344', 'company', "
            "CURRENT_TIMESTAMP)",
            # Today's subsidiary, added after the certificates: not covered by them.
            "INSERT INTO organization_subsidiaries (organization_id, kvk, name) "
            "VALUES (1, '55554444', 'Later')",
            "INSERT INTO assessments (id, organization_id, status, submission, score, rulebook, "
            "created_at, updated_at, corrected) VALUES (1, 1, 'approved', '{}', '{}', "
            "'pso-2.1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)",
            certificate.format(id=1, subs="'[{\"kvk\": \"23456789\", \"name\": \"Een\"}, "
                                          "{\"kvk\": \"34567890\", \"name\": \"Twee\"}]'"),
            certificate.format(id=2, subs="NULL"),
            "INSERT INTO tenders (id, title, reference, deadline, policy, created_by, "
            "created_at) VALUES (1, 'T', 'R', '2026-01-01', '{}', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO tender_awards (id, tender_id, bidder, kvk, position, rung, pso30plus, "
            "verified, price, advantage, penalty, certificates, contract_start, contract_end, "
            "awarded_at, awarded_by) VALUES (1, 1, 'B', '23456789', 1, 'trede2', false, true, "
            "100, 5, 7, '[]', '2026-01-01', '2026-12-31', CURRENT_TIMESTAMP, 'x')",
            check.format(day="2026-01-01", ok="true"),
            check.format(day="2026-01-01", ok="false"),
            check.format(day="2026-01-02", ok="true"),
        ))
        upgrade(url)
        assert asyncio.run(_run(url, "SELECT kvk, certificate_id FROM certificate_subsidiaries "
                                     "ORDER BY kvk")) == [("23456789", 1), ("34567890", 1)]
        # 1 January keeps its last look (not ok); 2 January its only one.
        assert asyncio.run(_run(url, "SELECT ok FROM contract_checks ORDER BY id")) == [
            (False,), (True,)]
        with pytest.raises(Exception, match="(?i)unique"):
            asyncio.run(_run(url, check.format(day="2026-01-02", ok="true")))
        command.downgrade(alembic_config(url), "0011")
        assert asyncio.run(_run(url, "SELECT count(*) FROM contract_checks")) == [(2,)]
