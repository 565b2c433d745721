"""A statement's PDF (SPEC §4.6): partner, period, lines with explanations, total, status, approver — read back."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

from partners.models import Partner
from settlements import pdf
from settlements.pdf import statement_pdf, statement_pdf_filename
from tenancy.context import tenant_scope

from .printing import REBATE_EXPLANATION, forty_lines, pdf_fonts, pdf_pages, pdf_text, squeezed, statement


@pytest.fixture
def globex(world):
    with tenant_scope(world["globex"].tenant):
        yield world["globex"]


@pytest.fixture
def chinese_partner(acme):
    Partner.objects.filter(pk=acme.own.pk).update(name="杭州恒通科技有限公司", tax_id="91330100MA27XXXX1X")
    return Partner.objects.get(pk=acme.own.pk)


def test_a_chinese_tenants_statement_prints_the_partner_the_period_every_line_and_the_total(chinese_partner):
    made = statement(chinese_partner)

    data = statement_pdf(made)

    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in [
        "Acme",  # the tenant's letterhead
        "杭州恒通科技有限公司",
        "ACME-OWN",
        "91330100MA27XXXX1X",
        "2026年第1季度",  # the period's label in the tenant's language
        "Q-REBATE",  # the source and its version
        "¥612,400.00",  # the basis
        "3%",
        "¥18,372.00",
        squeezed(REBATE_EXPLANATION),
        "上季度多付，冲回",  # the adjustment's reason
        "-¥50.00",
        "¥18,322.00",  # the total
    ]:
        assert expected in text, expected


def test_chinese_is_drawn_with_the_cjk_font_shipped_in_the_repository_alone(chinese_partner):
    data = statement_pdf(statement(chinese_partner))

    # Every glyph from the shipped subset: it renders the same on a machine without any CJK font.
    assert {font.split("+")[-1] for font in pdf_fonts(data)} == {"Qudao-CJK-SC"}
    assert "杭州恒通科技有限公司" in pdf_text(data)
    assert squeezed(REBATE_EXPLANATION) in pdf_text(data)


def system_has_noto_cjk() -> bool:
    import subprocess

    try:
        found = subprocess.run(["fc-list", ":family=Noto Sans CJK SC", "family"], capture_output=True, text=True)
    except FileNotFoundError:
        return False
    return "Noto Sans CJK SC" in found.stdout


def test_a_character_beyond_gb2312_falls_back_to_the_systems_noto_sans_cjk(acme):
    if not system_has_noto_cjk():
        pytest.skip("Noto Sans CJK SC is not installed here (Debian: fonts-noto-cjk)")
    Partner.objects.filter(pk=acme.own.pk).update(name="北京喆堃科技有限公司")  # 喆 and 堃 are not in GB2312

    data = statement_pdf(statement(Partner.objects.get(pk=acme.own.pk)))

    assert "北京喆堃科技有限公司" in pdf_text(data)
    assert {font.split("+")[-1] for font in pdf_fonts(data)} == {"Qudao-CJK-SC", "Noto-Sans-CJK-SC"}


def test_the_shipped_font_covers_gb2312_in_a_few_megabytes_with_its_licence():
    from fontTools.ttLib import TTFont

    path = finders.find(pdf.SHIPPED_FONT)
    font = TTFont(path, lazy=True)
    covered = set(font.getBestCmap())
    gb2312 = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                gb2312.add(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) > 7000
    assert gb2312 - covered == set()
    assert {ord(c) for c in "ASCII ¥€×÷、。（）：；“”《》—…"} <= covered
    assert font["name"].getDebugName(1) == pdf.SHIPPED_FAMILY
    import os

    assert os.path.getsize(path) < 5 * 1024 * 1024
    licence = finders.find("fonts/OFL.txt")
    assert licence and "SIL OPEN FONT LICENSE Version 1.1" in open(licence, encoding="utf-8").read()


def test_an_english_tenants_statement_is_in_english(globex):
    data = statement_pdf(statement(globex.own, lines=[{"kind": "profit_share", "source_code": "PS", "source_version": 1,
                                                        "basis": 100000, "rate_percent": 10, "amount": 10000,
                                                        "explanation": "10% of ¥100,000.00 margin."}]))  # fmt: skip

    text = pdf_text(data)
    for expected in ["Globex", "Settlementstatement", "GlobexOwnPartner", "Q12026", "Profitshare", "PSv1",
                     "10%of¥100,000.00margin.", "Total", "¥10,000.00", "Draft—notapproved"]:  # fmt: skip
        assert expected in text, expected


def test_an_approved_statement_names_its_approver_and_the_day(globex):
    approver = globex.member("finance").user
    approver.full_name = "Fiona Finance"
    approver.save(update_fields=["full_name"])

    text = pdf_text(statement_pdf(statement(globex.own, status="approved", approver=approver)))

    assert "ApprovedbyFionaFinanceonApril3,2026." in text
    assert "notapproved" not in text


def test_a_paid_statement_says_when_and_by_which_payment(globex):
    text = pdf_text(statement_pdf(statement(globex.own, status="paid", approver=globex.member("finance").user)))

    assert "PaidonApril10,2026,paymentreferenceTT-0410." in text


def test_a_disputed_statement_is_not_approved_and_gives_the_partners_reason(globex):
    text = pdf_text(statement_pdf(statement(globex.own, status="disputed")))

    assert "Disputed—notapproved." in text and "回款金额不对" in text


def test_a_long_statement_runs_over_numbered_pages_with_every_line(globex):
    data = statement_pdf(statement(globex.own, lines=forty_lines()))

    pages = pdf_pages(data)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    text = pdf_text(data)
    assert all(f"P-{n:02d}v1" in text for n in range(40))
    assert "¥489,920.00" in text  # 40 × 12,248.00


def test_a_statement_without_lines_still_prints_with_a_zero_total(globex):
    text = pdf_text(statement_pdf(statement(globex.own, lines=[])))

    assert "Thisstatementhasnolines." in text and "¥0.00" in text


def test_the_pdf_is_in_the_tenants_language_whoever_asks(globex):
    from django.utils import translation

    with translation.override("zh-hans"):  # a member reading in Chinese
        text = pdf_text(statement_pdf(statement(globex.own, lines=[{"kind": "adjustment", "amount": 1}])))

    assert "Q12026" in text and "Period" in text
    assert "季度" not in text and "期间" not in text


def test_the_file_is_named_after_the_partner_and_the_period(globex):
    made = statement(globex.own)

    assert statement_pdf_filename(made) == "settlement-GLOBEX-OWN-2026-Q1.pdf"


def test_text_from_the_data_is_printed_as_text_never_as_markup(globex):
    text = pdf_text(statement_pdf(statement(globex.own, lines=[{"kind": "adjustment", "amount": 1,
                                                                 "reason": "<b>bold</b> & <img src=x>"}])))  # fmt: skip

    assert "<b>bold</b>&<imgsrc=x>" in text


def test_the_lines_print_rebates_first_and_peoples_adjustments_last(globex):
    lines = [
        {"kind": "adjustment", "amount": 5, "reason": "goodwill"},
        {"kind": "loss_share", "source_code": "PS", "source_version": 1, "basis": 100, "rate_percent": 5, "amount": -5},
        {
            "kind": "rebate",
            "source_code": "Q-REBATE",
            "source_version": 1,
            "basis": 100,
            "rate_percent": 1,
            "amount": 1,
        },
    ]

    text = pdf_text(statement_pdf(statement(globex.own, lines=lines)))

    assert text.index("Q-REBATEv1") < text.index("PSv1") < text.index("goodwill")
