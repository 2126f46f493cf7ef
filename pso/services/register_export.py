"""The public register as a download: CSV (Dutch Excel: BOM, semicolons) or JSON, streamed.

Rows are read in batches by key (register.export_batches) in a session of its own, so a
100,000-certificate download neither holds a request transaction open while the client reads
nor builds the whole file in memory.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pso.db.engine import READ_ONLY
from pso.files.csv_export import BOM, CsvWriter
from pso.services import register

COLUMNS = ("nummer", "soort", "trede", "status", "geldig_van", "geldig_tot_en_met",
           "ingetrokken_op", "organisatie", "kvk", "gemeentecode", "gemeente")


def _row(summary: dict[str, Any]) -> tuple[Any, ...]:
    org = summary["organization"]
    return (summary["number"], summary["kind"], summary["rung"], summary["status"],
            summary["validFrom"].isoformat(), summary["validUntil"].isoformat(),
            summary["revokedOn"].isoformat() if summary["revokedOn"] else "",
            org["name"], org["kvk"], org["municipalityCode"] or "", org["municipality"] or "")


def _json_item(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in summary.items()}


async def stream(session_maker: async_sessionmaker[AsyncSession], fmt: str, day: date,
                 filters: dict[str, Any]) -> AsyncIterator[bytes]:
    async with session_maker() as session:
        # READ_ONLY is the project's own option; SQLAlchemy's TypedDict lists only its own.
        await session.connection(execution_options={READ_ONLY: True})  # type: ignore[misc]
        first = True
        writer = CsvWriter()
        if fmt == "csv":
            writer.row(COLUMNS)
            yield (BOM + writer.take()).encode("utf-8")
        else:
            yield b'{"statusOn": "' + day.isoformat().encode() + b'", "items": ['
        async for batch in register.export_batches(session, day=day, **filters):
            summaries = [register.listed_summary(row, day) for row in batch]
            if fmt == "csv":
                writer.rows(_row(s) for s in summaries)
                yield writer.take().encode("utf-8")
            else:
                parts = [json.dumps(_json_item(s), ensure_ascii=False) for s in summaries]
                yield (("" if first else ",") + ",".join(parts)).encode("utf-8")
                first = False
        if fmt == "json":
            yield b"]}"
