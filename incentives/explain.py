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
