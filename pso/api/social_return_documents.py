"""Files on social-return lines: evidence documents (the contractor uploads, buyer and
contractor list and download, as attachments like an application's evidence) and the import
of lines from a CSV or Excel file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER
from pso.api.documents import DocumentFile, DocumentOut, document_out
from pso.api.social_return import TenderId
from pso.api.uploads import _multipart_only, upload_problem
from pso.auth import Actor, provide_actor, require_roles
from pso.errors import InvalidInput
from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid
from pso.http.downloads import attachment
from pso.http.transaction import provide_db
from pso.services import documents
from pso.services import social_return_documents as service
from pso.services import social_return_import as importer

Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


class LineDocumentController(Controller):
    path = "/api/v1/tenders/{tender_id:int}/social-return/lines/{line_id:int}/documents"
    tags = ["Social return"]
    security = BEARER
    dependencies = {"db": Provide(provide_db),
                    "actor": Provide(provide_actor, sync_to_thread=False)}
    guards = [require_roles("procurement", "company", "admin")]

    @post(summary="Bewijsstuk bij een regel (opdrachtnemer)", before_request=_multipart_only,
          opt={"body_media": "multipart/form-data"},
          request_max_body_size=documents.MAX_BYTES + 512 * 1024)
    async def upload(self, tender_id: TenderId, line_id: Id, db: AsyncSession, actor: Actor,
                     data: Annotated[DocumentFile,
                                     Body(media_type=RequestEncodingType.MULTI_PART)],
                     ) -> DocumentOut:
        """Multipart-veld `file`: PDF, PNG, JPEG, Excel (.xlsx) of CSV, hoogstens 10 MB, bij
        een regel die op beoordeling wacht. Het type wordt aan de inhoud bepaald."""
        if not isinstance(data.file, UploadFile):
            raise InvalidInput([{"name": "file", "reason": "Kies een bestand."}])
        content = await data.file.read(documents.MAX_BYTES + 1)
        return document_out(await service.add(db, actor, tender_id, line_id,
                                               data.file.filename, content))

    @get(summary="Bewijsstukken bij een regel")
    async def list(self, tender_id: TenderId, line_id: Id, db: AsyncSession,
                   actor: Actor) -> list[DocumentOut]:
        """Naam, type, grootte en SHA-256 van de bewijsstukken, zonder de inhoud."""
        return [document_out(v) for v in await service.list_for(db, actor, tender_id, line_id)]

    @get("/{document_id:int}", summary="Bewijsstuk downloaden",
         media_type="application/octet-stream")
    async def download(self, tender_id: TenderId, line_id: Id, document_id: Id, db: AsyncSession,
                       actor: Actor) -> Response[bytes]:
        """Altijd als bijlage (`Content-Disposition: attachment`, `nosniff`)."""
        view, data = await service.read(db, actor, tender_id, line_id, document_id)
        return attachment(view, data)


@dataclass
class LinesFile:
    file: UploadFile | None = None  # CSV or .xlsx, at most 5 MB


@post("/api/v1/tenders/{tender_id:int}/social-return/lines/import", tags=["Social return"],
      summary="Realisatieregels uit een CSV- of Excel-bestand (opdrachtnemer)",
      dependencies={"db": Provide(provide_db),
                    "actor": Provide(provide_actor, sync_to_thread=False)},
      guards=[require_roles("company", "admin")], security=BEARER,
      before_request=_multipart_only, opt={"body_media": "multipart/form-data"},
      request_max_body_size=MAX_UPLOAD_BYTES + 512 * 1024)
async def import_lines(tender_id: TenderId, db: AsyncSession, actor: Actor,
                       data: Annotated[LinesFile,
                                       Body(media_type=RequestEncodingType.MULTI_PART)],
                       ) -> dict[str, Any]:
    """Multipart-veld `file`, een kopregel met de kolommen soort, bouwblok, pseudoniem,
    begin, einde, uren per week, bonussen, uren, omschrijving, leverancier, kvk leverancier,
    factuurnummer, factuurdatum en bedrag (Nederlandse notatie mag). Alle regels of geen:
    een fout geeft een 400 die elke rij en kolom noemt, zoals bij de lijst met medewerkers."""
    if not isinstance(data.file, UploadFile):
        raise InvalidInput([{"name": "file", "reason": "Kies een CSV- of Excel-bestand."}])
    content = await data.file.read(MAX_UPLOAD_BYTES + 1)
    try:
        rows = await importer.import_lines(db, actor, tender_id, content)
    except UploadInvalid as exc:
        raise upload_problem(exc) from None
    return {"imported": len(rows), "ids": [r.id for r in rows]}


ROUTES = [LineDocumentController, import_lines]
