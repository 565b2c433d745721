"""Small builders for facts in tests: rows go through the real import service."""

from __future__ import annotations

import itertools

from facts.services import facts_import

_ids = itertools.count(1)


def load(kind: str, *rows: dict) -> None:
    """Import rows of ``kind`` (external ids made up when missing)."""
    prepared = []
    for row in rows:
        row = dict(row)
        row.setdefault("external_id", f"T-{kind}-{next(_ids)}")
        prepared.append(row)
    facts_import(kind=kind, rows=enumerate(prepared, start=1))


def invoice(partner, number, issue_date, due_date, amount) -> dict:
    return {"partner": partner.code, "number": number, "issue_date": issue_date, "due_date": due_date, "amount": amount}


def payment(partner, date, amount, invoice_number=None) -> dict:
    row = {"partner": partner.code, "date": date, "amount": amount}
    if invoice_number:
        row["invoice"] = invoice_number
    return row
