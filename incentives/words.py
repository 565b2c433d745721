"""Programs, agreements and accruals in words, in the active language, every amount through ``format_money``.

What the program pages, "Our programs" and the portal home say about rules: the bracket table,
the method, the accelerator and the cap, the tiers by name, and "on course to earn" from an
accrual. (A computed statement line in words is ``explain``.)
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from common.money import format_money
from common.periods import Period

from .explain import percent


def listed(items) -> str:
    """Several names in one phrase: “核心、普通” in Chinese, “Core, Ordinary” in English."""
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(item) for item in items)


def describe_brackets(brackets: list[dict], *, currency: str) -> list[dict]:
    """A bracket table as people read it: each bracket's range of the basis and its rate."""
    rows = []
    for index, bracket in enumerate(brackets):
        upper = brackets[index + 1]["threshold"] if index + 1 < len(brackets) else None
        rows.append(
            {
                "lower": format_money(Decimal(str(bracket["threshold"])), currency),
                "upper": format_money(Decimal(str(upper)), currency) if upper is not None else None,
                "rate": percent(bracket["rate_percent"]),
            }
        )
    return rows


def describe_accelerator(accelerator: dict | None) -> str:
    if not accelerator:
        return _("No accelerator.")
    from targets.models import Metric

    metric = Metric(accelerator["metric"]).label
    return _(
        "× %(multiplier)s when the partner's attainment of its %(metric)s target for the same period reaches "
        "%(needed)s."
    ) % {
        "multiplier": Decimal(str(accelerator["multiplier"])).normalize(),
        "metric": str(metric).lower(),
        "needed": percent(Decimal(str(accelerator["min_attainment"])) * 100),
    }


def describe_cap(cap: Decimal | None, *, currency: str) -> str:
    if cap is None:
        return _("No cap.")
    return _("At most %(cap)s per partner and period.") % {"cap": format_money(cap, currency)}


def describe_tiers(codes, names: dict[str, str]) -> str:
    """Tier codes as their names ("all tiers" for none)."""
    if not codes:
        return _("All tiers")
    return listed(names.get(code, code) for code in codes)


def describe_program(version, *, currency: str, tier_names: dict[str, str]) -> dict:
    """Everything a program page says about a version's rules, in the active language, money formatted."""
    return {
        "basis": version.get_basis_display(),
        "method": version.get_method_display(),
        "period_kind": version.get_period_kind_display(),
        "brackets": describe_brackets(version.brackets, currency=currency),
        "tiers": describe_tiers(version.tiers, tier_names),
        "categories": listed(version.categories) if version.categories else _("All product categories"),
        "accelerator": describe_accelerator(version.accelerator),
        "cap": describe_cap(version.cap, currency=currency),
    }


def describe_agreement(version, *, tier_names: dict[str, str]) -> dict:
    return {
        "period_kind": version.get_period_kind_display(),
        "rates": [
            {
                "tier": tier_names.get(row["tier"], row["tier"]),
                "code": row["tier"],
                "rate": percent(row["rate_percent"]),
            }
            for row in version.rates
        ],
        "loss_share": percent(version.loss_share_percent),
    }


def accrual_words(accrual, *, currency: str, today) -> str:
    """“On course to earn ¥12,400.00 this quarter under Q1 rebate; ¥88,000.00 more sales reach 3%.”

    Whole sentences (not words put together), so that each language keeps its own word order.
    """
    period = Period.parse(accrual.period)
    values = {
        "amount": format_money(accrual.amount, currency),
        "program": accrual.program.name,
        "period": period.label,
    }
    if not period.contains(today):
        text = _("On course to earn %(amount)s in %(period)s under %(program)s") % values
    elif period.kind == "month":
        text = _("On course to earn %(amount)s this month under %(program)s") % values
    elif period.kind == "quarter":
        text = _("On course to earn %(amount)s this quarter under %(program)s") % values
    else:
        text = _("On course to earn %(amount)s this year under %(program)s") % values
    more = accrual.to_next_bracket
    if more is not None:
        values = {"more": format_money(more, currency), "rate": percent(accrual.next_rate_percent)}
        if accrual.version.basis == "collections":
            text += _("; %(more)s more collections reach %(rate)s") % values
        else:
            text += _("; %(more)s more sales reach %(rate)s") % values
    return text + pgettext("end of a sentence", ".")
