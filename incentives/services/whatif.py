"""What-if: what a program's terms would have paid in a past period, against what was paid (nothing is written).

The terms are a saved version or unsaved ones straight from a form or a request; either way they
go through the settlement run's own path (``engine.gather_inputs`` + ``engine.rebate_lines``), so
a what-if and the statement it previews can never disagree. "Was paid" is every rebate line of
the program's code on the period's statements, whatever their status. Eligibility is the
settlement's (status and tier on the period's last day); the program's own start and end dates
are left aside: the question is what these terms would have paid in that period.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from common.periods import Period
from partners.models import Partner
from settlements.models import LineKind, StatementLine

from ..engine import ProgramTerms, gather_inputs, rebate_lines
from ..models import PeriodChoice, RebateProgram, RebateProgramVersion
from ..validation import clean_program_rules

ZERO = Decimal("0.00")
RULE_FIELDS = ("basis", "method", "period_kind", "brackets", "tiers", "categories", "cap", "accelerator")


@dataclasses.dataclass(frozen=True)
class WhatIfRow:
    """One partner: what the terms would pay, what the program's code did pay, and the difference."""

    partner_id: int
    partner_code: str
    partner_name: str
    basis: Decimal
    rate_percent: Decimal
    would_pay: Decimal
    was_paid: Decimal
    line: Any = None  # the computed line (for its explanation); None when only "was paid" has a figure

    @property
    def difference(self) -> Decimal:
        return self.would_pay - self.was_paid


@dataclasses.dataclass(frozen=True)
class WhatIf:
    period: Period
    terms: ProgramTerms
    rows: list[WhatIfRow]

    @property
    def would_pay(self) -> Decimal:
        return sum((row.would_pay for row in self.rows), ZERO)

    @property
    def was_paid(self) -> Decimal:
        return sum((row.was_paid for row in self.rows), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.would_pay - self.was_paid


def unsaved_program_terms(*, code: str, rules: Mapping[str, Any]) -> ProgramTerms:
    """Engine terms from unsaved rules (checked by ``validation.clean_program_rules``): version None.

    Built through an unsaved version, so the arithmetic is read exactly as a saved one's is.
    """
    fields = {field: rules.get(field) for field in ("basis", "method", "period_kind", "brackets", "cap")}
    version = RebateProgramVersion(
        program=RebateProgram(code=code or ""),
        number=None,
        tiers=list(rules.get("tiers") or []),
        categories=list(rules.get("categories") or []),
        accelerator=rules.get("accelerator"),
        **fields,
    )
    return ProgramTerms.of(version)


def check_period(text: Period | str, period_kind: str) -> Period:
    """The period to run a what-if over: one of the program's kind (a quarterly program, a quarter)."""
    if isinstance(text, Period):
        period = text
    else:
        try:
            period = Period.parse(text)
        except ValueError as error:
            raise ValidationError({"period": str(error)}) from error
    if period.kind != period_kind:
        examples = {"month": "2026-03", "quarter": "2026-Q1", "year": "2026"}
        raise ValidationError(
            {
                "period": _("The program pays by %(kind)s: choose a %(kind)s, such as %(example)s.")
                % {"kind": PeriodChoice(period_kind).label.lower(), "example": examples[period_kind]}
            }
        )
    return period


def last_complete_period(period_kind: str, today: datetime.date) -> Period:
    """The period a what-if looks at unless told otherwise: the last one of its kind that has ended."""
    return Period.containing(today, period_kind).previous()


def program_what_if(
    *,
    period: Period | str | None,
    today: datetime.date,
    version: RebateProgramVersion | None = None,
    code: str = "",
    rules: Mapping[str, Any] | None = None,
    partner_ids: Collection[int] | None = None,
) -> WhatIf:
    """Run a saved ``version``, or unsaved ``rules`` under ``code``, over ``period``; nothing is written.

    ``rules`` are checked as a program's are (dates are not needed); when ``code`` names a saved
    program, the rules not given are its latest version's (an edit previewed before it is saved).
    ``period`` defaults to the last complete period of the program's kind before ``today``.
    ``partner_ids`` narrows the rows (and so the totals) to the partners a member may see. A fixed
    number of statements whatever the number of partners.
    """
    if version is not None:
        terms = ProgramTerms.of(version)
        period_kind = version.period_kind
    else:
        given = dict(rules or {})
        saved = RebateProgramVersion.objects.filter(program__code=code).order_by("-number").first() if code else None
        if saved is not None:
            given = {**{field: getattr(saved, field) for field in RULE_FIELDS}, **given}
        cleaned = clean_program_rules(given, require_dates=False)
        terms = unsaved_program_terms(code=code, rules=cleaned)
        period_kind = cleaned["period_kind"]
    period = check_period(period, period_kind) if period else last_complete_period(period_kind, today)
    metrics = [terms.rule.accelerator.metric] if terms.rule.accelerator else []
    inputs = gather_inputs(period, accelerator_metrics=metrics)
    lines = {line.partner_id: line for line in rebate_lines(inputs, [terms], keep_zero=True)}
    paid = _paid(terms.code, period)
    shown = {pid for pid, line in lines.items() if line.basis or line.amount} | set(paid)
    if partner_ids is not None:
        shown &= set(partner_ids)
    names = dict(Partner.objects.filter(pk__in=shown).values_list("pk", "name"))
    rows = []
    for partner_id in shown:
        line = lines.get(partner_id)
        state = inputs.partners.get(partner_id)
        rows.append(
            WhatIfRow(
                partner_id=partner_id,
                partner_code=state.code if state else "",
                partner_name=names.get(partner_id, ""),
                basis=line.basis if line else ZERO,
                rate_percent=line.rate_percent if line else ZERO,
                would_pay=line.amount if line else ZERO,
                was_paid=paid.get(partner_id, ZERO),
                line=line,
            )
        )
    rows.sort(key=lambda row: (-abs(row.difference), -row.would_pay, row.partner_code))
    return WhatIf(period=period, terms=terms, rows=rows)


def _paid(code: str, period: Period) -> dict[int, Decimal]:
    """What the program's code paid each partner on the period's statements (any status)."""
    if not code:
        return {}
    lines = StatementLine.objects.filter(kind=LineKind.REBATE, source_code=code, statement__period=str(period))
    return dict(lines.order_by().values_list("statement__partner_id").annotate(total=Sum("amount")))
