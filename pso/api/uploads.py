"""POST /api/v1/submissions/employees: an employee list file in, submission JSON out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from certificates.formatting import plural
from pso.errors import InvalidInput, ProblemError
from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid, read_employees_async

FIELD = "file"


def upload_problem(exc: UploadInvalid) -> InvalidInput:
    more = f" (de eerste {len(exc.errors)} van {exc.total})" if exc.total > len(exc.errors) else ""
    return InvalidInput([e.as_param() for e in exc.errors],
                        detail=f"Het bestand bevat {plural(exc.total, 'fout', 'fouten')}{more}.")


@dataclass
class EmployeeFile:
    file: UploadFile | None = None  # CSV or .xlsx, at most 5 MB (missing: our own 400)


async def _multipart_only(request: Request) -> None:
    # Before the body is read, so a JSON or CSV body gets a 415, not a parse error.
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data"):
        raise ProblemError(
            "Stuur het bestand als multipart/form-data in het veld 'file'.",
            status=415, slug="unsupported-media-type",
        )


@post("/api/v1/submissions/employees", tags=["Rekentool"], status_code=200,
      summary="Medewerkerslijst (CSV of Excel) omzetten naar opgave-JSON",
      before_request=_multipart_only, opt={"body_media": "multipart/form-data"})
async def employees_from_file(
    data: Annotated[EmployeeFile, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, Any]:
    """Stuur een CSV-bestand (`;` of `,`) of `.xlsx` als multipart/form-data in het veld `file`.

    Kolomkoppen in het Nederlands (referentie, uitgangspositie, contractvorm, uren per week,
    in dienst, uit dienst, loonkostensubsidie tot, wsw-indicatie tot, school verlaten op,
    doelgroepregister) of de camelCase-veldnamen; decimale komma's; datums als 2025-01-31
    of 31-01-2025. Het antwoord is `{employees: [...]}` in het formaat van de opgave. Fouten
    zijn een 400-probleem waarvan `invalidParams` de rij (kopregel = rij 1) en kolom noemen.
    Er wordt niets opgeslagen.
    """
    if not isinstance(data.file, UploadFile) or not data.file.filename:
        raise InvalidInput([{"name": FIELD, "reason": "Kies een CSV- of Excel-bestand."}])
    try:
        result = await read_employees_async(await data.file.read(MAX_UPLOAD_BYTES + 1))
    except UploadInvalid as exc:
        raise upload_problem(exc) from None
    return {"employees": result.employees, "format": result.format,
            "ignoredColumns": result.ignored_columns}


ROUTES = [employees_from_file]
