"""A chart's spec: one ``[[charts]]`` entry of a table spec (see :mod:`bulletin.tablespec`,
which reads and checks it). Its ``type`` names a chart kind of :mod:`bulletin.charts.kinds`;
the kind checks the rest (how many columns, which settings it takes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bulletin.compute.sheets import parse_number
from bulletin.diagnostics.errors import msg


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HighlightSpec(_Model):
    top: int | None = Field(None, ge=1, description="the N largest values")
    bottom: int | None = Field(None, ge=1, description="the N smallest values")
    names: list[str] = Field(default_factory=list, description="rows (counties) by name")


class ChartSpec(_Model):
    """A chart of this table (see bulletin.charts)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", description="the SVG's file name")
    type: str = Field(description="a chart kind: bulletin.charts.kinds.KINDS")
    columns: list[str] = Field(min_length=1, description="column names, as in expressions")
    rows: list[str] | None = Field(None, description="line: the rows drawn (default: all)")
    sort: Literal["table", "desc", "asc"] = Field("table", description="bar order (not rank_bar)")
    reference: float | str | None = Field(None, description='"total", a number or "15%"')
    reference_label: str | None = None
    labels: bool = Field(True, description="value labels in the table's number format")
    highlight: HighlightSpec | None = None
    title: str | None = Field(None, description="default: the table's title")
    source_note: str | None = Field(None, description="default: the table's source_note")
    place: Literal["after"] | None = Field(None, description="'after': right after the table")

    @field_validator("reference")
    @classmethod
    def _reference(cls, v: float | str | None) -> float | str | None:
        if v is not None and v != "total":  # a number must be finite and plausible too
            try:
                if parse_number(v) is None:
                    raise ValueError("empty")
            except ValueError:
                raise ValueError(msg("tablespec.reference")) from None
        return v
