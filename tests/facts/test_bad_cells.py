"""The one fact validator reads every cell through common.parsing: a bad cell is a row error, not a 500.

Rows from a CSV or XLSX file reach the same validator as the API's, so a NUL byte in a file's
cell or an amount of 1e30 in a spreadsheet is reported as ``{row, field, message}`` too.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from facts.models import Sale
from facts.services import BatchRejected, facts_import


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def row(**overrides) -> dict:
    return {
        "external_id": "S-1",
        "partner": "ACME-OWN",
        "date": "2026-03-31",
        "customer": "上海客户",
        "amount": "1234.50",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("customer", "a\x00b", "NUL"),
        ("customer", "\ud800", "lone surrogate"),
        ("external_id", "S\x00", "NUL"),
        ("partner", "ACME\x00", "NUL"),
        ("product_category", "\udfff", "lone surrogate"),
        ("amount", "1e30", "too large"),
        ("amount", 1e30, "too large"),
        ("amount", Decimal("1e999999999"), "too large"),
        ("amount", "NaN", "not an amount"),
        ("cost", "-1e999999999", "too large"),
        ("date", "0001-01-01", "outside the days"),
        ("date", datetime.date(9999, 12, 31), "outside the days"),
        ("date", datetime.datetime(1, 1, 1), "outside the days"),
        ("customer", ["a", "list"], "Write this as text"),
    ],
)
def test_a_bad_cell_is_a_row_error_naming_its_field_and_nothing_is_written(acme, field, value, says):
    # given a good first row and a bad second one
    rows = [(2, row()), (3, {**row(external_id="S-2"), field: value})]
    # when
    with pytest.raises(BatchRejected) as rejected:
        facts_import(kind="sales", rows=rows)
    # then
    [error] = rejected.value.extra["errors"]
    assert (error["row"], error["field"]) == (3, field)
    assert says in error["message"]
    assert not Sale.objects.exists()


def test_the_cells_spreadsheets_write_are_still_read_as_before(acme):
    facts_import(
        kind="sales",
        rows=[
            (2, row(amount="¥1,234.5", date="2026年3月31日", external_id=1001.0)),
            (3, row(amount=20, date=datetime.datetime(2026, 3, 30, 0, 0), external_id="S-2", cost=0.1)),
        ],
    )
    first, second = Sale.objects.order_by("external_id")
    assert (first.external_id, first.amount, first.date) == ("1001", Decimal("1234.50"), datetime.date(2026, 3, 31))
    assert (second.amount, second.cost, second.date) == (Decimal("20.00"), Decimal("0.10"), datetime.date(2026, 3, 30))
