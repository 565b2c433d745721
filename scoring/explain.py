"""Plain words for each score component, built from the stored figures (no recomputation)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.money import format_money
from common.numbers import half_up

from .calculations import COMPONENTS, HUNDRED, points_to_next_tier, weakest_lever

LABELS = {
    "volume": gettext_lazy("Sales volume"),
    "growth": gettext_lazy("Growth"),
    "attainment": gettext_lazy("Target attainment"),
    "collection": gettext_lazy("Collections"),
    "overdue": gettext_lazy("Overdue"),
}
LEVERS = {
    "volume": gettext_lazy("sell more"),
    "growth": gettext_lazy("grow faster than last year"),
    "attainment": gettext_lazy("reach your targets"),
    "collection": gettext_lazy("raise collections"),
    "overdue": gettext_lazy("pay overdue invoices"),
}


def _percent(numerator: Decimal, denominator: Decimal) -> str:
    if denominator == 0:
        return "—"
    return f"{half_up(HUNDRED * numerator / denominator, Decimal('0.1'))}%"


def component_sentences(score, *, currency: str = "CNY", for_partner: bool = False) -> dict[str, str]:
    """Each component in words. A partner reads its own figures only: never the best partner's sales."""
    s, p, top = score.sales_365, score.sales_prior_365, score.max_sales_365

    def _money(value: Decimal) -> str:
        return format_money(value, currency)

    if top <= 0:
        volume = _("No partner has positive sales in the last 365 days, so volume counts 0.")
    elif for_partner:
        volume = _(
            "Sales in the last 365 days: %(sales)s. Volume compares them with the best partner's: 100 is as much "
            "as the best."
        ) % {"sales": _money(s)}
    else:
        volume = _("Sales in the last 365 days: %(sales)s, which is %(share)s of the best partner's %(top)s.") % {
            "sales": _money(s),
            "share": _percent(s, top),
            "top": _money(top),
        }
    sentences = {
        "volume": volume,
        "growth": (
            _("Sales went from %(prior)s in the 365 days before to %(sales)s: %(change)s.")
            % {"prior": _money(p), "sales": _money(s), "change": _percent(s - p, p)}
            if p > 0
            else _("No sales in the 365 days before to compare with: 100 if there are sales now, else 50.")
        ),
        "attainment": (
            _("On average %(mean)s of %(count)d current target(s) reached.")
            % {"mean": _percent(score.attainment_mean, Decimal(1)), "count": score.target_count}
            if score.target_count
            else _("No target covers this day, so attainment counts 50.")
        ),
        "collection": (
            _("Collected %(paid)s against %(invoiced)s invoiced in the last 365 days.")
            % {"paid": _money(score.payments_365), "invoiced": _money(score.invoices_365)}
            if score.invoices_365 > 0
            else _("No invoices in the last 365 days, so collections count 100.")
        ),
        "overdue": (
            _("%(overdue)s of the %(outstanding)s outstanding is overdue.")
            % {"overdue": _money(score.overdue_amount), "outstanding": _money(score.outstanding)}
            if score.outstanding > 0
            else _("Nothing is outstanding, so overdue counts 100.")
        ),
    }
    return sentences


def component_rows(score, *, currency: str = "CNY", for_partner: bool = False) -> list[dict]:
    weights = score.weights
    total = sum(Decimal(str(weights[name])) for name in COMPONENTS)
    sentences = component_sentences(score, currency=currency, for_partner=for_partner)
    return [
        {
            "name": name,
            "label": LABELS[name],
            "value": getattr(score, name),
            "weight": weights[name],
            "points": half_up(Decimal(str(weights[name])) * getattr(score, name) / total) if total else Decimal(0),
            "sentence": sentences[name],
        }
        for name in COMPONENTS
    ]


def path_to_next_tier(score, next_tier) -> dict | None:
    """ "+6.20 points: raise collections" — what the next tier needs and the lever that pays most."""
    if next_tier is None:
        return None
    parts = {name: getattr(score, name) for name in COMPONENTS}
    lever = weakest_lever(parts, score.weights)
    return {
        "tier": next_tier,
        "points": points_to_next_tier(score.score, next_tier.min_score),
        "lever": LEVERS[lever],
        "lever_name": lever,
    }
