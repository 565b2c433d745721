"""The lead pages: the vendor's list, trail, new lead, upload, fairness and settings; the partner's own leads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from leads import services
from leads.inputs import settings_of_tenant
from leads.models import Lead, LeadStatus
from tenancy.roles import Role

from .helpers import REGION, new_lead, partner, score

pytestmark = pytest.mark.django_db


def page(name: str, **kwargs) -> str:
    return reverse(f"leads:{name}", kwargs={"tenant_slug": "acme", **kwargs})


@pytest.fixture
def offered(acme):
    acme.own.region, acme.own.industries = REGION, ["制造"]
    acme.own.save(update_fields=["region", "industries"])
    score(acme.own, "90")
    other = partner("SW-0002")
    score(other, "40")
    mine = new_lead(company="Own Customer Ltd")
    theirs = services.lead_assign(lead=new_lead(company="Their Customer Ltd"), actor=None, partner=other)
    return mine, theirs


def test_the_vendor_list_filters_and_shows_the_holder(acme, page_client, offered):
    client = page_client(acme.member(Role.VIEWER))
    answer = client.get(page("list"))
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Own Customer Ltd" in text and "SW-0002" in text
    filtered = client.get(page("list") + "?partner=sw-0002").content.decode()
    assert "Their Customer Ltd" in filtered and "Own Customer Ltd" not in filtered
    assert client.get(page("list") + "?status=bogus&region=" + "9" * 5000).status_code == 200
    assert client.get(page("list") + "?q=%00").status_code == 400  # the NUL is refused before any view


def test_the_trail_says_why_in_words(acme, page_client, offered):
    mine, _theirs = offered
    text = page_client(acme.member(Role.ADMIN)).get(page("detail", pk=mine.pk)).content.decode()
    assert "Offered to ACME-OWN: region and industry match, score 90.00, highest of 2." in text
    assert "lower score" in text and "Assign by hand" in text


def test_the_trail_reads_in_chinese_for_a_chinese_reader(acme, page_client, offered):
    """The trail reads in Chinese for a Chinese reader."""
    mine, _theirs = offered
    text = page_client(acme.member(Role.ADMIN), "zh-hans").get(page("detail", pk=mine.pk)).content.decode()
    assert "分配给 ACME-OWN" in text


def test_a_partner_sees_its_own_leads_with_the_time_left_and_nothing_of_the_trail(acme, page_client, offered):
    mine, theirs = offered
    client = page_client(acme.member(Role.PARTNER_ADMIN))
    text = client.get(page("mine")).content.decode()
    assert "Own Customer Ltd" in text and "Their Customer Ltd" not in text
    assert " h " in text or " d " in text  # the time left, e.g. "1 d 23 h"
    detail = client.get(page("detail", pk=mine.pk)).content.decode()
    for secret in ("SW-0002", "90.00", "40.00", "Assignment trail", "region and industry match", "Candidates"):
        assert secret not in detail
    assert client.get(page("detail", pk=theirs.pk)).status_code == 404
    assert client.get(page("list")).status_code == 403


def test_a_partner_accepts_and_declines_from_the_portal(acme, page_client, offered):
    mine, _theirs = offered
    second = new_lead(company="Second Customer")
    services.lead_assign(lead=second, actor=None, partner=acme.own)
    client = page_client(acme.member(Role.PARTNER_ADMIN))
    client.post(page("accept", pk=mine.pk))
    assert Lead.objects.get(pk=mine.pk).status == LeadStatus.ACCEPTED
    answer = client.post(page("decline", pk=second.pk), {"reason": ""}, follow=True)
    assert "This field is required" in answer.content.decode()
    assert Lead.objects.get(pk=second.pk).partner == acme.own
    client.post(page("decline", pk=second.pk), {"reason": "Out of our reach"})
    assert Lead.objects.get(pk=second.pk).partner.code == "SW-0002"


def test_a_new_lead_from_the_form_is_offered_at_once(acme, page_client):
    partner("SW-0001")
    client = page_client(acme.member(Role.CHANNEL_MANAGER))
    answer = client.post(page("create"), {"company": "新客户", "region": REGION, "industry": "制造", "value": "¥1,000"})
    lead = Lead.objects.get(company="新客户")
    assert answer.status_code == 302 and answer["Location"] == page("detail", pk=lead.pk)
    assert lead.partner.code == "SW-0001"
    bad = client.post(page("create"), {"company": "x", "region": REGION, "industry": "制造", "value": "1e999"})
    assert bad.status_code == 200 and not Lead.objects.filter(company="x").exists()
    nul = client.post(page("create"), {"company": "x\x00", "region": REGION, "industry": "制造"})
    assert nul.status_code in (200, 400) and not Lead.objects.filter(company__startswith="x").exists()


def _csv(text: str, name: str = "leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def test_an_upload_makes_and_distributes_every_lead_with_chinese_headers(acme, page_client):
    partner("SW-0001")
    partner("SW-0002")
    rows = "\n".join(f"客户{i},{REGION},制造,{1000 + i}" for i in range(6))
    answer = page_client(acme.member(Role.ADMIN)).post(page("upload"), {"file": _csv(f"公司,区域,行业,金额\n{rows}\n")})
    assert answer.status_code == 302
    holders = list(Lead.objects.filter(company__startswith="客户").values_list("partner__code", flat=True))
    assert sorted(holders) == ["SW-0001"] * 3 + ["SW-0002"] * 3


def test_an_upload_with_any_bad_cell_makes_nothing_and_lists_every_error(acme, page_client):
    partner("SW-0001")
    text = "Company,Region,Industry,Value\nGood Co,西南,制造,100\n,西南,制造,abc\nOther,西南,制造,-5\n"
    answer = page_client(acme.member(Role.ADMIN)).post(page("upload"), {"file": _csv(text)}, follow=True)
    body = answer.content.decode()
    assert answer.status_code == 200 and answer.redirect_chain[0][0].startswith(page("upload"))
    assert "The file was rejected: 3 problems. Nothing was written" in body
    assert body.count('<tr><td class="num">3</td>') == 2 and '<tr><td class="num">4</td>' in body
    assert not Lead.objects.filter(company__in=["Good Co", "Other"]).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leads.txt", b"company\n", "Upload a .csv or .xlsx file."),
        ("leads.csv", b"", "The submitted file is empty."),
        ("leads.csv", b"\n\n", "The header row lacks the column(s): Company, Region, Industry."),
        ("leads.csv", b"Company,Region\nA,B\n", "The header row lacks the column(s): Industry."),
        ("leads.xlsx", b"PK\x03\x04 not a zip", "not an Excel workbook"),
        ("leads.csv", b"\xff\xfe\x00\x00", "neither UTF-8 nor GB18030"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(acme, page_client, name, content, message):
    answer = page_client(acme.member(Role.ADMIN)).post(
        page("upload"), {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert answer.status_code == 200
    assert message in answer.content.decode()


def test_an_xlsx_upload_is_read_too(acme, page_client):
    partner("SW-0001")
    book = Workbook()
    sheet = book.active
    sheet.append(["Company", "Region", "Industry", "Value"])
    sheet.append(["Excel Co", REGION, "制造", 2500])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("leads.xlsx", buffer.getvalue())
    assert page_client(acme.member(Role.ADMIN)).post(page("upload"), {"file": upload}).status_code == 302
    assert str(Lead.objects.get(company="Excel Co").value) == "2500.00"


def test_an_oversized_upload_is_refused_before_reading(acme, page_client, monkeypatch):
    from leads import imports

    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 10)
    answer = page_client(acme.member(Role.ADMIN)).post(
        page("upload"), {"file": _csv("Company,Region,Industry\nA,B,C\n")}
    )
    assert "the limit is" in answer.content.decode()
    assert not Lead.objects.filter(company="A").exists()


def test_the_template_downloads_with_the_columns(acme, page_client):
    answer = page_client(acme.member(Role.VIEWER)).get(page("template"))
    assert answer.status_code == 200 and answer.content.decode("utf-8-sig").startswith("Company,Region,Industry")


def test_fairness_shows_offers_acceptances_and_wins_per_partner_and_tier(acme, page_client, offered):
    mine, _theirs = offered
    services.lead_accept(lead=mine, actor=None, partner=acme.own)
    services.lead_close(lead=mine, actor=None, won=True)
    client = page_client(acme.member(Role.RISK))
    answer = client.get(page("fairness"))
    assert answer.status_code == 200
    context = answer.context
    rows = {row.key: (row.offered, row.accepted, row.won) for row in context["fairness"].partners}
    # the second lead was offered to ACME-OWN by the rules, then to SW-0002 by hand: two offers to ACME-OWN
    assert rows == {"ACME-OWN": (2, 1, 1), "SW-0002": (1, 0, 0)}
    assert 'id="fairness-tiers-data"' in answer.content.decode()
    bad = client.get(page("fairness") + "?period=2026-Q9")
    assert bad.status_code == 200 and '<p class="error">“2026-Q9”' in bad.content.decode()
    empty = client.get(page("fairness") + "?period=1999")
    assert empty.status_code == 200 and "No lead was offered in this period." in empty.content.decode()


def test_only_an_administrator_changes_the_settings_and_bad_values_are_refused(acme, page_client):
    settings_of_tenant()
    manager = page_client(acme.member(Role.CHANNEL_MANAGER))
    assert manager.get(page("settings")).status_code == 200
    assert manager.post(page("settings-edit"), {"cap": "3", "sla_hours": "24"}).status_code == 403
    admin = page_client(acme.member(Role.ADMIN))
    answer = admin.post(page("settings-edit"), {"cap": "0", "sla_hours": "9" * 5000}, follow=True)
    assert answer.status_code == 200
    assert (settings_of_tenant().cap, settings_of_tenant().sla_hours) == (5, 48)
    admin.post(page("settings-edit"), {"cap": "3", "sla_hours": "24"})
    assert (settings_of_tenant().cap, settings_of_tenant().sla_hours) == (3, 24)
