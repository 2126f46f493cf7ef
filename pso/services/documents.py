"""Evidence documents of an application (SPEC §7.3): PDF, PNG, JPEG, XLSX or CSV, at most
10 MB, the type decided by the bytes (never by the name or the browser's content type),
stored with their SHA-256 in their own table, shown only to the company and its body."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import Actor
from pso.db.models import Assessment, AssessmentDocument, AssessmentStatus, DocumentContent
from pso.errors import Conflict, InvalidInput, NotFound, ProblemError
from pso.files.upload import MAX_XLSX_UNPACKED, Deadline, UploadInvalid, off_loop
from pso.services import certification
from pso.services.access import document_filter
from scoring.text import unsafe_text

MAX_BYTES = 10 * 1024 * 1024
ACCEPTED = "PDF, PNG, JPEG, Excel (.xlsx) of CSV"
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
              "text/csv": ".csv"}
NAME_REASON = ("De bestandsnaam mag geen stuurtekens of tekens voor de schrijfrichting bevatten; "
               "geef het bestand een andere naam.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class DocumentView:
    id: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


def sniff(data: bytes) -> str | None:
    """The content type the bytes really have, or None when not one we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                unpacked = sum(i.file_size for i in archive.infolist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if unpacked > MAX_XLSX_UNPACKED:  # a zip bomb is no evidence
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return None
    return "text/csv" if _looks_like_csv(data) else None


def _looks_like_csv(data: bytes) -> bool:
    """Plain text (UTF-8 or Windows-1252) without control characters, a separator on the
    first line, and not markup (an HTML page named .csv is not a spreadsheet)."""
    if not data or b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    if _CONTROL.search(text) or text.lstrip().startswith("<"):
        return False
    first = text.splitlines()[0] if text.splitlines() else ""
    return any(sep in first for sep in (";", ",", "\t"))


def inspect(data: bytes, deadline: Deadline | None = None) -> tuple[str | None, str]:
    """The real content type (or None) and the SHA-256 of an upload; run off the event
    loop (pso.files.upload.off_loop), as a 10 MB file takes a while."""
    return sniff(data), hashlib.sha256(data).hexdigest()


def clean_name(name: str | None, content_type: str) -> str:
    """The base name without path or control characters, at most 200 characters; the
    extension follows the real type."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", base).replace('"', "'").strip() or "document"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem[:190] + EXTENSIONS[content_type]


async def checked(file_name: str | None, data: bytes) -> tuple[str, str, str]:
    """(content type, clean file name, SHA-256) of an upload, or the Dutch refusal: 413 above
    MAX_BYTES, 400 for a name with direction marks or a type we do not accept. The one rule
    for every evidence upload (applications, social-return lines)."""
    if len(data) > MAX_BYTES:
        raise ProblemError("Een bewijsstuk mag hoogstens 10 MB groot zijn.", status=413,
                           slug="document-too-large")
    if file_name and unsafe_text(file_name):
        # Direction marks could make "factuur\u202efdp.exe" read as another name on the page.
        raise InvalidInput([{"name": "file", "reason": NAME_REASON}])
    try:
        content_type, sha256 = await off_loop(inspect, data)
    except UploadInvalid as exc:
        raise InvalidInput([{"name": "file", "reason": exc.errors[0].reason}]) from None
    if content_type is None:
        raise InvalidInput([{"name": "file", "reason": f"Dit bestandstype wordt niet "
                                                       f"geaccepteerd; kies {ACCEPTED}."}])
    return content_type, clean_name(file_name, content_type), sha256


def _view(doc: AssessmentDocument) -> DocumentView:
    return DocumentView(doc.id, doc.file_name, doc.content_type, doc.size, doc.sha256,
                        doc.uploaded_at, doc.uploaded_by)


async def _assessment(session: AsyncSession, actor: Actor, assessment_id: int) -> Assessment:
    # A document follows its application (services/access.py): 404 for another party's.
    return await certification.get_for(session, actor, assessment_id)


def _documents_of(actor: Actor, assessment_id: int) -> Select[AssessmentDocument]:
    return select(AssessmentDocument).where(AssessmentDocument.assessment_id == assessment_id,
                                            document_filter(actor))


async def add(session: AsyncSession, actor: Actor, assessment_id: int, file_name: str | None,
              data: bytes) -> DocumentView:
    assessment = await _assessment(session, actor, assessment_id)
    if assessment.status in (AssessmentStatus.APPROVED, AssessmentStatus.REJECTED):
        raise Conflict("invalid-state", f"Over aanvraag {assessment.id} is al besloten; er "
                                        "kunnen geen bewijsstukken meer bij.",
                       currentStatus=assessment.status)
    content_type, name, sha256 = await checked(file_name, data)
    doc = AssessmentDocument(
        assessment_id=assessment.id, file_name=name,
        content_type=content_type, size=len(data), sha256=sha256,
        uploaded_by=actor.name)
    session.add(doc)
    await session.flush()
    session.add(DocumentContent(document_id=doc.id, data=data))
    await session.flush()
    await record(session, actor, "document.added", "assessment", assessment.id,
                 {"documentId": doc.id, "fileName": doc.file_name, "sha256": doc.sha256,
                  "size": doc.size})
    return _view(doc)


async def list_for(session: AsyncSession, actor: Actor, assessment_id: int) -> list[DocumentView]:
    assessment = await _assessment(session, actor, assessment_id)
    rows = await session.scalars(_documents_of(actor, assessment.id)
                                 .order_by(AssessmentDocument.id))
    return [_view(d) for d in rows]


async def read(session: AsyncSession, actor: Actor, assessment_id: int,
               document_id: int) -> tuple[DocumentView, bytes]:
    assessment = await _assessment(session, actor, assessment_id)
    doc = await session.scalar(_documents_of(actor, assessment.id)
                               .where(AssessmentDocument.id == document_id))
    if doc is None:
        raise NotFound(f"Geen bewijsstuk {document_id} bij aanvraag {assessment_id}.")
    content = await session.get(DocumentContent, doc.id)
    return _view(doc), content.data if content is not None else b""


def removable(assessment: Assessment, doc: DocumentView) -> bool:
    """A company may take back a file it uploaded by mistake while the data is still its
    own: the application is editable and the file came after the last submission (so the
    certifying body has not had it)."""
    return assessment.status in certification.EDITABLE and (
        assessment.submitted_at is None or doc.uploaded_at > assessment.submitted_at)


async def remove(session: AsyncSession, actor: Actor, assessment_id: int,
                 document_id: int) -> DocumentView:
    assessment = await certification.get_for(session, actor, assessment_id, lock=True)
    doc = await session.scalar(_documents_of(actor, assessment.id)
                               .where(AssessmentDocument.id == document_id))
    if doc is None:
        raise NotFound(f"Geen bewijsstuk {document_id} bij aanvraag {assessment_id}.")
    view = _view(doc)
    if actor.role != "company" or not removable(assessment, view):
        raise Conflict("document-kept", f"Bewijsstuk {view.file_name} is al bij de "
                                        "certificerende instelling ingediend en blijft bewaard.")
    content = await session.get(DocumentContent, doc.id)
    if content is not None:
        await session.delete(content)
        await session.flush()
    await session.delete(doc)
    await session.flush()
    await record(session, actor, "document.removed", "assessment", assessment.id,
                 {"documentId": view.id, "fileName": view.file_name, "sha256": view.sha256})
    return view
