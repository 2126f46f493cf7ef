"""File downloads of the API and the web pages: always an attachment, never shown inline."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from litestar import Response


class NamedFile(Protocol):
    """A stored file as the services describe it (services.documents.DocumentView)."""

    @property
    def file_name(self) -> str: ...

    @property
    def content_type(self) -> str: ...


def attachment(view: NamedFile, data: bytes) -> Response[bytes]:
    """Always a download, never shown inline from our own origin."""
    ascii_name = view.file_name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(data, media_type=view.content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(view.file_name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })


def file_download(body: bytes, media_type: str, name: str) -> Response[bytes]:
    """A file made for the person asking (an export, a settlement): a download, never cached."""
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
