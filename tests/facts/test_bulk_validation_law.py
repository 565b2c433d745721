"""Law: the validator's fast path (column by column, COPY text) agrees with the per-cell definition.

On any batch of any kind, valid or not, ``validate_rows`` (what the imports call) gives the same
verdict, the same errors (rows, fields, messages, order), the same error count and, for a clean
batch, the same values to write as ``validate_rows_per_cell``.
"""

from __future__ import annotations

import datetime
import random
import re
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facts.imports.columns import COLUMNS
from facts.imports.validate import MAX_REPORTED_ERRORS, validate_rows, validate_rows_per_cell
from facts.imports.write import COLUMNS as WRITTEN_COLUMNS
from facts.imports.write import TEXT_DEFAULTS
from tests.facts.helpers import invoice, load

MONEY_COLUMNS = {"amount", "cost"}
DATE_COLUMNS = {"date", "issue_date", "due_date"}
ID_COLUMNS = {"partner_id", "invoice_id"}

GOOD = {
    "text": ["A-1", "A-2", "上海客户", "x", "tab\there", "back\\slash", "line\nbreak", "  padded  ", 1001, 1001.0],
    "partner": ["ACME-OWN", "ACME-OTHER", " ACME-OWN "],
    "date": [
        "2026-03-31",
        "2026-01-01",
        "2026/3/31",
        "2026.03.31",
        "2026年3月31日",
        datetime.date(2025, 12, 1),
        datetime.datetime(2026, 2, 1, 12, 0),
    ],
    "money": ["1234.50", "12", "0.1", "99999999999999.99", "¥1,234.50", " 7 ", Decimal("5.5"), 3, 0.1, "-0", "-12.5"],
    "number": ["INV-1", "INV-2", "INV-3"],
}
# The plain forms the fast path reads column-wide, and bad cells that look almost like them.
PLAIN = {
    "text": ["A-1", "上海客户", "x", "tab\there", "back\\slash"],
    "partner": ["ACME-OWN", "ACME-OTHER"],
    "date": ["2026-03-31", "2026-01-01"],
    "money": ["1234.50", "12", "0.1", "99999999999999.99", "0"],
    "number": ["INV-1", "INV-9"],
}
NEAR = {
    "text": [" x", "x ", "", "a\x00", "x" * 201, "\ud800"],
    "partner": ["ACME-OWNER", "acme-own"],
    "date": ["2026-02-30", "2026-13-01", "3000-01-01", "1899-12-31", "2026-03-31 "],
    "money": ["1.001", "100000000000000", "-1", "-0.01", "1.", ".5", "1e5", "0.00"],
    "number": ["", " ", "X" * 65],
}
BAD = {
    "text": ["a\x00b", "\ud800", "", "   ", "x" * 201, None, {"a": 1}, [1]],
    "partner": ["NOPE", "GLOBEX-OWN", "", None],
    "date": ["2026-02-30", "31/03/2026", "1899-12-31", "3000-01-01", "", None, "２０２６-03-31", 20260331, "x\x00"],
    "money": ["1e30", "1.001", "NaN", "Infinity", "abc", "", "  ", None, True, 1e300, "1\x00", "0", "-5", "1" * 70],
    "number": ["", None, "X" * 65],
}


def _pool(column_name: str) -> str:
    if column_name == "partner":
        return "partner"
    if column_name in DATE_COLUMNS:
        return "date"
    if column_name in MONEY_COLUMNS:
        return "money"
    if column_name in {"number", "invoice"}:
        return "number"
    return "text"


@st.composite
def batches(draw):
    """A batch of clean rows (often in plain forms only), and, half the time, one to three things wrong with it."""
    kind = draw(st.sampled_from(list(COLUMNS)))
    count = draw(st.integers(min_value=0, max_value=6))
    pools = PLAIN if draw(st.booleans()) else GOOD
    rows: list = []
    for position in range(count):
        row = {"external_id": f"E-{position}"}
        for column in COLUMNS[kind][1:]:
            optional = [None, ""] if not column.required else []
            row[column.name] = draw(st.sampled_from(pools[_pool(column.name)] + optional))
        rows.append(row)
    if rows and draw(st.booleans()):
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            position = draw(st.integers(min_value=0, max_value=len(rows) - 1))
            if not isinstance(rows[position], dict):
                continue
            column = draw(st.sampled_from(COLUMNS[kind]))
            spoil = draw(st.sampled_from(["bad cell", "near miss", "near miss", "left out", "unknown", "not a row"]))
            pool = _pool(column.name)
            if spoil in {"bad cell", "near miss"}:
                bad = (BAD if spoil == "bad cell" else NEAR)[pool]
                if column.name == "external_id":
                    bad = [*bad, "E-0", "e\x00"]
                rows[position][column.name] = draw(st.sampled_from(bad))
            elif spoil == "left out":
                rows[position].pop(column.name, None)
            elif spoil == "unknown":
                rows[position][draw(st.sampled_from(["colour", "Amount", ""]))] = "x"
            else:
                rows[position] = draw(st.sampled_from([["a", "list"], "text", None, 5]))
    return kind, rows


def _read_copy_text(copy_text, kind: str) -> list[dict]:
    """The COPY text back as values (amounts as Decimal, days as dates, ids as int)."""
    unescape = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
    rows = []
    for line in copy_text.text.split("\n")[:-1]:
        row = {}
        for name, field in zip(WRITTEN_COLUMNS[kind], line.split("\t"), strict=True):
            if field == "\\N":
                value = None
            else:
                value = re.sub(r"\\[\\tnr]", lambda match: unescape[match[0]], field)
                if name in MONEY_COLUMNS:
                    value = Decimal(value)
                elif name in DATE_COLUMNS:
                    value = datetime.date.fromisoformat(value)
                elif name in ID_COLUMNS:
                    value = int(value)
            row[name] = value
        rows.append(row)
    return rows


def _written(rows: list[dict], kind: str) -> list[dict]:
    return [
        {key: "" if row[key] is None and key in TEXT_DEFAULTS else row[key] for key in WRITTEN_COLUMNS[kind]}
        for row in rows
    ]


def assert_both_validators_agree(kind: str, rows: list) -> None:
    numbered = list(enumerate(rows, start=1))
    fast = validate_rows(kind, numbered)
    definition = validate_rows_per_cell(kind, numbered)
    assert fast.ok == definition.ok
    assert fast.error_count == definition.error_count
    assert [error.as_dict() for error in fast.errors] == [error.as_dict() for error in definition.errors]
    if definition.ok:
        fast_rows = _read_copy_text(fast.copy_text, kind) if fast.copy_text is not None else _written(fast.rows, kind)
        assert fast_rows == _written(definition.rows, kind)


@pytest.fixture
def invoiced(acme):
    """An invoice INV-1 of ACME-OWN (external id E-INV-1), for invoice numbers and payments naming one."""
    load("invoices", {**invoice(acme.own, "INV-1", "2026-01-01", "2026-02-01", "100"), "external_id": "E-INV-1"})
    return acme


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches())
def test_the_fast_path_and_the_definition_agree_on_any_batch(invoiced, batch):
    kind, rows = batch
    assert_both_validators_agree(kind, rows)


def _random_rows(rng: random.Random, kind: str, count: int, *, spoil: float) -> list:
    rows = []
    for position in range(count):
        row = {}
        for column in COLUMNS[kind]:
            pool = _pool(column.name)
            if column.name == "external_id":
                row[column.name] = f"E-{position}"
            elif column.name == "number":
                row[column.name] = f"N-{position}"
            elif column.name == "due_date":
                row[column.name] = "2026-12-31"
            elif column.name in MONEY_COLUMNS and kind != "sales":
                row[column.name] = f"{rng.randrange(1, 10**6) / 100:.2f}"
            elif column.name == "cost":
                row[column.name] = rng.choice(["", None, f"{rng.randrange(0, 10**6) / 100:.2f}"])
            elif column.name == "invoice":
                row[column.name] = rng.choice(["", None, "INV-1"])
            elif column.name == "partner" and kind == "payments":
                row[column.name] = "ACME-OWN"
            else:
                row[column.name] = rng.choice(GOOD[pool])
            if rng.random() < spoil:
                row[column.name] = rng.choice(BAD[pool])
        rows.append(row)
    return rows


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_the_validators_agree_on_large_seeded_batches(invoiced, kind):
    rng = random.Random(13)
    for spoil in (0, 0, 0.001, 0.3):
        assert_both_validators_agree(kind, _random_rows(rng, kind, 700, spoil=spoil))


def test_the_fast_path_reads_a_clean_batch_itself_and_leaves_a_bad_one_to_the_definition(acme):
    # given a clean batch in plain forms, and the same with one amount of three places
    rows = [
        {"external_id": f"S-{n}", "partner": "ACME-OWN", "date": "2026-03-31", "customer": "c\\1", "amount": "1.5"}
        for n in range(50)
    ]
    bad = [*rows[:-1], {**rows[-1], "amount": "1.505"}]
    # when
    clean_batch = validate_rows("sales", enumerate(rows, start=1))
    bad_batch = validate_rows("sales", enumerate(bad, start=1))
    # then
    assert clean_batch.copy_text is not None and clean_batch.copy_text.count == 50
    assert clean_batch.copy_text.text.startswith(f"S-0\t{acme.own.pk}\t2026-03-31\tc\\\\1\t\t1.5\t\\N\n")
    assert bad_batch.copy_text is None
    assert [error.as_dict() for error in bad_batch.errors] == [
        {"row": 50, "field": "amount", "message": "An amount has at most two decimal places (“1.505”)."}
    ]


def test_the_error_cap_and_count_are_the_definitions(acme):
    rows = [{"external_id": f"S-{n}", "partner": "NOPE", "date": "bad", "amount": "x"} for n in range(600)]
    assert_both_validators_agree("sales", rows)
    fast = validate_rows("sales", enumerate(rows, start=1))
    assert len(fast.errors) == MAX_REPORTED_ERRORS and fast.error_count == 600 * 4


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_the_validators_agree_when_one_cell_of_a_plain_batch_is_off(invoiced, kind):
    """Every bad or unusual cell, alone in a batch the fast path would otherwise read column-wide."""
    plain = {
        "external_id": None,
        "partner": "ACME-OWN",
        "date": "2026-03-31",
        "issue_date": "2026-03-01",
        "due_date": "2026-03-31",
        "customer": "上海客户",
        "product_category": "",
        "amount": "12.50",
        "cost": "3",
        "number": None,
        "invoice": "",
        "reason": "",
    }
    columns = COLUMNS[kind]
    for column in columns:
        pool = _pool(column.name)
        for cell in [*NEAR[pool], *BAD[pool], *GOOD[pool]]:
            rows = [
                {name.name: (f"{name.name}-{n}" if plain[name.name] is None else plain[name.name]) for name in columns}
                for n in range(3)
            ]
            rows[1][column.name] = cell
            assert_both_validators_agree(kind, rows)
