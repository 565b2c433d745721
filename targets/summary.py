"""What the pages show of targets: rows with their figures and band, and a period's summary."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from .calculations import Figures
from .models import Target

MET = Decimal("1")
NEAR = Decimal("0.8")


def band(ratio: Decimal | None) -> str:
    """The colour of an attainment or pace: ``met`` (100% or more), ``near`` (80% or more), ``behind``."""
    if ratio is None:
        return "none"
    if ratio >= MET:
        return "met"
    if ratio >= NEAR:
        return "near"
    return "behind"


@dataclasses.dataclass(frozen=True)
class Row:
    target: Target
    figures: Figures

    @property
    def band(self) -> str:
        return band(self.figures.attainment)

    @property
    def pace_band(self) -> str:
        pace = self.figures.pace
        return band(pace.projected_attainment if pace else None)


def rows_of(targets: Iterable[Target], figures: dict[int, Figures]) -> list[Row]:
    return [Row(target, figures[target.pk]) for target in targets]


@dataclasses.dataclass(frozen=True)
class Summary:
    """A period at a glance: how many targets, how many met, how many on course, the mean attainment."""

    count: int
    met: int
    on_course: int
    mean_attainment: Decimal | None


def summarise(targets: list[Target], figures: dict[int, Figures]) -> Summary:
    found = [figures[target.pk] for target in targets]
    met = sum(1 for item in found if item.attainment >= MET)
    on_course = sum(1 for item in found if item.pace is not None and item.pace.projected_attainment >= MET)
    mean = sum((item.attainment for item in found), Decimal("0")) / len(found) if found else None
    return Summary(len(found), met, on_course, mean)
