"""One database transaction per request (the `db` dependency of the API and the web pages)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.engine import READ_ONLY


async def provide_db(
    db_session: AsyncSession, request: Request[Any, Any, Any]
) -> AsyncGenerator[AsyncSession, None]:
    """One transaction per request: committed after the handler, rolled back on any error.

    GET and HEAD run as read transactions (on SQLite: deferred, so they never wait for a
    writer); a GET that still writes upgrades its lock, or gets a 503 in a rare race."""
    if reads_only(request):
        # READ_ONLY is the project's own option; SQLAlchemy's TypedDict lists only its own.
        await db_session.connection(execution_options={READ_ONLY: True})  # type: ignore[misc]
    try:
        yield db_session
    except BaseException:
        await db_session.rollback()
        raise
    else:
        await db_session.commit()


def reads_only(request: Request[Any, Any, Any]) -> bool:
    return request.method in ("GET", "HEAD")


async def write_now(db_session: AsyncSession, request: Request[Any, Any, Any],
                    work: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """A small write that any request may make (pso.web.session notes a visit). A writing
    request makes it in its own transaction. A GET commits it apart, then reads on in a
    fresh read transaction: inside the GET's deferred SQLite snapshot the write would be
    refused whenever another writer had committed meanwhile."""
    if not reads_only(request):
        await work(db_session)
        return
    await db_session.commit()  # ends the snapshot; loaded objects stay (expire_on_commit=False)
    await work(db_session)  # BEGIN IMMEDIATE on SQLite: waits its turn behind other writers
    await db_session.commit()
    await db_session.connection(execution_options={READ_ONLY: True})  # type: ignore[misc]
