"""The server-rendered pages, through Django's test client, in both languages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services
from partners.models import Contact, Contract, Partner, PartnerKind, StatusChange, Tier, TierChange
from tenancy.context import tenant_scope
from tenancy.models import Membership

BAD_TAX_ID = "91350100M000100Y44"  # the check character should be 3
GOOD_TAX_ID = "91350100M000100Y43"


def url(path: str, slug: str = "acme") -> str:
    return f"/t/{slug}/{path}"


def add_partners(count: int, *, prefix: str = "BULK") -> None:
    ordinary = Tier.objects.get(code="ordinary")
    for number in range(count):
        services.partner_create(
            actor=None, code=f"{prefix}-{number:03d}", name=f"Bulk {number}", kind=PartnerKind.AGENT, tier=ordinary
        )


def partner_form(**overrides) -> dict:
    data = {
        "code": "NEW-1",
        "name": "新伙伴科技",
        "kind": "agent",
        "status": "prospect",
        "tier": Tier.objects.get(code="ordinary").pk,
        "region": "华北",
        "industries": "制造, 零售",
        "tags": "重点",
        "credit_limit": "50000.00",
        "payment_terms_days": "45",
        "tax_id": GOOD_TAX_ID,
        "manager": "",
        "joined_on": "2026-01-15",
        "internal_notes": "",
    }
    return {**data, **overrides}


def edit_form(partner: Partner, **overrides) -> dict:
    data = {
        "code": partner.code,
        "name": partner.name,
        "kind": partner.kind,
        "status": partner.status,
        "tier": partner.tier_id,
        "region": partner.region,
        "industries": ",".join(partner.industries),
        "tags": ",".join(partner.tags),
        "credit_limit": "" if partner.credit_limit is None else str(partner.credit_limit),
        "payment_terms_days": str(partner.payment_terms_days),
        "tax_id": partner.tax_id,
        "manager": partner.manager_id or "",
        "joined_on": "",
        "internal_notes": partner.internal_notes,
        "reason": "",
    }
    return {**data, **overrides}


# The list


def test_a_channel_manager_sees_every_partner_in_the_list(acme, page_client):
    response = page_client(acme.member("channel_manager")).get(url("partners/"))
    assert response.status_code == 200
    assert acme.own.name in response.text
    assert acme.other.name in response.text
    assert "渠道伙伴" in response.text


def test_the_list_searches_by_code_name_or_tax_id(acme, page_client):
    client = page_client(acme.member("channel_manager"))
    response = client.get(url("partners/"), {"q": "other"})
    assert acme.other.name in response.text
    assert acme.own.name not in response.text


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"kind": "reseller"}, "other"),
        ({"region": "华东"}, "own"),
        ({"status": "active", "kind": "distributor"}, "own"),
    ],
)
def test_the_list_filters(acme, page_client, params, shown):
    hidden = "other" if shown == "own" else "own"
    response = page_client(acme.member("viewer")).get(url("partners/"), params)
    assert getattr(acme, shown).name in response.text
    assert getattr(acme, hidden).name not in response.text


def test_the_list_filters_by_tier_and_tag(acme, page_client):
    services.partner_update(partner=acme.other, actor=None, tags=["华南重点"])
    services.partner_change_tier(
        partner=acme.other, tier=Tier.objects.get(code="core"), effective_on=datetime.date(2026, 1, 1), reason="x"
    )
    client = page_client(acme.member("viewer"))
    for params in ({"tier": "core"}, {"tag": "华南重点"}):
        response = client.get(url("partners/"), params)
        assert acme.other.name in response.text
        assert acme.own.name not in response.text


def test_the_list_shows_25_partners_a_page(acme, page_client):
    add_partners(30)
    client = page_client(acme.member("viewer"), "en")
    first = client.get(url("partners/"), {"kind": "agent"})
    second = client.get(url("partners/"), {"kind": "agent", "page": 2})
    assert len(first.context["partner_list"]) == 25
    assert len(second.context["partner_list"]) == 5
    assert "Page 2 of 2" in second.text
    assert "kind=agent" in first.text  # the next-page link keeps the filter


def test_a_partner_user_sees_only_its_own_partner_in_the_list(acme, page_client):
    response = page_client(acme.member("partner_user")).get(url("partners/"))
    assert response.status_code == 200
    assert list(response.context["partner_list"]) == [acme.own]
    assert acme.other.name not in response.text


def test_the_list_needs_the_same_queries_for_10_and_40_partners(acme, page_client):
    client = page_client(acme.member("channel_manager"))
    add_partners(8, prefix="A")
    client.get(url("partners/"))  # warm the session and caches

    with CaptureQueriesContext(connection) as ten:
        assert client.get(url("partners/")).status_code == 200
    add_partners(30, prefix="B")
    with CaptureQueriesContext(connection) as forty:
        assert client.get(url("partners/")).status_code == 200

    assert Partner.objects.count() == 40
    assert len(ten) == len(forty), [query["sql"] for query in forty]


def test_another_tenant_is_a_404(world, page_client):
    response = page_client(world["acme"].member("admin")).get(url("partners/", "globex"))
    assert response.status_code == 404


# The detail


@pytest.mark.parametrize("role", ["admin", "channel_manager", "finance", "risk", "viewer"])
def test_vendor_roles_see_the_internal_notes(acme, page_client, role):
    response = page_client(acme.member(role)).get(url(f"partners/{acme.own.pk}/"))
    assert response.status_code == 200
    assert "secret vendor note" in response.text
    assert "审计记录" in response.text


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_roles_never_see_internal_notes_nor_the_audit_trail(acme, page_client, role):
    services.partner_update(partner=acme.own, actor=None, internal_notes="watch their credit closely")
    response = page_client(acme.member(role), "en").get(url(f"partners/{acme.own.pk}/"))
    assert response.status_code == 200
    assert acme.own.name in response.text
    assert "watch their credit closely" not in response.text
    assert "secret vendor note" not in response.text
    assert "Internal notes" not in response.text
    assert "Audit trail" not in response.text


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_another_partners_detail_is_a_404_for_a_partner_role(acme, page_client, role):
    response = page_client(acme.member(role)).get(url(f"partners/{acme.other.pk}/"))
    assert response.status_code == 404
    assert "other secret note" not in response.text


def test_the_detail_shows_contacts_contracts_history_and_audit(acme, page_client):
    services.contact_create(partner=acme.own, name="王芳", email="wang@example.com", is_primary=True)
    contract = services.contract_create(
        partner=acme.own,
        number="HT-2026-001",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        file=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 test"),
    )
    core = Tier.objects.get(code="core")
    services.partner_change_tier(partner=acme.own, tier=core, effective_on=datetime.date(2026, 2, 1), reason="年度评审")
    response = page_client(acme.member("admin")).get(url(f"partners/{acme.own.pk}/"))
    text = response.text
    assert "王芳" in text
    assert "HT-2026-001" in text
    assert f"/t/acme/contracts/{contract.pk}/file/" in text
    assert "年度评审" in text
    assert "核心" in text
    assert "内部备注" in text


# Create and edit


def test_a_channel_manager_creates_a_partner(acme, page_client):
    response = page_client(acme.member("channel_manager")).post(url("partners/new/"), partner_form())
    partner = Partner.objects.get(code="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == f"/t/acme/partners/{partner.pk}/"
    assert partner.industries == ["制造", "零售"]
    assert partner.credit_limit == Decimal("50000.00")
    assert partner.status == "prospect"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "该统一社会信用代码的校验位不正确"),
        ("en", "The check character of this unified social credit code is wrong"),
    ],
)
def test_a_bad_tax_id_shows_the_field_error_in_the_users_language(acme, page_client, language, message):
    response = page_client(acme.member("channel_manager"), language).post(
        url("partners/new/"), partner_form(tax_id=BAD_TAX_ID)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["tax_id"])
    assert message in response.text
    assert not Partner.objects.filter(code="NEW-1").exists()


def test_the_language_also_follows_the_browser(acme, client):
    client.force_login(acme.member("channel_manager").user)
    response = client.post(url("partners/new/"), partner_form(tax_id="123"), HTTP_ACCEPT_LANGUAGE="en")
    assert "A unified social credit code has 18 characters; this one has 3." in response.text


def test_a_duplicate_code_is_refused_on_the_form(acme, page_client):
    response = page_client(acme.member("channel_manager"), "en").post(
        url("partners/new/"), partner_form(code=acme.own.code)
    )
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["code"])
    assert Partner.objects.filter(code=acme.own.code).count() == 1


def test_a_duplicate_tier_rank_is_refused_on_the_form(acme, page_client):
    count = Tier.objects.count()
    response = page_client(acme.member("admin")).post(
        url("tiers/new/"), {"code": "pilot", "name": "试点", "rank": "1", "min_score": "0", "benefits": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rank"]
    assert Tier.objects.count() == count


def test_a_viewer_posting_the_edit_form_gets_403_and_nothing_changes(acme, page_client):
    before = Partner.objects.values().get(pk=acme.own.pk)
    response = page_client(acme.member("viewer")).post(
        url(f"partners/{acme.own.pk}/edit/"), edit_form(acme.own, name="Hacked", internal_notes="")
    )
    assert response.status_code == 403
    assert Partner.objects.values().get(pk=acme.own.pk) == before


def test_a_partner_admin_cannot_edit_even_its_own_partner(acme, page_client):
    before = Partner.objects.values().get(pk=acme.own.pk)
    response = page_client(acme.member("partner_admin")).post(
        url(f"partners/{acme.own.pk}/edit/"), edit_form(acme.own, name="Renamed")
    )
    assert response.status_code == 403
    assert Partner.objects.values().get(pk=acme.own.pk) == before


def test_a_tier_change_through_edit_is_recorded_with_its_reason(acme, page_client):
    client = page_client(acme.member("channel_manager"))
    strategic = Tier.objects.get(code="strategic")
    response = client.post(
        url(f"partners/{acme.own.pk}/edit/"), edit_form(acme.own, tier=strategic.pk, reason="季度评审晋级")
    )
    assert response.status_code == 302
    change = TierChange.objects.get(partner=acme.own)
    assert (change.to_tier, change.reason) == (strategic, "季度评审晋级")
    assert change.changed_by == acme.member("channel_manager").user
    assert Partner.objects.get(pk=acme.own.pk).tier == strategic


def test_a_tier_or_status_change_without_a_reason_is_refused(acme, page_client):
    response = page_client(acme.member("channel_manager"), "en").post(
        url(f"partners/{acme.own.pk}/edit/"), edit_form(acme.own, status="suspended")
    )
    assert response.status_code == 200
    assert "Say why the tier or status changes" in response.text
    assert not StatusChange.objects.filter(partner=acme.own).exists()


def test_an_edit_saves_only_what_changed(acme, page_client):
    response = page_client(acme.member("admin")).post(
        url(f"partners/{acme.own.pk}/edit/"), edit_form(acme.own, region="西南")
    )
    assert response.status_code == 302
    partner = Partner.objects.get(pk=acme.own.pk)
    assert partner.region == "西南"
    assert partner.internal_notes == "secret vendor note"


def test_the_change_tier_form_records_a_back_dated_change(acme, page_client):
    core = Tier.objects.get(code="core")
    response = page_client(acme.member("channel_manager")).post(
        url(f"partners/{acme.own.pk}/tier/"), {"tier": core.pk, "effective_on": "2025-07-01", "reason": "补录历史"}
    )
    assert response.status_code == 302
    change = TierChange.objects.get(partner=acme.own)
    assert (change.effective_on, change.reason) == (datetime.date(2025, 7, 1), "补录历史")


def test_the_change_tier_form_shows_the_services_refusal(acme, page_client):
    ordinary = Tier.objects.get(code="ordinary")
    response = page_client(acme.member("channel_manager"), "en").post(
        url(f"partners/{acme.own.pk}/tier/"), {"tier": ordinary.pk, "effective_on": "2026-01-01", "reason": "same"}
    )
    assert response.status_code == 200
    assert "The partner is already in this tier on that day." in response.text


# Contacts and contracts


def test_a_channel_manager_adds_a_contact(acme, page_client):
    response = page_client(acme.member("channel_manager")).post(
        url(f"partners/{acme.own.pk}/contacts/new/"), {"name": "李雷", "email": "li@example.com", "is_primary": "on"}
    )
    assert response.status_code == 302
    assert Contact.objects.get(partner=acme.own).name == "李雷"


def contract_form(upload) -> dict:
    return {"number": "HT-1", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "terms": "", "file": upload}


def test_a_contract_upload_is_stored_and_downloadable(acme, page_client, settings):
    client = page_client(acme.member("channel_manager"))
    response = client.post(
        url(f"partners/{acme.own.pk}/contracts/new/"), contract_form(SimpleUploadedFile("合同.pdf", b"%PDF-1.4"))
    )
    assert response.status_code == 302
    contract = Contract.objects.get(partner=acme.own)
    download = client.get(url(f"contracts/{contract.pk}/file/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4"


@pytest.mark.parametrize(
    ("filename", "size", "message"),
    [
        ("setup.exe", 10, "不接受“exe”类型的文件"),
        ("big.pdf", 2 * 1024 * 1024, "上限为 1 MB"),
    ],
)
def test_a_wrong_contract_file_is_refused_and_nothing_is_written(acme, page_client, settings, filename, size, message):
    settings.CONTRACT_MAX_UPLOAD_BYTES = 1024 * 1024
    upload = SimpleUploadedFile(filename, b"x" * size)
    response = page_client(acme.member("channel_manager")).post(
        url(f"partners/{acme.own.pk}/contracts/new/"), contract_form(upload)
    )
    assert response.status_code == 200
    assert message in response.text
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Contract.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*.*"))


# Tiers


def test_everyone_reads_the_tiers(acme, page_client):
    response = page_client(acme.member("partner_user")).get(url("tiers/"))
    assert response.status_code == 200
    assert "战略" in response.text
    assert "/tiers/new/" not in response.text


def test_a_channel_manager_creates_and_edits_a_tier(acme, page_client):
    client = page_client(acme.member("channel_manager"))
    response = client.post(
        url("tiers/new/"), {"code": "pilot", "name": "试点", "rank": "4", "min_score": "0", "benefits": ""}
    )
    assert response.status_code == 302
    tier = Tier.objects.get(code="pilot")
    data = {"code": "pilot", "name": "试点合作", "rank": "4", "min_score": "10", "benefits": "季度返利"}
    assert client.post(url(f"tiers/{tier.pk}/edit/"), data).status_code == 302
    tier.refresh_from_db()
    assert (tier.name, tier.min_score, tier.benefits) == ("试点合作", Decimal("10"), "季度返利")


def test_a_viewer_cannot_create_a_tier(acme, page_client):
    count = Tier.objects.count()
    response = page_client(acme.member("viewer")).post(
        url("tiers/new/"), {"code": "x", "name": "X", "rank": "9", "min_score": "0"}
    )
    assert response.status_code == 403
    assert Tier.objects.count() == count


# Members


def test_an_admin_sees_every_member(acme, page_client):
    response = page_client(acme.member("admin")).get(url("members/"))
    assert response.status_code == 200
    assert len(response.context["membership_list"]) == 7


def test_a_partner_admin_sees_only_its_partners_users(acme, page_client):
    response = page_client(acme.member("partner_admin")).get(url("members/"))
    emails = {member.user.email for member in response.context["membership_list"]}
    assert emails == {"partner-admin@acme.test", "partner-user@acme.test"}


def test_a_partner_admin_adds_a_user_to_its_own_partner(acme, page_client):
    response = page_client(acme.member("partner_admin")).post(
        url("members/new/"), {"email": "new@own.test", "role": "partner_user", "password": "Long-enough-pass-1"}
    )
    assert response.status_code == 302
    member = Membership.objects.get(user__email="new@own.test")
    assert member.partner == acme.own


def test_a_partner_admin_cannot_add_a_vendor_role(acme, page_client):
    count = Membership.objects.count()
    response = page_client(acme.member("partner_admin")).post(
        url("members/new/"), {"email": "x@own.test", "role": "admin", "password": "Long-enough-pass-1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert Membership.objects.count() == count


def test_adding_a_new_user_without_a_password_shows_the_services_message(acme, page_client):
    response = page_client(acme.member("admin"), "en").post(
        url("members/new/"), {"email": "nopass@acme.test", "role": "viewer"}
    )
    assert response.status_code == 200
    assert "A new user needs a password." in response.text


def test_a_channel_manager_cannot_manage_members(acme, page_client):
    assert page_client(acme.member("channel_manager")).get(url("members/")).status_code == 403


# Home, login and the tenant chooser


def test_the_vendor_dashboard_counts_partners(acme, page_client):
    response = page_client(acme.member("finance")).get(url(""))
    assert response.status_code == 200
    assert response.context["partner_count"] == 2
    assert "tier-chart-data" in response.text


def test_the_portal_home_shows_the_partners_tier_and_the_next_one(acme, page_client):
    Tier.objects.filter(code="strategic").update(benefits="季度返利 2%")
    response = page_client(acme.member("partner_user")).get(url(""))
    assert response.status_code == 200
    assert response.context["partner"] == acme.own
    assert response.context["next_tier"].code == "strategic"
    assert "季度返利 2%" in response.text
    assert acme.other.name not in response.text
    assert "secret vendor note" not in response.text


def test_the_login_page_logs_in_and_goes_to_the_only_tenant(acme, client):
    from tests.world import PASSWORD

    assert "登录" in client.get("/login/").text
    response = client.post("/login/", {"username": "viewer@acme.test", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/acme/"


def test_a_user_of_two_tenants_chooses_one(world, client):
    user = world["acme"].member("viewer").user
    with tenant_scope(world["globex"].tenant):
        Membership.objects.create(user=user, role="viewer")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "/t/acme/" in response.text
    assert "/t/globex/" in response.text


def test_the_language_switch_sets_the_language(acme, page_client):
    client = page_client(acme.member("viewer"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/t/acme/partners/"}, follow=True)
    assert "Channel manager" in response.text


def test_the_portal_home_sums_up_the_partners_own_score_targets_statement_and_debts(world, page_client):
    import datetime
    from decimal import Decimal

    from common.dates import tenant_today
    from scoring import jobs
    from settlements.models import Statement
    from targets.services import target_create
    from tenancy.context import tenant_scope
    from tests.facts.helpers import invoice, load

    acme = world["acme"]
    today = tenant_today(acme.tenant)
    with tenant_scope(acme.tenant):
        load("invoices", invoice(acme.own, "P-1", (today - datetime.timedelta(days=60)).isoformat(),
                                 (today - datetime.timedelta(days=30)).isoformat(), "4321.00"))  # fmt: skip
        load("sales", {"partner": "ACME-OTHER", "date": today.isoformat(), "customer": "x", "amount": "99999.99"})
        target_create(partner=acme.own, metric="sales", period=str(today.year), value=Decimal("1000"))
        quarter = {"period": "2026-Q1", "starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2026, 3, 31)}
        Statement.objects.create(partner=acme.own, currency="CNY", total=Decimal("18000"), **quarter)
    jobs.nightly_run(tenant=acme.tenant, day=today - datetime.timedelta(days=1))
    page = page_client(acme.member("partner_user"), "en").get("/t/acme/").content.decode()
    assert "Our score" in page and "Targets now" in page and "0 of 1 target met" in page
    assert "¥18,000.00" in page and "¥4,321.00" in page and "¥4,321.00 overdue" in page
    assert "99,999.99" not in page  # another partner's figures never


RAW_MONEY = r"(?<![¥$\d,.\w-])\d{4,}\.\d{2}(?![\d%])"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_is_written_with_the_currency_on_every_page_that_shows_it(world, page_client, language):
    """Issue 12: one money filter — never ``12798056.70``, in Chinese as in English."""
    import re

    from common.dates import tenant_today
    from targets.services import target_create
    from tests.facts.helpers import invoice, load

    acme = world["acme"]
    today = tenant_today(acme.tenant)
    with tenant_scope(acme.tenant):
        load("sales", {"partner": acme.own.code, "date": today.isoformat(), "customer": "c", "amount": "12798056.70"})
        load("invoices", invoice(acme.own, "M-1", (today - datetime.timedelta(days=60)).isoformat(),
                                 (today - datetime.timedelta(days=30)).isoformat(), "4321987.65"))  # fmt: skip
        quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"  # the targets page opens on this quarter
        target_create(partner=acme.own, metric="sales", period=quarter, value=Decimal("15000000"))
    vendor = page_client(acme.member("admin"), language)  # one client: the vendor's pages first
    pages = {
        "partner page": vendor.get(url(f"partners/{acme.own.pk}/")),
        "statement of account": vendor.get(url(f"partners/{acme.own.pk}/account/")),
        "channel map": vendor.get(url("channel-map/")),
        "targets": vendor.get(url("targets/")),
    }
    pages["our targets"] = page_client(acme.member("partner_user"), language).get(url("targets/mine/"))
    for name, response in pages.items():
        assert response.status_code == 200, name
        main = response.content.decode().split("<main", 1)[1]
        assert not re.findall(RAW_MONEY, re.sub(r'(value|href|data-[a-z-]+)="[^"]*"', "", main)), name
    assert "¥12,798,056.70" in pages["partner page"].content.decode()
    assert "¥4,321,987.65" in pages["statement of account"].content.decode()
    assert "¥15,000,000.00" in pages["targets"].content.decode()
