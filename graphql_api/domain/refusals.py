"""A business rule's "no": a stable code, a message for people, the field to fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Refusal:
    code: enum.StrEnum
    message: str
    field: str | None = None
