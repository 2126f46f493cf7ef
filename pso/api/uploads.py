"""POST /api/v1/submissions/employees: an employee list file in, submission JSON out."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.datastructures import UploadFile

from pso.errors import InvalidInput, ProblemError
from pso.upload import UploadInvalid, read_employees

FIELD = "file"


async def uploaded_file(request: Request, field: str = FIELD) -> bytes | None:
    """The bytes of one multipart file field, or None when no file was chosen."""
    form = await request.form()
    part = form.get(field)
    if not isinstance(part, UploadFile) or not part.filename:
        return None
    return await part.read()


def upload_problem(exc: UploadInvalid) -> InvalidInput:
    more = f" (de eerste {len(exc.errors)} van {exc.total})" if exc.total > len(exc.errors) else ""
    return InvalidInput([e.as_param() for e in exc.errors],
                        detail=f"Het bestand bevat {exc.total} fout(en){more}.")


@post("/api/v1/submissions/employees", tags=["Rekentool"], status_code=200,
      summary="Medewerkerslijst (CSV of Excel) omzetten naar opgave-JSON")
async def employees_from_file(request: Request) -> dict[str, Any]:
    """Upload a CSV (`;` or `,`) or `.xlsx` file as multipart/form-data field `file`.

    Dutch headers (referentie, uitgangspositie, contractvorm, uren per week, in dienst,
    uit dienst, loonkostensubsidie tot, wsw-indicatie tot, school verlaten op,
    doelgroepregister) or the camelCase field names; decimal commas; dates as 2025-01-31
    or 31-01-2025. Returns `{employees: [...]}` in submission format. Errors are a 400
    problem whose `invalidParams` name the row (header = row 1) and column.
    """
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data"):
        raise ProblemError(
            "Stuur het bestand als multipart/form-data in het veld 'file'.",
            status=415, slug="unsupported-media-type",
        )
    data = await uploaded_file(request)
    if data is None:
        raise InvalidInput([{"name": FIELD, "reason": "Kies een CSV- of Excel-bestand."}])
    try:
        result = read_employees(data)
    except UploadInvalid as exc:
        raise upload_problem(exc) from None
    return {"employees": result.employees, "format": result.format,
            "ignoredColumns": result.ignored_columns}


ROUTES = [employees_from_file]
