"""What only the JSON API's controllers share: the OpenAPI security requirement and paging."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

# OpenAPI security requirement for routes behind a role guard (scheme defined in pso.app).
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]

PageNumber = Annotated[int, Parameter(ge=1, le=100_000, default=1, description="Paginanummer")]
PageSize = Annotated[
    int, Parameter(ge=1, le=200, default=20, query="pageSize", description="Aantal per pagina")
]
