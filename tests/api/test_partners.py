"""Partners over the API: validation, history of tier and status, filters, pages and query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.dates import tenant_today
from partners import selectors
from partners import services as partner_services
from partners.models import Partner, PartnerKind, PartnerStatus, StatusChange, Tier, TierChange
from tenancy.context import tenant_scope
from tests.conftest import tenant_api
from tests.world import email_for

VALID_TAX_ID = "91350100M000100Y43"


def _partners(world) -> list[tuple]:
    with tenant_scope(world["acme"].tenant):
        return list(Partner.objects.order_by("pk").values_list())


def _create(world, api, role="channel_manager", **payload):
    data = {"code": "NEW-1", "name": "新伙伴", "kind": "agent", "tier": "core", **payload}
    return api(world["acme"].member(role)).post(tenant_api("acme", "partners/"), data, format="json")


# --- create -------------------------------------------------------------------------------------


def test_a_new_partner_starts_as_a_prospect(world, api):
    response = _create(world, api, tax_id=VALID_TAX_ID, credit_limit="50000.5", tags=["华东", "KA"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "prospect"
    assert body["tier"] == "core"
    assert body["credit_limit"] == "50000.50"  # money is a string with two places
    assert body["tags"] == ["华东", "KA"]


def test_a_partner_created_by_an_administrator_with_another_status_keeps_it(world, api):
    response = _create(world, api, role="admin", status="active")
    assert response.status_code == 201
    assert response.json()["status"] == "active"


def test_a_channel_manager_adds_only_prospects_and_nothing_is_written_otherwise(world, api):
    before = _partners(world)
    response = _create(world, api, status="active")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["status"]
    assert _partners(world) == before


@pytest.mark.parametrize(
    "tax_id",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M00010OY43",  # O is not in the alphabet
    ],
)
def test_an_invalid_unified_social_credit_code_is_a_field_error_with_a_message(world, api, tax_id):
    before = _partners(world)
    response = _create(world, api, tax_id=tax_id)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"]
    assert body["errors"]["tax_id"][0]
    assert _partners(world) == before


def test_an_unknown_tier_code_is_a_field_error(world, api):
    before = _partners(world)
    response = _create(world, api, tier="platinum")
    assert response.status_code == 400
    assert "platinum" in response.json()["errors"]["tier"][0]
    assert _partners(world) == before


def test_another_tenants_tier_cannot_be_named(world, api):
    with tenant_scope(world["globex"].tenant):
        partner_services.tier_create(code="globex-gold", name="Gold", rank=5, min_score=90)
    response = _create(world, api, tier="globex-gold")
    assert response.status_code == 400
    assert response.json()["errors"]["tier"]


def test_a_duplicate_partner_code_is_a_400(world, api):
    before = _partners(world)
    response = _create(world, api, code="ACME-OWN")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["code"][0]
    assert _partners(world) == before


def test_a_code_used_by_another_tenant_is_free_here(world, api):
    response = _create(world, api, code="GLOBEX-OWN")
    assert response.status_code == 201, response.content


def test_the_manager_must_be_a_vendor_member_of_the_tenant(world, api):
    for email in (email_for("acme", "partner_user"), email_for("globex", "admin"), "nobody@example.cn"):
        response = _create(world, api, manager=email)
        assert response.status_code == 400, (email, response.content)
        assert response.json()["errors"]["manager"]


def test_internal_notes_are_shown_to_vendors_and_hidden_from_partners(world, api):
    own = world["acme"].own
    vendor = api(world["acme"].member("viewer")).get(tenant_api("acme", f"partners/{own.pk}/")).json()
    assert vendor["internal_notes"] == "secret vendor note"
    partner = api(world["acme"].member("partner_admin")).get(tenant_api("acme", f"partners/{own.pk}/"))
    assert partner.status_code == 200
    assert "internal_notes" not in partner.json()
    assert "secret vendor note" not in partner.content.decode()


# --- tier and status history --------------------------------------------------------------------


def test_a_patch_of_tier_and_status_with_a_reason_is_kept_in_the_history(world, api):
    # given
    own = world["acme"].own
    client = api(world["acme"].member("channel_manager"))
    # when
    response = client.patch(
        tenant_api("acme", f"partners/{own.pk}/"),
        {"tier": "strategic", "status": "suspended", "reason": "季度评审"},
        format="json",
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["tier"] == "strategic"
    assert response.json()["status"] == "suspended"
    history = client.get(tenant_api("acme", f"partners/{own.pk}/history/")).json()
    today = tenant_today(world["acme"].tenant).isoformat()
    entries = {entry["kind"]: entry for entry in history["results"]}
    assert history["count"] == 2
    assert entries["tier"]["from"] == "ordinary"
    assert entries["tier"]["to"] == "strategic"
    assert entries["status"]["from"] == "active"
    assert entries["status"]["to"] == "suspended"
    for entry in entries.values():
        assert entry["changed_by"] == email_for("acme", "channel_manager")
        assert entry["reason"] == "季度评审"
        assert entry["effective_on"] == today


def test_a_patch_that_does_not_change_tier_or_status_writes_no_history(world, api):
    own = world["acme"].own
    response = api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"tier": "ordinary", "region": "华北"}, format="json"
    )
    assert response.status_code == 200
    with tenant_scope(world["acme"].tenant):
        assert not TierChange.objects.filter(partner=own).exists()
        assert Partner.objects.get(pk=own.pk).region == "华北"


def test_a_partner_user_sees_its_own_partners_history(world, api):
    own = world["acme"].own
    api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"tier": "core", "reason": "升级"}, format="json"
    )
    response = api(world["acme"].member("partner_user")).get(tenant_api("acme", f"partners/{own.pk}/history/"))
    assert response.status_code == 200
    assert response.json()["results"][0]["to"] == "core"


def test_a_partner_user_sees_that_the_vendor_made_a_change_but_not_which_vendor_member(world, api, client):
    own = world["acme"].own
    api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"tier": "core", "reason": "升级"}, format="json"
    )
    vendor_email = email_for("acme", "admin")
    answer = api(world["acme"].member("partner_user")).get(tenant_api("acme", f"partners/{own.pk}/history/"))
    assert vendor_email not in answer.content.decode()
    assert answer.json()["results"][0]["changed_by"]  # "the vendor", in the reader's language
    client.force_login(world["acme"].member("partner_admin").user)
    page = client.get(f"/t/acme/partners/{own.pk}/")
    assert page.status_code == 200
    assert not re.search(rf"(?<![\w-]){re.escape(vendor_email)}", page.content.decode())
    vendor_view = api(world["acme"].member("viewer")).get(tenant_api("acme", f"partners/{own.pk}/history/"))
    assert vendor_view.json()["results"][0]["changed_by"] == vendor_email


def test_a_reason_longer_than_the_history_keeps_is_a_field_error_and_nothing_changes(world, api):
    own = world["acme"].own
    client = api(world["acme"].member("admin"))
    for method, path, body in [
        ("patch", f"partners/{own.pk}/", {"tier": "core", "reason": "长" * 1001}),
        ("post", f"partners/{own.pk}/tier/", {"tier": "core", "effective_on": "2026-01-01", "reason": "x" * 1001}),
    ]:
        response = getattr(client, method)(tenant_api("acme", path), body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"]["reason"]
    with tenant_scope(world["acme"].tenant):
        assert not TierChange.objects.filter(partner=own).exists()
        assert Partner.objects.get(pk=own.pk).tier.code == "ordinary"


def _days_ago(world, days: int) -> datetime.date:
    return tenant_today(world["acme"].tenant) - datetime.timedelta(days=days)


def test_a_back_dated_tier_change_answers_which_tier_was_in_effect_on_any_day(world, api):
    # given: the partner started in ordinary; moved to strategic last year, to core a hundred days ago
    own = world["acme"].own
    client = api(world["acme"].member("channel_manager"))
    first, second = _days_ago(world, 400), _days_ago(world, 100)
    # when
    response = client.post(
        tenant_api("acme", f"partners/{own.pk}/tier/"),
        {"tier": "strategic", "effective_on": first.isoformat(), "reason": "历史数据导入"},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = client.post(
        tenant_api("acme", f"partners/{own.pk}/tier/"),
        {"tier": "core", "effective_on": second.isoformat(), "reason": "评分达标"},
        format="json",
    )
    assert response.status_code == 200, response.content
    # then
    assert response.json()["tier"] == "core"
    history = client.get(tenant_api("acme", f"partners/{own.pk}/history/")).json()["results"]
    assert [(entry["from"], entry["to"], entry["effective_on"]) for entry in history] == [
        ("strategic", "core", second.isoformat()),
        ("ordinary", "strategic", first.isoformat()),
    ]
    with tenant_scope(world["acme"].tenant):
        in_effect = {
            day: selectors.tier_in_effect(own, day).code
            for day in (
                first - datetime.timedelta(days=1),
                first,
                second - datetime.timedelta(days=1),
                second,
                tenant_today(world["acme"].tenant),
            )
        }
        assert list(in_effect.values()) == ["ordinary", "strategic", "strategic", "core", "core"]
        # the same answer, for every partner in one query
        tiers = {tier.pk: tier.code for tier in Tier.objects.all()}
        day = first - datetime.timedelta(days=30)
        rows = selectors.with_tier_and_status_in_effect(Partner.objects.all(), day).values_list("code", "tier_id_on")
        assert {code: tiers[tier_id] for code, tier_id in rows} == {"ACME-OWN": "ordinary", "ACME-OTHER": "ordinary"}
        rows = selectors.with_tier_and_status_in_effect(Partner.objects.all(), second).values_list("code", "tier_id_on")
        assert {code: tiers[tier_id] for code, tier_id in rows} == {"ACME-OWN": "core", "ACME-OTHER": "ordinary"}


def test_before_the_first_recorded_status_change_the_first_status_is_in_effect(world):
    own, tenant = world["acme"].own, world["acme"].tenant
    with tenant_scope(tenant):
        day = _days_ago(world, 200)
        partner_services.partner_change_status(
            partner=own, status=PartnerStatus.SUSPENDED, effective_on=day, reason="逾期"
        )
        assert selectors.status_in_effect(own, day - datetime.timedelta(days=1)) == "active"
        assert selectors.status_in_effect(own, day) == "suspended"
        assert Partner.objects.get(pk=own.pk).status == "suspended"
        assert StatusChange.objects.get(partner=own).from_status == "active"


def test_a_tier_change_in_the_future_is_refused(world, api):
    own = world["acme"].own
    tomorrow = tenant_today(world["acme"].tenant) + datetime.timedelta(days=1)
    response = api(world["acme"].member("channel_manager")).post(
        tenant_api("acme", f"partners/{own.pk}/tier/"),
        {"tier": "core", "effective_on": tomorrow.isoformat()},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["effective_on"]
    with tenant_scope(world["acme"].tenant):
        assert not TierChange.objects.filter(partner=own).exists()
        assert Partner.objects.get(pk=own.pk).tier.code == "ordinary"


def test_a_tier_change_to_the_tier_already_in_effect_is_refused(world, api):
    own = world["acme"].own
    response = api(world["acme"].member("channel_manager")).post(
        tenant_api("acme", f"partners/{own.pk}/tier/"),
        {"tier": "ordinary", "effective_on": _days_ago(world, 1).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["tier"]


# --- filters, pages and query counts ------------------------------------------------------------


def _add_partners(world, count: int, prefix: str = "P") -> list[Partner]:
    tenant_world = world["acme"]
    kinds = list(PartnerKind)
    with tenant_scope(tenant_world.tenant):
        tiers = list(Tier.objects.all())
        return [
            partner_services.partner_create(
                actor=None,
                code=f"{prefix}-{index:03d}",
                name=f"伙伴 {index}",
                kind=kinds[index % len(kinds)],
                tier=tiers[index % len(tiers)],
                region=("华东", "华南", "西南")[index % 3],
                tags=["KA"] if index % 2 else [],
                manager=tenant_world.member("channel_manager").user if index % 2 else None,
            )
            for index in range(count)
        ]


def _codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_partners_filter_by_status_tier_kind_region_and_tag(world, api):
    # given
    _add_partners(world, 6)
    client = api(world["acme"].member("viewer"))
    url = tenant_api("acme", "partners/")
    # then
    assert _codes(client.get(url, {"status": "active"})) == {"ACME-OWN", "ACME-OTHER"}
    assert _codes(client.get(url, {"status": "prospect"})) == {f"P-{index:03d}" for index in range(6)}
    assert _codes(client.get(url, {"tier": "core"})) == {"P-000", "P-003"}
    assert _codes(client.get(url, {"kind": "reseller"})) == {"ACME-OTHER", "P-001", "P-005"}
    assert _codes(client.get(url, {"region": "华南"})) == {"ACME-OTHER", "P-001", "P-004"}
    assert _codes(client.get(url, {"tag": "KA"})) == {"P-001", "P-003", "P-005"}
    assert _codes(client.get(url, {"tier": "core", "tag": "KA"})) == {"P-003"}


def test_an_invalid_filter_value_is_a_400_in_json(world, api):
    response = api(world["acme"].member("viewer")).get(tenant_api("acme", "partners/"), {"status": "sleepy"})
    assert response.status_code == 400
    assert response.json()["message"]


def test_partner_lists_are_paginated(world, api):
    _add_partners(world, 8)
    client = api(world["acme"].member("viewer"))
    first = client.get(tenant_api("acme", "partners/"), {"page_size": 4}).json()
    assert first["count"] == 10
    assert len(first["results"]) == 4
    assert first["next"] and first["previous"] is None
    last = client.get(tenant_api("acme", "partners/"), {"page_size": 4, "page": 3}).json()
    assert len(last["results"]) == 2
    assert last["next"] is None
    seen = [row["code"] for page in (1, 2, 3) for row in client.get(
        tenant_api("acme", "partners/"), {"page_size": 4, "page": page}
    ).json()["results"]]  # fmt: skip
    assert len(set(seen)) == 10
    assert client.get(tenant_api("acme", "partners/"), {"page": 99}).status_code == 404


def _list_queries(world, api, role: str) -> int:
    client = api(world["acme"].member(role))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(tenant_api("acme", "partners/"), {"page_size": 100})
    assert response.status_code == 200
    return len(queries)


def test_the_partner_list_takes_the_same_number_of_queries_for_5_and_30_partners(world, api):
    # given: 5 partners
    _add_partners(world, 3)
    small = _list_queries(world, api, "admin")
    # when: 30
    _add_partners(world, 25, prefix="Q")
    large = _list_queries(world, api, "admin")
    # then
    assert small == large


def test_a_change_back_dated_before_the_first_one_becomes_the_start_of_the_next(acme):
    import datetime

    from partners.models import Tier, TierChange
    from partners.selectors import tier_in_effect
    from partners.services import partner_change_tier

    core, strategic = Tier.objects.get(code="core"), Tier.objects.get(code="strategic")
    partner_change_tier(partner=acme.own, tier=core, effective_on=datetime.date(2025, 6, 1))
    partner_change_tier(partner=acme.own, tier=strategic, effective_on=datetime.date(2025, 1, 1))
    changes = list(TierChange.objects.filter(partner=acme.own).order_by("effective_on"))
    assert [(c.from_tier.code, c.to_tier.code) for c in changes] == [("ordinary", "strategic"), ("strategic", "core")]
    assert tier_in_effect(acme.own, datetime.date(2024, 12, 31)).code == "ordinary"
    assert tier_in_effect(acme.own, datetime.date(2025, 3, 1)).code == "strategic"
    assert tier_in_effect(acme.own, datetime.date(2025, 7, 1)).code == "core"


def test_the_audit_trail_shows_labels_not_codes_and_names_the_system_when_no_one_acted(world, api, client):
    own = world["acme"].own
    api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"status": "suspended", "reason": "逾期"}, format="json"
    )
    client.force_login(world["acme"].member("admin").user)
    page = client.get(f"/t/acme/partners/{own.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    audit = page.split("Audit trail", 1)[1]
    assert "Active</span> → Suspended" in audit and "active</span>" not in audit
    assert "the system" in audit  # the shared world was built by services with no signed-in user
