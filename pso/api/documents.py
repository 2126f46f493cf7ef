"""Evidence documents: upload (company), list and download (company and its body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER
from pso.api.uploads import _multipart_only
from pso.auth import Actor, provide_actor, require_roles
from pso.errors import InvalidInput
from pso.http.downloads import attachment
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel
from pso.services import documents as service


class DocumentOut(ApiModel):
    id: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass
class DocumentFile:
    file: UploadFile | None = None


Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def document_out(view: service.DocumentView) -> DocumentOut:
    return DocumentOut.model_validate(view, from_attributes=True)


class DocumentController(Controller):
    path = "/api/v1/assessments/{assessment_id:int}/documents"
    tags = ["Aanvragen"]
    security = BEARER
    dependencies = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}

    @post(guards=[require_roles("company", "admin")], summary="Bewijsstuk toevoegen",
          before_request=_multipart_only, opt={"body_media": "multipart/form-data"},
          request_max_body_size=service.MAX_BYTES + 512 * 1024)
    async def upload(
        self, assessment_id: Id, db: AsyncSession, actor: Actor,
        data: Annotated[DocumentFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> DocumentOut:
        """Multipart-veld `file`: PDF, PNG, JPEG, Excel (.xlsx) of CSV, hoogstens 10 MB. Het
        type wordt aan de inhoud bepaald, niet aan de naam."""
        if not isinstance(data.file, UploadFile):
            raise InvalidInput([{"name": "file", "reason": "Kies een bestand."}])
        content = await data.file.read(service.MAX_BYTES + 1)
        return document_out(await service.add(db, actor, assessment_id, data.file.filename,
                                              content))

    @get(guards=[require_roles("company", "admin", "auditor")], summary="Bewijsstukken")
    async def list(self, assessment_id: Id, db: AsyncSession, actor: Actor) -> list[DocumentOut]:
        """De bewijsstukken bij een aanvraag: naam, type, grootte en SHA-256, zonder de inhoud."""
        return [document_out(v) for v in await service.list_for(db, actor, assessment_id)]

    @get("/{document_id:int}", guards=[require_roles("company", "admin", "auditor")],
         summary="Bewijsstuk downloaden", media_type="application/octet-stream")
    async def download(self, request: Request, assessment_id: Id, document_id: Id,
                       db: AsyncSession, actor: Actor) -> Response[bytes]:
        """Altijd als bijlage (`Content-Disposition: attachment`, `nosniff`)."""
        view, data = await service.read(db, actor, assessment_id, document_id)
        return attachment(view, data)

    @delete("/{document_id:int}", guards=[require_roles("company")], status_code=200,
            summary="Bewijsstuk verwijderen")
    async def remove(self, assessment_id: Id, document_id: Id, db: AsyncSession,
                     actor: Actor) -> DocumentOut:
        """Een bewijsstuk dat nog niet is ingediend (de aanvraag is een concept of wacht op
        antwoord, en het bestand kwam na de laatste indiening); anders 409."""
        return document_out(await service.remove(db, actor, assessment_id, document_id))


ROUTES = [DocumentController]
