"""Evidence documents of realisation lines (SPEC §8.2, issue 28 item 4): the contractor
attaches them while a line waits for review; the buyer and the contractor read them. The
checks are the application evidence's (`documents.checked`: type from the bytes, off the
event loop; 10 MB; a file name with direction marks refused); access is the contract's
(`social_return_lines.contract_for`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from pso.audit import record
from pso.auth import Actor
from pso.db.models import SocialReturnDocument, SocialReturnLine
from pso.errors import Conflict, NotFound
from pso.services import documents
from pso.services.documents import DocumentView
from pso.services.social_return_lines import contract_for


def _view(doc: SocialReturnDocument) -> DocumentView:
    return DocumentView(doc.id, doc.file_name, doc.content_type, doc.size, doc.sha256,
                        doc.uploaded_at, doc.uploaded_by)


async def _line(session: AsyncSession, actor: Actor, tender_id: int,
                line_id: int) -> tuple[str, SocialReturnLine]:
    contract = await contract_for(session, actor, tender_id)
    line = await session.scalar(select(SocialReturnLine).where(
        SocialReturnLine.id == line_id, SocialReturnLine.tender_id == contract.tender.id))
    if line is None:
        raise NotFound(f"Geen regel {line_id} bij dit contract.")
    return contract.role, line


async def add(session: AsyncSession, actor: Actor, tender_id: int, line_id: int,
              file_name: str | None, data: bytes) -> DocumentView:
    role, line = await _line(session, actor, tender_id, line_id)
    if role != "contractor":
        raise Conflict("not-the-contractor", "Alleen de opdrachtnemer voegt bewijsstukken toe.")
    if line.status != "submitted":
        raise Conflict("line-reviewed", f"Regel {line_id} is al beoordeeld; er kunnen geen "
                                        "bewijsstukken meer bij.")
    content_type, name, sha256 = await documents.checked(file_name, data)
    doc = SocialReturnDocument(line_id=line.id, file_name=name, content_type=content_type,
                               size=len(data), sha256=sha256,
                               data=data, uploaded_by=actor.name)
    session.add(doc)
    await session.flush()
    await record(session, actor, "social_return.document_added", "tender", tender_id,
                 {"line": line.id, "documentId": doc.id, "fileName": doc.file_name,
                  "sha256": doc.sha256, "size": doc.size})
    return _view(doc)


async def list_for(session: AsyncSession, actor: Actor, tender_id: int,
                   line_id: int) -> list[DocumentView]:
    _, line = await _line(session, actor, tender_id, line_id)
    rows = await session.scalars(select(SocialReturnDocument).where(
        SocialReturnDocument.line_id == line.id).order_by(SocialReturnDocument.id))
    return [_view(d) for d in rows]


async def read(session: AsyncSession, actor: Actor, tender_id: int, line_id: int,
               document_id: int) -> tuple[DocumentView, bytes]:
    _, line = await _line(session, actor, tender_id, line_id)
    doc = await session.scalar(select(SocialReturnDocument).where(
        SocialReturnDocument.id == document_id, SocialReturnDocument.line_id == line.id)
        .options(undefer(SocialReturnDocument.data)))
    if doc is None:
        raise NotFound(f"Geen bewijsstuk {document_id} bij regel {line_id}.")
    return _view(doc), doc.data


async def of_contract(session: AsyncSession, actor: Actor,
                      tender_id: int) -> dict[int, list[DocumentView]]:
    """Every line's documents of one contract (for its pages), for the buyer or contractor."""
    contract = await contract_for(session, actor, tender_id)
    rows = await session.scalars(
        select(SocialReturnDocument).join(SocialReturnLine)
        .where(SocialReturnLine.tender_id == contract.tender.id)
        .order_by(SocialReturnDocument.id))
    found: dict[int, list[DocumentView]] = {}
    for doc in rows:
        found.setdefault(doc.line_id, []).append(_view(doc))
    return found
