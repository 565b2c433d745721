"""The columns of each kind of fact: how a cell is read, and the headers a user may write."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_MONEY = Decimal("100000000000000")  # 10^14: what DECIMAL(16, 2) holds
TWO_PLACES = Decimal("0.01")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the user's language."""


def parse_text(value: Any, *, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 1001 for an id typed as a number
    text = str(value).strip()
    if len(text) > max_length:
        raise CellError(_("At most %(max)d characters (this has %(count)d).") % {"max": max_length, "count": len(text)})
    return text


_DATE_PARTS = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip() if value is not None else ""
    match = _DATE_PARTS.match(text)
    if not match:
        raise CellError(_("“%(value)s” is not a date; write it as 2026-03-31.") % {"value": text})
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError(_("“%(value)s” is not a day of the calendar.") % {"value": text}) from None


def parse_money(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, bool):
        raise CellError(_("“%(value)s” is not an amount.") % {"value": value})
    elif isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "") if value is not None else ""
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not an amount; write it as 1234.50.") % {"value": value}) from None
    if not amount.is_finite():
        raise CellError(_("“%(value)s” is not an amount; write it as 1234.50.") % {"value": value})
    if amount != amount.quantize(TWO_PLACES):
        raise CellError(_("An amount has at most two decimal places (“%(value)s”).") % {"value": value})
    if abs(amount) >= MAX_MONEY:
        raise CellError(_("The amount is too large."))
    return amount.quantize(TWO_PLACES)


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    label: Any
    parse: Callable[[Any], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()


def text(max_length: int) -> Callable[[Any], str]:
    return lambda value: parse_text(value, max_length=max_length)


EXTERNAL_ID = Column("external_id", gettext_lazy("External id"), text(100), aliases=("外部编号", "外部ID", "编号"))
PARTNER = Column("partner", gettext_lazy("Partner code"), text(50), aliases=("伙伴编码", "渠道伙伴编码", "伙伴"))
DATE = Column("date", gettext_lazy("Date"), parse_date, aliases=("日期",))
AMOUNT = Column("amount", gettext_lazy("Amount"), parse_money, aliases=("金额",))

COLUMNS: dict[str, tuple[Column, ...]] = {
    "sales": (
        EXTERNAL_ID,
        PARTNER,
        DATE,
        Column("customer", gettext_lazy("Customer"), text(200), aliases=("客户",)),
        Column("product_category", gettext_lazy("Product category"), text(100), required=False, aliases=("产品类别",)),
        AMOUNT,
        Column("cost", gettext_lazy("Cost"), parse_money, required=False, aliases=("成本",)),
    ),
    "invoices": (
        EXTERNAL_ID,
        PARTNER,
        Column("number", gettext_lazy("Invoice number"), text(64), aliases=("发票号", "发票号码")),
        Column("issue_date", gettext_lazy("Issue date"), parse_date, aliases=("开票日期",)),
        Column("due_date", gettext_lazy("Due date"), parse_date, aliases=("到期日", "到期日期")),
        AMOUNT,
    ),
    "payments": (
        EXTERNAL_ID,
        PARTNER,
        DATE,
        AMOUNT,
        Column("invoice", gettext_lazy("Invoice number"), text(64), required=False, aliases=("发票号", "发票号码")),
    ),
    "writeoffs": (
        EXTERNAL_ID,
        PARTNER,
        DATE,
        AMOUNT,
        Column("reason", gettext_lazy("Reason"), text(500), required=False, aliases=("原因", "核销原因")),
    ),
}

KINDS = tuple(COLUMNS)


def header_map(kind: str) -> dict[str, str]:
    """Every header a user may write (field name, English or Chinese label, alias) → field name."""
    from django.utils.translation import override

    mapping: dict[str, str] = {}
    for column in COLUMNS[kind]:
        names = {column.name, *column.aliases}
        for language in ("en", "zh-hans"):
            with override(language):
                names.add(str(column.label))
        for name in names:
            mapping[name.strip().lower()] = column.name
    return mapping
