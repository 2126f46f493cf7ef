"""The CLI's side of the outbox: `pso mail outbox` and `pso mail send`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso.db.engine import make_engine
from pso.db.models import OutboxMail
from pso.mail.outbox import recent
from pso.mail.sender import SendReport, send_pending
from pso.settings import Settings


@contextlib.asynccontextmanager
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(settings.database_url)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


def _when(mail: OutboxMail) -> str:
    return mail.created_at.strftime("%Y-%m-%d %H:%M")


async def outbox_lines(settings: Settings, status: str | None, limit: int) -> list[str]:
    async with sessions(settings) as maker, maker() as session:
        mails = await recent(session, status=status, limit=limit)
    if not mails:
        return ["the outbox is empty" if status is None else f"no {status} mail"]
    lines = [f"{'id':>5}  {'status':6}  {'created (UTC)':16}  {'to':32}  subject"]
    for m in mails:
        lines.append(f"{m.id:>5}  {m.status:6}  {_when(m):16}  {m.to_address:32}  {m.subject}")
        if m.status != "sent" and m.last_error:
            lines.append(f"{'':>5}  attempts {m.attempts}, last error: {m.last_error}")
    return lines


async def show_mail(settings: Settings, mail_id: int) -> str | None:
    async with sessions(settings) as maker, maker() as session:
        mail = await session.get(OutboxMail, mail_id) if 0 < mail_id < 2**31 else None
    if mail is None:
        return None
    return "\n".join([
        f"To: {mail.to_address}",
        f"Subject: {mail.subject}",
        f"Status: {mail.status} (attempts {mail.attempts})",
        f"Template: {mail.template}",
        "",
        mail.text_body,
    ])


async def send_now(settings: Settings) -> SendReport:
    async with sessions(settings) as maker:
        return await send_pending(maker, settings)
