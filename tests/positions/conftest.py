from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.positions.index import holder


@pytest.fixture(autouse=True)
def _fresh_indexes() -> Iterator[None]:
    """Each test starts without a cached index (PostgreSQL tests reuse one database URL)."""
    holder.clear()
    yield
    holder.clear()
