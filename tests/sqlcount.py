"""Counting the SQL statements a piece of work issues (tests and benchmarks)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

_LOGGER = logging.getLogger("tortoise.db_client")


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """Yields a list that fills with each statement Tortoise sends meanwhile."""
    counter = _Counter()
    previous_level = _LOGGER.level
    _LOGGER.addHandler(counter)
    _LOGGER.setLevel(logging.DEBUG)
    try:
        yield counter.statements
    finally:
        _LOGGER.removeHandler(counter)
        _LOGGER.setLevel(previous_level)
