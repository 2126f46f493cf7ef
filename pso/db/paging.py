"""One page of a query plus the total count, the same way for every list endpoint."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def paginate(
    session: AsyncSession, query: Select[Any], *order_by: Any, page: int, page_size: int
) -> tuple[list[Any], int]:
    """Rows of `page` (1-based) in a stable order, and how many rows match in all."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await session.scalars(
        query.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows.unique()), total or 0
