"""Kinds that register themselves (chart kinds, column kinds): defining a subclass with a
`name` puts one instance of it into its base's `KINDS`, so a new kind is one class."""

from __future__ import annotations

from typing import Any, ClassVar


class Registered:
    """The base of a kind. A subclass base sets `KINDS` (its registry) and `noun` (how a
    kind prints: "<chart kind line>"); each kind below it sets `name`."""

    name: ClassVar[str]
    KINDS: ClassVar[dict[str, Any]]
    noun: ClassVar[str] = "kind"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            cls.KINDS[cls.name] = cls()

    def __repr__(self) -> str:
        return f"<{self.noun} {self.name}>"
