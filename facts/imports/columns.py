"""The columns of each kind of fact: how a cell is read, and the headers a user may write."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from common import parsing

# A cell that cannot be read; the message says why, in the user's language.
CellError = parsing.ParseError


def parse_text(value: Any, *, max_length: int) -> str:
    """A text cell: numbers and dates a spreadsheet typed are read as their text."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return parsing.clean_text(value)  # not text: refused with the parser's message
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 1001 for an id typed as a number
    return parsing.clean_text(str(value), max_length=max_length)


def parse_date(value: Any) -> datetime.date:
    return parsing.parse_date(value)


def parse_money(value: Any) -> Decimal:
    return parsing.parse_money(value)


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
