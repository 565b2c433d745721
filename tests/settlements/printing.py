"""Statements made directly for the PDF and export tests, and the text read back from a PDF."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

from django.utils import timezone

from common.periods import Period
from settlements.models import Statement, StatementLine

D = Decimal

REBATE_EXPLANATION = "3% 的 ¥612,400.00 销售额，2026 年第 1 季度（档位起点 ¥500,000.00）。"


def statement(partner, *, period="2026-Q1", lines=None, status="draft", approver=None, **fields) -> Statement:
    """A statement of ``partner`` with ``lines`` (dicts of StatementLine fields), then moved to ``status``.

    The lines go in while it is a draft (the database refuses lines on an approved statement);
    approval and payment are set as the settlement workflow would leave them.
    """
    parsed = Period.parse(period)
    made = Statement.objects.create(
        partner=partner,
        period=str(parsed),
        starts_on=parsed.start,
        ends_on=parsed.end,
        currency=fields.pop("currency", "CNY"),
        **fields,
    )
    if lines is None:
        lines = [
            {"kind": "rebate", "source_code": "Q-REBATE", "source_version": 2, "basis": D("612400.00"),
             "rate_percent": D("3"), "amount": D("18372.00"), "explanation": REBATE_EXPLANATION},
            {"kind": "adjustment", "amount": D("-50.00"), "reason": "上季度多付，冲回"},
        ]  # fmt: skip
    for line in lines:
        StatementLine.objects.create(statement=made, **line)
    total = sum((line["amount"] for line in lines), D("0"))
    Statement.objects.filter(pk=made.pk).update(total=total)
    if status in ("approved", "paid"):
        Statement.objects.filter(pk=made.pk).update(
            status="approved", approved_by=approver, approved_at=timezone.make_aware(datetime.datetime(2026, 4, 3, 10))
        )
    if status == "paid":
        Statement.objects.filter(pk=made.pk).update(
            status="paid", paid_at=timezone.make_aware(datetime.datetime(2026, 4, 10, 9)), payment_reference="TT-0410"
        )
    if status == "disputed":
        Statement.objects.filter(pk=made.pk).update(status="disputed", dispute_reason="回款金额不对")
    return Statement.objects.select_related("tenant", "partner", "approved_by").get(pk=made.pk)


def forty_lines() -> list[dict]:
    return [
        {"kind": "rebate", "source_code": f"P-{n:02d}", "source_version": 1, "basis": D("612400.00"),
         "rate_percent": D("2"), "amount": D("12248.00"), "explanation": REBATE_EXPLANATION}
        for n in range(40)
    ]  # fmt: skip


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """The PDF's text without white space: lines wrap where they like, in Chinese as in English."""
    return squeezed(" ".join(pdf_pages(data)))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_fonts(data: bytes) -> set[str]:
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts
