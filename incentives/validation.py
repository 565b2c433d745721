"""What makes a program's rules or an agreement's terms valid (SPEC §4.4, §4.5), field by field.

The services (create, edit), the what-if and so the pages and the API all check rules here, and
every problem comes back at once as a ``ValidationError`` keyed by field (``brackets``, ``tiers``,
``accelerator``…), each message saying what is wrong and, for a table, on which row. What passes
is returned in its stored form: money as text with two places, rates as plain text
(``"1.5"``), codes and categories trimmed and once each.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.money import format_money
from partners.models import Tier
from targets.models import Metric
from tenancy.context import require_tenant

from .calculations import Bracket, brackets_problems
from .models import Basis, Method, PeriodChoice

CENT = Decimal("0.01")
RATE_PLACES = 4
MONEY_MAX = Decimal("99999999999999.99")  # DECIMAL(16,2)
HUNDRED = Decimal("100")
# Bounds that keep every computed amount within DECIMAL(16,2); the spec sets none.
MULTIPLIER_MAX = Decimal("10")
MIN_ATTAINMENT_MAX = Decimal("100")  # a ratio: 10,000%
CATEGORY_MAX_LENGTH = 100

PROGRAM_RULE_FIELDS = (
    "basis", "method", "period_kind", "brackets", "tiers", "categories", "cap", "accelerator", "starts_on", "ends_on",
)  # fmt: skip
AGREEMENT_TERM_FIELDS = ("period_kind", "rates", "loss_share_percent", "starts_on", "ends_on")


class Problems:
    """Field → messages, gathered so that every problem is reported at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def plain(value: Decimal) -> str:
    """A rate as stored and shown: ``1.5``, ``12``, ``0.25`` (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def money_text(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _number(value: Any) -> Decimal | None:
    """A finite Decimal from text or a number (None when it is none); bool is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _money(value: Any, problems: Problems, field: str, what: str, *, prefix: str = "") -> Decimal | None:
    """An amount of money: a number, 0 or more, two places at most, within DECIMAL(16,2)."""
    number = _number(value)
    if number is None:
        problems.add(field, prefix + _("%(what)s “%(value)s” is not a number.") % {"what": what, "value": value})
        return None
    if number < 0:
        problems.add(field, prefix + _("%(what)s must be 0 or more.") % {"what": what})
    elif number > MONEY_MAX:
        currency = require_tenant().currency
        problems.add(
            field,
            prefix + _("%(what)s must be at most %(max)s.") % {"what": what, "max": format_money(MONEY_MAX, currency)},
        )
    elif _places(number) > 2:
        problems.add(field, prefix + _("%(what)s has at most two decimal places.") % {"what": what})
    else:
        return number
    return None


def _percent(value: Any, problems: Problems, field: str, what: str, *, prefix: str = "") -> Decimal | None:
    """A percentage from 0 to 100, four decimal places at most."""
    number = _number(value)
    if number is None:
        problems.add(field, prefix + _("%(what)s “%(value)s” is not a number.") % {"what": what, "value": value})
        return None
    if not 0 <= number <= HUNDRED:
        problems.add(field, prefix + _("%(what)s must be between 0 and 100 (a percentage).") % {"what": what})
    elif _places(number) > RATE_PLACES:
        problems.add(field, prefix + _("%(what)s has at most four decimal places.") % {"what": what})
    else:
        return number
    return None


def _choices_text(choices) -> str:
    """The codes an API client sends, each with the label a person reads: ``retroactive (全额累进)``."""
    return ", ".join(f"{value} ({label})" for value, label in choices.choices)


def _choice(value: Any, choices, problems: Problems, field: str) -> str | None:
    if value in choices.values:
        return value
    if _is_blank(value):
        problems.add(field, _("Choose one of: %(choices)s.") % {"choices": _choices_text(choices)})
    else:
        problems.add(
            field,
            _("“%(value)s” is not one of the choices: %(choices)s.")
            % {"value": value, "choices": _choices_text(choices)},
        )
    return None


def _date(value: Any, problems: Problems, field: str, *, required: bool) -> datetime.date | None:
    if _is_blank(value):
        if required:
            problems.add(field, _("Give a date."))
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(field, _("“%(value)s” is not a date: write it as 2026-01-31.") % {"value": value})
        return None


def _dates(data: Mapping[str, Any], problems: Problems, *, required: bool) -> tuple:
    starts_on = _date(data.get("starts_on"), problems, "starts_on", required=required)
    ends_on = _date(data.get("ends_on"), problems, "ends_on", required=False)
    if starts_on and ends_on and ends_on < starts_on:
        problems.add("ends_on", _("The end must not be before the start (%(start)s).") % {"start": starts_on})
    return starts_on, ends_on


def _rows(value: Any, problems: Problems, field: str, *, empty: str) -> list | None:
    if value is None or (isinstance(value, Sequence) and not isinstance(value, str) and not value):
        problems.add(field, empty)
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        problems.add(field, _("Give a list of rows."))
        return None
    return list(value)


# --- rebate programs ----------------------------------------------------------------------------


def _brackets(value: Any, problems: Problems) -> list[dict[str, str]] | None:
    rows = _rows(value, problems, "brackets", empty=_("Give at least one bracket (the first from 0)."))
    if rows is None:
        return None
    parsed: list[Bracket] = []
    for number, row in enumerate(rows, start=1):
        prefix = _("Row %(row)s: ") % {"row": number}
        if not isinstance(row, Mapping):
            problems.add("brackets", prefix + _("give a threshold and a rate."))
            continue
        threshold, rate = row.get("threshold"), row.get("rate_percent")
        if _is_blank(threshold):
            problems.add("brackets", prefix + _("give the threshold (the basis from which the rate applies)."))
        else:
            threshold = _money(threshold, problems, "brackets", _("the threshold"), prefix=prefix)
        if _is_blank(rate):
            problems.add("brackets", prefix + _("give the rate (a percentage)."))
        else:
            rate = _percent(rate, problems, "brackets", _("the rate"), prefix=prefix)
        if isinstance(threshold, Decimal) and isinstance(rate, Decimal):
            parsed.append(Bracket(threshold, rate))
    if "brackets" in problems:
        return None
    messages = {
        "first_not_zero": _("The first bracket must start at 0."),
        "not_increasing": _("Each threshold must be above the one before it."),
        "negative_rate": _("Rates must be 0 or more."),
        "rate_over_100": _("Rates must be at most 100%."),
    }
    for problem in brackets_problems(parsed):
        problems.add("brackets", messages.get(problem, problem))
    if "brackets" in problems:
        return None
    return [{"threshold": money_text(b.threshold), "rate_percent": plain(b.rate_percent)} for b in parsed]


def _tier_codes(value: Any, problems: Problems, field: str) -> list[str] | None:
    if _is_blank(value):
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.add(field, _("Name the tiers by their codes, as a list."))
        return None
    known = set(Tier.objects.values_list("code", flat=True))
    codes: list[str] = []
    for item in value:
        code = item.strip() if isinstance(item, str) else item
        if code not in known:
            problems.add(field, _("There is no tier with code “%(code)s”.") % {"code": item})
        elif code not in codes:
            codes.append(code)
    return codes


def _categories(value: Any, basis: str | None, problems: Problems) -> list[str] | None:
    if _is_blank(value):
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.add("categories", _("Give the product categories as a list."))
        return None
    categories: list[str] = []
    for number, item in enumerate(value, start=1):
        text = item.strip() if isinstance(item, str) else ""
        if not text:
            problems.add("categories", _("Category %(number)s is blank.") % {"number": number})
        elif len(text) > CATEGORY_MAX_LENGTH:
            problems.add(
                "categories",
                _("Category %(number)s is longer than %(max)s characters.")
                % {"number": number, "max": CATEGORY_MAX_LENGTH},
            )
        elif text not in categories:
            categories.append(text)
    if categories and basis == Basis.COLLECTIONS:
        problems.add("categories", _("Product categories count only on a sales basis: collections have no category."))
    return categories


def _cap(value: Any, problems: Problems) -> Decimal | None:
    if _is_blank(value):
        return None
    return _money(value, problems, "cap", _("The cap"))


def _accelerator(value: Any, problems: Problems) -> dict[str, str] | None:
    if value is None or value == {} or value == "":
        return None
    if not isinstance(value, Mapping):
        problems.add("accelerator", _("Give the accelerator's metric, minimum attainment and multiplier, or nothing."))
        return None
    metric = value.get("metric")
    if metric not in Metric.values:
        problems.add(
            "accelerator",
            _("The accelerator's metric must be one of: %(choices)s.") % {"choices": _choices_text(Metric)},
        )
    min_attainment = _number(value.get("min_attainment"))
    if min_attainment is None:
        problems.add(
            "accelerator", _("Give the attainment the accelerator needs, as a ratio (1.0 means the whole target).")
        )
    elif not 0 < min_attainment <= MIN_ATTAINMENT_MAX:
        problems.add(
            "accelerator",
            _("The minimum attainment must be above 0 and at most %(max)s (a ratio: 1.0 means the whole target).")
            % {"max": plain(MIN_ATTAINMENT_MAX)},
        )
    elif _places(min_attainment) > RATE_PLACES:
        problems.add("accelerator", _("The minimum attainment has at most four decimal places."))
    multiplier = _number(value.get("multiplier"))
    if multiplier is None:
        problems.add("accelerator", _("Give the accelerator's multiplier (1 or more)."))
    elif not 1 <= multiplier <= MULTIPLIER_MAX:
        problems.add(
            "accelerator",
            _("The multiplier must be at least 1 and at most %(max)s.") % {"max": plain(MULTIPLIER_MAX)},
        )
    elif _places(multiplier) > RATE_PLACES:
        problems.add("accelerator", _("The multiplier has at most four decimal places."))
    if "accelerator" in problems:
        return None
    return {"metric": metric, "min_attainment": plain(min_attainment), "multiplier": plain(multiplier)}


def clean_program_rules(data: Mapping[str, Any], *, require_dates: bool = True) -> dict[str, Any]:
    """The rules of a program version, checked and in stored form; a ValidationError lists every problem.

    ``data`` holds ``basis``, ``method``, ``period_kind``, ``brackets`` (``[{threshold,
    rate_percent}]``), ``tiers`` (codes), ``categories``, ``cap``, ``accelerator``
    (``{metric, min_attainment, multiplier}`` or None), ``starts_on`` and ``ends_on``.
    """
    problems = Problems()
    basis = _choice(data.get("basis"), Basis, problems, "basis")
    cleaned = {
        "basis": basis,
        "method": _choice(data.get("method"), Method, problems, "method"),
        "period_kind": _choice(data.get("period_kind"), PeriodChoice, problems, "period_kind"),
        "brackets": _brackets(data.get("brackets"), problems),
        "tiers": _tier_codes(data.get("tiers"), problems, "tiers"),
        "categories": _categories(data.get("categories"), basis, problems),
        "cap": _cap(data.get("cap"), problems),
        "accelerator": _accelerator(data.get("accelerator"), problems),
    }
    cleaned["starts_on"], cleaned["ends_on"] = _dates(data, problems, required=require_dates)
    problems.raise_if_any()
    return cleaned


# --- profit-share agreements --------------------------------------------------------------------


def _rates(value: Any, problems: Problems) -> list[dict[str, str]] | None:
    rows = _rows(value, problems, "rates", empty=_("Give the rate of at least one tier."))
    if rows is None:
        return None
    known = set(Tier.objects.values_list("code", flat=True))
    rates: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        prefix = _("Row %(row)s: ") % {"row": number}
        if not isinstance(row, Mapping):
            problems.add("rates", prefix + _("give a tier and a rate."))
            continue
        tier = row.get("tier")
        tier = tier.strip() if isinstance(tier, str) else tier
        if _is_blank(tier):
            problems.add("rates", prefix + _("name the tier by its code."))
        elif tier not in known:
            problems.add("rates", prefix + _("there is no tier with code “%(code)s”.") % {"code": tier})
        elif tier in seen:
            problems.add("rates", prefix + _("the tier “%(code)s” is given a rate twice.") % {"code": tier})
        rate = row.get("rate_percent")
        if _is_blank(rate):
            problems.add("rates", prefix + _("give the rate (a percentage)."))
            continue
        rate = _percent(rate, problems, "rates", _("the rate"), prefix=prefix)
        if rate is not None and tier in known and tier not in seen:
            rates.append({"tier": tier, "rate_percent": plain(rate)})
        if isinstance(tier, str):
            seen.add(tier)
    return None if "rates" in problems else rates


def clean_agreement_terms(data: Mapping[str, Any]) -> dict[str, Any]:
    """The terms of an agreement version, checked and in stored form; a ValidationError lists every problem."""
    problems = Problems()
    cleaned: dict[str, Any] = {
        "period_kind": _choice(data.get("period_kind"), PeriodChoice, problems, "period_kind"),
        "rates": _rates(data.get("rates"), problems),
    }
    loss = data.get("loss_share_percent")
    if _is_blank(loss):
        problems.add("loss_share_percent", _("Give the loss share (a percentage; 0 shares no loss)."))
        cleaned["loss_share_percent"] = None
    else:
        cleaned["loss_share_percent"] = _percent(loss, problems, "loss_share_percent", _("The loss share"))
    cleaned["starts_on"], cleaned["ends_on"] = _dates(data, problems, required=True)
    problems.raise_if_any()
    return cleaned
