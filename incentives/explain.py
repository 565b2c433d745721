"""A computed line in words, in the active language (SPEC §4.6: "an explanation in the tenant's language").

Made from the line's ``details`` (``incentives.engine``), so the words always say what the
arithmetic did: "2% of ¥612,400.00 sales in Q1 2026 (bracket from ¥500,000.00)". A settlement
run words tens of thousands of lines of one period: ``Explainer`` looks each phrase up once.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop, pgettext

from common.money import format_money
from common.periods import Period

# The phrases, marked for translation here and looked up when a line is worded.
COLLECTED = gettext_noop("%(money)s collected in %(period)s")
SALES_OF = gettext_noop("%(money)s sales of %(categories)s in %(period)s")
SALES = gettext_noop("%(money)s sales in %(period)s")
NO_REBATE = gettext_noop("No rebate: %(basis)s.")
SLICE = gettext_noop("%(rate)s of %(base)s (from %(lower)s)")
SLICES = gettext_noop("%(basis)s, each slice at its bracket's rate: %(slices)s = %(amount)s")
ONE_RATE = gettext_noop("%(rate)s of %(basis)s (bracket from %(threshold)s)")
ACCELERATED = gettext_noop("; × %(multiplier)s: attainment %(attainment)s reached %(needed)s")
NOT_ACCELERATED = gettext_noop("; no accelerator: attainment %(attainment)s is below %(needed)s")
NO_TARGET = gettext_noop("(no target)")
CAPPED = gettext_noop("; capped at %(cap)s")
MORE_REACHES = gettext_noop(". %(more)s more reaches %(rate)s")
PROFIT = gettext_noop(
    "%(rate)s of %(margin)s margin (sales less cost, %(count)s sales with a cost) in %(period)s, tier %(tier)s."
)
LOSS = gettext_noop("Loss shared: %(rate)s of %(written_off)s written off in %(period)s.")


def percent(value: Decimal | str) -> str:
    """``2%``, ``1.5%``, ``12.25%``: no trailing zeros."""
    return f"{Decimal(str(value)).normalize():f}%"


class Explainer:
    """Words for the lines of one period, in the language active when it is made."""

    def __init__(self, *, period: Period, currency: str, label: str | None = None):
        self.label = label if label is not None else period.label
        self.currency = currency
        self.words: dict[str, str] = {}

    def t(self, phrase: str) -> str:
        found = self.words.get(phrase)
        if found is None:
            found = self.words[phrase] = gettext(phrase)
        return found

    def t_list_separator(self) -> str:
        separator = self.words.get("\0list")
        if separator is None:
            separator = self.words["\0list"] = pgettext("list separator", ", ")
        return separator

    def money(self, value) -> str:
        return format_money(value, self.currency)

    def __call__(self, line) -> str:
        return getattr(self, line.kind)(line.basis, line.rate_percent, line.details)

    def _basis(self, details: dict, money: str) -> str:
        if details.get("basis_kind") == "collections":
            return self.t(COLLECTED) % {"money": money, "period": self.label}
        if details.get("categories"):
            return self.t(SALES_OF) % {
                "money": money,
                "categories": self.t_list_separator().join(details["categories"]),
                "period": self.label,
            }
        return self.t(SALES) % {"money": money, "period": self.label}

    def rebate(self, basis: Decimal, rate_percent: Decimal, details: dict) -> str:
        t, money = self.t, self.money
        if basis <= 0:
            return t(NO_REBATE) % {"basis": self._basis(details, money(basis))}
        slices = details.get("slices") or []
        if details.get("method") == "incremental" and len(slices) > 1:
            parts = [
                t(SLICE) % {"rate": percent(piece["rate_percent"]), "base": money(piece["base"]),
                            "lower": money(piece["lower"])}
                for piece in slices
            ]  # fmt: skip
            text = t(SLICES) % {
                "basis": self._basis(details, money(basis)),
                "slices": " + ".join(parts),
                "amount": money(details["before_accelerator"]),
            }
        else:
            text = t(ONE_RATE) % {
                "rate": percent(rate_percent),
                "basis": self._basis(details, money(basis)),
                "threshold": money(details.get("bracket_threshold") or 0),
            }
        accelerator = details.get("accelerator")
        if accelerator:
            needed = percent(Decimal(accelerator["min_attainment"]) * 100)
            attained = accelerator.get("attainment")
            shown = percent(Decimal(attained) * 100) if attained is not None else t(NO_TARGET)
            if accelerator.get("applied"):
                multiplier = f"{Decimal(accelerator['multiplier']).normalize():f}"
                text += t(ACCELERATED) % {"multiplier": multiplier, "attainment": shown, "needed": needed}
            else:
                text += t(NOT_ACCELERATED) % {"attainment": shown, "needed": needed}
        if details.get("capped"):
            text += t(CAPPED) % {"cap": money(details["cap"])}
        next_threshold = details.get("next_threshold")
        if next_threshold is not None:
            text += t(MORE_REACHES) % {
                "more": money(Decimal(next_threshold) - basis),
                "rate": percent(details["next_rate_percent"]),
            }
        return text + pgettext("end of a sentence", ".")

    def profit_share(self, basis: Decimal, rate_percent: Decimal, details: dict) -> str:
        return self.t(PROFIT) % {
            "rate": percent(rate_percent),
            "margin": self.money(basis),
            "count": details.get("sales_with_cost", 0),
            "period": self.label,
            "tier": details.get("tier_name") or details.get("tier", ""),
        }

    def loss_share(self, basis: Decimal, rate_percent: Decimal, details: dict) -> str:
        return self.t(LOSS) % {"rate": percent(rate_percent), "written_off": self.money(basis), "period": self.label}


def explain(line, *, period: Period, currency: str) -> str:
    """Words for one ``ComputedLine`` (or anything with kind, basis, rate_percent and details)."""
    return Explainer(period=period, currency=currency)(line)


Wording = Callable[[object], str]
