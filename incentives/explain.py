"""A computed line in words, in the active language (SPEC §4.6: "an explanation in the tenant's language").

Made from the line's ``details`` (``incentives.engine``), so the words always say what the
arithmetic did: "2% of ¥612,400.00 sales in Q1 2026 (bracket from ¥500,000.00)".
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from common.money import format_money
from common.periods import Period


def percent(value: Decimal | str) -> str:
    """``2%``, ``1.5%``, ``12.25%``: no trailing zeros."""
    number = Decimal(str(value)).normalize()
    text = f"{number:f}"
    return f"{text}%"


def _basis_words(details: dict, money: str, period: Period) -> str:
    if details.get("basis_kind") == "collections":
        return _("%(money)s collected in %(period)s") % {"money": money, "period": period.label}
    if details.get("categories"):
        return _("%(money)s sales of %(categories)s in %(period)s") % {
            "money": money,
            "categories": "、".join(details["categories"]),
            "period": period.label,
        }
    return _("%(money)s sales in %(period)s") % {"money": money, "period": period.label}


def explain_rebate(*, basis: Decimal, rate_percent: Decimal, details: dict, period: Period, currency: str) -> str:
    def money(value) -> str:
        return format_money(Decimal(str(value)), currency)

    if basis <= 0:
        return _("No rebate: %(basis)s.") % {"basis": _basis_words(details, money(basis), period)}
    slices = details.get("slices") or []
    if details.get("method") == "incremental" and len(slices) > 1:
        parts = [
            _("%(rate)s of %(base)s (from %(lower)s)")
            % {
                "rate": percent(piece["rate_percent"]),
                "base": money(piece["base"]),
                "lower": money(piece["lower"]),
            }
            for piece in slices
        ]
        text = _("%(basis)s, each slice at its bracket's rate: %(slices)s = %(amount)s") % {
            "basis": _basis_words(details, money(basis), period),
            "slices": " + ".join(parts),
            "amount": money(details["before_accelerator"]),
        }
    else:
        text = _("%(rate)s of %(basis)s (bracket from %(threshold)s)") % {
            "rate": percent(rate_percent),
            "basis": _basis_words(details, money(basis), period),
            "threshold": money(details.get("bracket_threshold") or 0),
        }
    accelerator = details.get("accelerator")
    if accelerator and accelerator.get("applied"):
        text += _("; × %(multiplier)s: attainment %(attainment)s reached %(needed)s") % {
            "multiplier": Decimal(accelerator["multiplier"]).normalize(),
            "attainment": percent(Decimal(accelerator["attainment"]) * 100),
            "needed": percent(Decimal(accelerator["min_attainment"]) * 100),
        }
    elif accelerator:
        attained = accelerator.get("attainment")
        text += _("; no accelerator: attainment %(attainment)s is below %(needed)s") % {
            "attainment": percent(Decimal(attained) * 100) if attained is not None else _("(no target)"),
            "needed": percent(Decimal(accelerator["min_attainment"]) * 100),
        }
    if details.get("capped"):
        text += _("; capped at %(cap)s") % {"cap": money(details["cap"])}
    next_threshold = details.get("next_threshold")
    if next_threshold is not None:
        text += _(". %(more)s more reaches %(rate)s") % {
            "more": money(Decimal(next_threshold) - basis),
            "rate": percent(details["next_rate_percent"]),
        }
    return text + "."


def explain_profit_share(*, basis: Decimal, rate_percent: Decimal, details: dict, period: Period, currency: str) -> str:
    return _(
        "%(rate)s of %(margin)s margin (sales less cost, %(count)s sales with a cost) in %(period)s, tier %(tier)s."
    ) % {
        "rate": percent(rate_percent),
        "margin": format_money(basis, currency),
        "count": details.get("sales_with_cost", 0),
        "period": period.label,
        "tier": details.get("tier_name") or details.get("tier", ""),
    }


def explain_loss_share(*, basis: Decimal, rate_percent: Decimal, details: dict, period: Period, currency: str) -> str:
    return _("Loss shared: %(rate)s of %(written_off)s written off in %(period)s.") % {
        "rate": percent(rate_percent),
        "written_off": format_money(basis, currency),
        "period": period.label,
    }


EXPLAINERS = {"rebate": explain_rebate, "profit_share": explain_profit_share, "loss_share": explain_loss_share}


def explain(line, *, period: Period, currency: str) -> str:
    """Words for a ``ComputedLine`` (or anything with kind, basis, rate_percent and details)."""
    return EXPLAINERS[line.kind](
        basis=line.basis, rate_percent=line.rate_percent, details=line.details, period=period, currency=currency
    )


# --- the rules in words, for the pages ----------------------------------------------------------------


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


def describe_method(method: str) -> str:
    if method == "incremental":
        return _("Each slice of the basis is paid at its own bracket's rate.")
    return _("The whole basis is paid at the rate of the highest bracket it reaches.")


def describe_tiers(codes, names: dict[str, str]) -> str:
    """Tier codes as their names ("all tiers" for none)."""
    if not codes:
        return _("All tiers")
    return "、".join(names.get(code, code) for code in codes)


def describe_program(version, *, currency: str, tier_names: dict[str, str]) -> dict:
    """Everything a program page says about a version's rules, in the active language, money formatted."""
    return {
        "basis": version.get_basis_display(),
        "method": version.get_method_display(),
        "method_words": describe_method(version.method),
        "period_kind": version.get_period_kind_display(),
        "brackets": describe_brackets(version.brackets, currency=currency),
        "tiers": describe_tiers(version.tiers, tier_names),
        "categories": "、".join(version.categories) if version.categories else _("All product categories"),
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
    """“On course to earn ¥12,400.00 this quarter under Q1 rebate; ¥88,000.00 more sales reaches 3%.”"""
    period = Period.parse(accrual.period)
    if period.contains(today):
        when = {"month": _("this month"), "quarter": _("this quarter"), "year": _("this year")}[period.kind]
    else:
        when = _("in %(period)s") % {"period": period.label}
    text = _("On course to earn %(amount)s %(when)s under %(program)s") % {
        "amount": format_money(accrual.amount, currency),
        "when": when,
        "program": accrual.program.name,
    }
    more = accrual.to_next_bracket
    if more is not None:
        basis = _("collections") if accrual.version.basis == "collections" else _("sales")
        text += _("; %(more)s more %(basis)s reaches %(rate)s") % {
            "more": format_money(more, currency),
            "basis": basis,
            "rate": percent(accrual.next_rate_percent),
        }
    return text + "."
