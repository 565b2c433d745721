"""Reads for settlements: statements with what a page or an answer shows of them, in a fixed number of queries."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from common.periods import Period
from funds.payouts import fund_names
from incentives.explain import explain
from incentives.models import ProfitShareAgreement, RebateProgram

from .models import COMPUTED_KINDS, LineKind, Statement, StatementEvent, StatementLine


def statement_list(queryset: QuerySet[Statement]) -> QuerySet[Statement]:
    """Statements with their partner, latest period first, then by partner code."""
    return queryset.select_related("partner").order_by("-starts_on", "partner__code", "pk")


def statement_with_history(queryset: QuerySet[Statement]) -> QuerySet[Statement]:
    """Statements with their partner, approver, payer, lines and events (who, when, why), prefetched."""
    return queryset.select_related("partner", "approved_by", "paid_by", "last_changed_by").prefetch_related(
        Prefetch("lines", queryset=StatementLine.objects.select_related("created_by").order_by("kind", "source_code",
                                                                                              "pk")),
        Prefetch("events", queryset=StatementEvent.objects.select_related("actor").order_by("created_at", "pk")),
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class StatementTotals:
    count: int
    total: Decimal
    by_status: dict[str, int]


def statement_totals(queryset: QuerySet[Statement]) -> StatementTotals:
    """How many statements, their total, and how many in each status (one query)."""
    rows = list(queryset.order_by().values("status").annotate(count=Count("pk"), total=Sum("total")))
    return StatementTotals(
        count=sum(row["count"] for row in rows),
        total=sum((row["total"] or Decimal("0") for row in rows), Decimal("0")),
        by_status={row["status"]: row["count"] for row in rows},
    )


def line_explanation(line: StatementLine, *, period: Period, currency: str) -> str:
    """A line in words, in the active language: computed lines from their details, others as entered."""
    if line.kind in COMPUTED_KINDS and line.details:
        return explain(line, period=period, currency=currency)
    if line.kind == LineKind.ADJUSTMENT:
        return line.reason or line.explanation
    return line.explanation


def source_names(lines) -> dict[tuple[str, str], str]:
    """The names of the programs and agreements the lines come from, keyed by (kind, code): two queries at most."""
    program_codes = {line.source_code for line in lines if line.kind == LineKind.REBATE}
    agreement_codes = {line.source_code for line in lines if line.kind in (LineKind.PROFIT_SHARE, LineKind.LOSS_SHARE)}
    names: dict[tuple[str, str], str] = {}
    if program_codes:
        for code, name in RebateProgram.objects.filter(code__in=program_codes).values_list("code", "name"):
            names[(LineKind.REBATE, code)] = name
    if agreement_codes:
        for code, name in ProfitShareAgreement.objects.filter(code__in=agreement_codes).values_list("code", "name"):
            names[(LineKind.PROFIT_SHARE, code)] = names[(LineKind.LOSS_SHARE, code)] = name
    for source, name in fund_names({line.source_code for line in lines if line.kind == LineKind.MDF}).items():
        names[(LineKind.MDF, source)] = name
    return names


def source_label(line: StatementLine, names: dict, *, show_people: bool = True) -> str:
    """“Q1 rebate (Q-REBATE) v2”, “Profit share (PS) v1”; an adjustment: who entered it (the vendor, for partners)."""
    if line.kind == LineKind.ADJUSTMENT:
        if show_people and line.created_by_id:
            return _("Entered by %(who)s") % {"who": line.created_by.email}
        return _("Entered by the vendor")
    if not line.source_code:
        return "—"
    name = names.get((line.kind, line.source_code))
    label = f"{name} ({line.source_code})" if name else line.source_code
    if line.source_version is not None:
        label = _("%(source)s v%(version)s") % {"source": label, "version": line.source_version}
    return label
