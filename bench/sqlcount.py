"""Counting the SQL statements a piece of work issues, without keeping them:
a tick over 100k clusters must not grow the memory it measures."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_LOGGER = logging.getLogger("tortoise.db_client")


@dataclass
class Count:
    statements: int = 0

    def __len__(self) -> int:
        return self.statements


class _Counter(logging.Handler):
    def __init__(self, count: Count) -> None:
        super().__init__(logging.DEBUG)
        self.count = count

    def emit(self, record: logging.LogRecord) -> None:
        self.count.statements += 1


@contextmanager
def count_statements() -> Iterator[Count]:
    """Yields a Count whose len() is the statements Tortoise sent meanwhile."""
    count = Count()
    handler = _Counter(count)
    previous_level = _LOGGER.level
    _LOGGER.addHandler(handler)
    _LOGGER.setLevel(logging.DEBUG)
    try:
        yield count
    finally:
        _LOGGER.removeHandler(handler)
        _LOGGER.setLevel(previous_level)
