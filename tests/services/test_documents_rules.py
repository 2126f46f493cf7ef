"""The rules of pso/services/documents.py, on the service itself (both databases), found by
mutation testing (docs/testing.md). Each test names its rule and fails when that rule is
removed; the `concurrent` one races two real sessions on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pso import clock
from pso.auth import Actor
from pso.db.models import AssessmentDocument, DocumentContent
from pso.errors import Conflict, InvalidInput, NotFound
from pso.files import parse_pool
from pso.files.upload import TOO_SLOW
from pso.services import certification, documents
from tests.factories import submission
from tests.jobs import data
from tests.services.concurrency import meanwhile

pytestmark = pytest.mark.anyio

KVK = "12345678"
COMPANY = Actor(id=None, name="Bedrijf", role="company", kvk=KVK)
PDF = b"%PDF-1.4\n%%EOF\n"


async def _draft(session_maker) -> int:
    async with session_maker() as session, session.begin():
        await data.organization(session, KVK)
        return (await certification.create(session, COMPANY, KVK, submission(1))).id


async def _count(session_maker, model) -> int:
    async with session_maker() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_a_removal_concurrent_with_the_submission_keeps_the_submitted_file(
    session_maker, backend
) -> None:
    """A company's removal that started while its submission was being stored waits for the
    submission and is refused: the body has had the file, so it stays (SPEC §7.3)."""
    aid = await _draft(session_maker)
    async with session_maker() as session, session.begin():
        doc = await documents.add(session, COMPANY, aid, "loonstrook.pdf", PDF)

    async def submit(session):
        return await certification.submit(session, COMPANY, aid)

    async def remove(session):
        return await documents.remove(session, COMPANY, aid, doc.id)

    refused = await meanwhile(session_maker, backend, submit, remove)
    assert isinstance(refused, Conflict) and refused.slug == "document-kept"
    assert await _count(session_maker, AssessmentDocument) == 1
    assert await _count(session_maker, DocumentContent) == 1


async def test_an_upload_whose_inspection_runs_over_its_time_limit_is_refused_with_the_reason(
    session_maker, monkeypatch
) -> None:
    """The inspection's time limit (pso.files.upload.off_loop) answers 400 with its Dutch
    reason, and nothing is stored. The pool's verdict is given here: waiting out the real
    limit would take PARSE_SECONDS + 5 seconds."""
    aid = await _draft(session_maker)

    async def too_slow(*args, **kwargs):
        raise parse_pool.TooSlow

    monkeypatch.setattr(parse_pool, "run", too_slow)
    async with session_maker() as session, session.begin():
        with pytest.raises(InvalidInput) as refused:
            await documents.add(session, COMPANY, aid, "loonstrook.pdf", PDF)
    assert refused.value.invalid_params == [{"name": "file", "reason": TOO_SLOW}]
    assert await _count(session_maker, AssessmentDocument) == 0


async def test_a_removed_document_is_gone_and_no_neighbour_answers_for_it(session_maker) -> None:
    """Reading or removing names one document: after the middle one of three is removed,
    its number finds nothing (not the one before or after it), and the others stay."""
    aid = await _draft(session_maker)
    async with session_maker() as session, session.begin():
        first, middle, last = [
            await documents.add(session, COMPANY, aid, f"{name}.pdf", PDF + name.encode())
            for name in ("eerste", "midden", "laatste")]
        await documents.remove(session, COMPANY, aid, middle.id)
    async with session_maker() as session, session.begin():
        with pytest.raises(NotFound):
            await documents.read(session, COMPANY, aid, middle.id)
        with pytest.raises(NotFound):
            await documents.remove(session, COMPANY, aid, middle.id)
    async with session_maker() as session:
        assert [d.id for d in await documents.list_for(session, COMPANY, aid)] == [
            first.id, last.id]
        for doc, name in ((first, "eerste"), (last, "laatste")):
            view, content = await documents.read(session, COMPANY, aid, doc.id)
            assert (view.file_name, content) == (f"{name}.pdf", PDF + name.encode())


async def test_evidence_added_during_the_review_is_kept(session_maker) -> None:
    """Only while the application is editable may the company take a file back: one it
    added while the body reviews (after the submission) stays."""
    aid = await _draft(session_maker)
    auditor = Actor(id=None, name="Auditor", role="auditor")
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, aid)
        await certification.review(session, auditor, aid)
    async with session_maker() as session, session.begin():
        doc = await documents.add(session, COMPANY, aid, "nagekomen.pdf", PDF)
    async with session_maker() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await documents.remove(session, COMPANY, aid, doc.id)
    assert refused.value.slug == "document-kept"
    assert await _count(session_maker, AssessmentDocument) == 1


def test_a_windows_1252_csv_is_evidence_and_undecodable_text_is_not() -> None:
    """CSV text in UTF-8 or Windows-1252 (Excel's default here) is accepted; bytes that are
    neither (0x81 has no Windows-1252 character) are not text."""
    assert documents.sniff("naam;bedrag\nCafé;€ 5\n".encode("cp1252")) == "text/csv"
    assert documents.sniff("naam;bedrag\nCafé;€ 5\n".encode()) == "text/csv"
    assert documents.sniff(b"naam;bedrag\n\x81\x8d;5\n") is None
    # The separator must be on the first line: a letter with a table below it is no CSV.
    assert documents.sniff(b"Hallo\nnaam;bedrag\nAnna;5\n") is None


def test_a_file_name_keeps_at_most_190_characters_before_its_extension() -> None:
    assert documents.clean_name("a" * 189 + "b" + "c" * 60 + ".pdf", "application/pdf") == (
        "a" * 189 + "b.pdf")
    assert documents.clean_name("jaar.verslag.2025.PDF", "application/pdf") == (
        "jaar.verslag.2025.pdf")


async def test_a_file_of_the_submissions_own_instant_went_with_it(session_maker) -> None:
    """Only a file that came after the last submission may be taken back once the body asks
    a question; one uploaded in the same instant as the submission was submitted."""
    aid = await _draft(session_maker)
    auditor = Actor(id=None, name="Auditor", role="auditor")
    with clock.stopped():
        async with session_maker() as session, session.begin():
            same = await documents.add(session, COMPANY, aid, "gelijk.pdf", PDF)
            await certification.submit(session, COMPANY, aid)
    async with session_maker() as session, session.begin():
        await certification.review(session, auditor, aid)
        await certification.request_information(session, auditor, aid, "Graag meer.")
        later = await documents.add(session, COMPANY, aid, "later.pdf", PDF)
    async with session_maker() as session, session.begin():
        with pytest.raises(Conflict):
            await documents.remove(session, COMPANY, aid, same.id)
        assert (await documents.remove(session, COMPANY, aid, later.id)).id == later.id
    assert await _count(session_maker, AssessmentDocument) == 1
