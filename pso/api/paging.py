"""The `Link` header (RFC 8288) of every paged list, beside the page in the body.

A paged list is any response body with `page`, `page_size` and `total` (pso.db.paging gives
the rows and the total; the handlers put them in the body). `ApiResponse` is the app's
response class, so every such list gets first/prev/next/last without a line in its handler;
pso.http.openapi declares the header on the same bodies. A body with its own `next` link (the
register's cursor, which goes on past page numbers) gives rel=next from it, and one with
`total_exact` false has no rel=last (its total is only a lower bound).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, Response
from litestar.response.base import ASGIResponse
from pydantic import BaseModel

CURSOR = "after"  # a cursor query parameter: a page counted from it has no numbered neighbours


def is_page(content: Any) -> bool:
    return isinstance(content, BaseModel) and all(isinstance(getattr(content, name, None), int)
               for name in ("page", "page_size", "total"))


def page_links(path: str, query: list[tuple[str, str]], content: Any) -> str:
    """The Link header value for `content` (a page) fetched at `path` with `query`."""
    page, size, total = content.page, content.page_size, content.total
    keep = [(k, v) for k, v in query if k not in ("page", CURSOR)]
    by_cursor = any(k == CURSOR for k, _ in query)

    def url(number: int) -> str:
        return f"{path}?{urlencode([*keep, ('page', str(number))])}"

    last = max(1, math.ceil(total / size))
    links = [("first", url(1))]
    if page > 1 and not by_cursor:
        links.append(("prev", url(min(page - 1, last))))
    if hasattr(content, "next"):  # the body's own link is the one to follow
        if content.next:
            links.append(("next", content.next))
    elif page < last:
        links.append(("next", url(page + 1)))
    if getattr(content, "total_exact", True) and not by_cursor:
        links.append(("last", url(last)))
    return ", ".join(f'<{target}>; rel="{rel}"' for rel, target in links)


def client_query(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    """The query parameters in the client's order."""
    return parse_qsl(request.scope.get("query_string", b"").decode("latin-1"),
                     keep_blank_values=True)


class ApiResponse(Response[Any]):
    """The app's response class: adds the Link header to paged lists."""

    def to_asgi_response(self, app: Any, request: Request[Any, Any, Any], **kwargs: Any
                         ) -> ASGIResponse:
        if is_page(self.content) and 200 <= (self.status_code or 200) < 300:
            self.headers["Link"] = page_links(request.url.path, client_query(request),
                                              self.content)
        return super().to_asgi_response(app, request, **kwargs)
