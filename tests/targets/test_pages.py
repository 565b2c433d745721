"""The target pages, through Django's test client."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.dates import tenant_today
from common.periods import Period
from partners import services as partner_services
from partners.models import PartnerKind, PartnerStatus, Tier
from targets import services
from targets.models import CompanyGoal, Target

from .helpers import sale, sales, target


def url(path: str, slug: str = "acme") -> str:
    return f"/t/{slug}/{path}"


@pytest.fixture
def quarter(acme) -> Period:
    return Period.containing(tenant_today(acme.tenant), "quarter")


def test_a_channel_manager_sees_the_targets_of_the_current_quarter_with_attainment_and_pace(acme, page_client, quarter):
    # given targets this quarter and last
    start = quarter.start.isoformat()
    sales(sale(acme.own, start, "500.00"))
    target(acme.own, "sales", str(quarter), "1000")
    target(acme.other, "collections", str(quarter), "1000")
    target(acme.other, "sales", str(quarter.previous()), "1000")
    # when
    response = page_client(acme.member("channel_manager"), "en").get(url("targets/"))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "ACME-OWN" in page and "ACME-OTHER" in page
    assert "50.00%" in page  # 500 of 1,000
    assert '<meter class="bar behind" min="0" max="100" value="50.0"' in page
    assert "on course for" in page or "ended at" in page
    assert len(response.context["rows"]) == 2
    assert response.context["period"] == quarter


def test_the_period_selector_shows_another_period_and_a_bad_one_falls_back(acme, page_client, quarter):
    target(acme.other, "sales", "2025-Q1", "1000")
    client = page_client(acme.member("viewer"), "en")
    response = client.get(url("targets/?period=2025-q1"))
    assert [row.target.period for row in response.context["rows"]] == ["2025-Q1"]
    response = client.get(url("targets/?period=2025-13"))
    assert response.status_code == 200
    assert response.context["period"] == quarter
    assert "no month 13" in response.content.decode()


def test_the_list_takes_the_same_number_of_queries_for_3_and_30_targets(acme, page_client, quarter):
    client = page_client(acme.member("channel_manager"), "en")

    def add(count):
        for number in range(count):
            partner = partner_services.partner_create(
                actor=None, code=f"P-{count}-{number:02d}", name="P", kind=PartnerKind.AGENT,
                tier=Tier.objects.get(code="ordinary"), status=PartnerStatus.ACTIVE,
            )  # fmt: skip
            target(partner, ("sales", "collections", "new_customers")[number % 3], str(quarter), "100")

    add(3)
    with CaptureQueriesContext(connection) as small:
        client.get(url("targets/"))
    add(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("targets/"))
    assert len(response.context["rows"]) == 30
    assert len(small) == len(large)


@pytest.mark.parametrize("role", ["partner_user", "partner_admin"])
def test_a_partner_user_sees_only_its_own_targets(acme, page_client, quarter, role):
    target(acme.own, "sales", str(quarter), "1000")
    target(acme.other, "sales", str(quarter), "1000")
    client = page_client(acme.member(role), "en")
    for path in ("targets/", "targets/mine/"):
        response = client.get(url(path))
        assert response.status_code == 200
        page = response.content.decode()
        assert "ACME-OTHER" not in page and "Acme Other Partner" not in page
    assert "Our targets" in page
    assert len(response.context["current"]) == 1


def test_a_vendor_member_asking_for_the_portal_page_is_sent_to_the_list(acme, page_client):
    response = page_client(acme.member("viewer")).get(url("targets/mine/"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("targets/"))


def test_pages_render_in_chinese(acme, page_client, quarter):
    target(acme.own, "sales", str(quarter), "1000")
    assert page_client(acme.member("admin")).get(url("targets/")).status_code == 200
    assert page_client(acme.member("partner_user")).get(url("targets/mine/")).status_code == 200


# --- the form and its SMART check ---------------------------------------------------------


def target_form(acme, **overrides) -> dict:
    return {"partner": acme.own.pk, "metric": "sales", "period": "2026-03", "value": "1000.00", "goal": "",
            "confirmed": "", **overrides}  # fmt: skip


def test_a_target_without_warnings_is_saved_at_once_with_the_no_history_note(acme, page_client):
    client = page_client(acme.member("channel_manager"), "en")
    response = client.post(url("targets/new/"), target_form(acme), follow=True)
    assert response.status_code == 200
    assert Target.objects.get().value == Decimal("1000.00")
    assert "No history to compare with" in response.content.decode()


def test_a_target_with_warnings_asks_to_confirm_before_it_is_saved(acme, page_client):
    # given February's 100 sold: 1,000 for March is over 3×
    sales(sale(acme.own, "2026-02-10", "100.00"))
    client = page_client(acme.member("channel_manager"), "en")
    # when first sent: shown, not saved
    response = client.post(url("targets/new/"), target_form(acme))
    assert response.status_code == 200
    assert "more than 3 times" in response.content.decode()
    assert not Target.objects.exists()
    confirmed = response.context["form"].data["confirmed"]
    # when sent again with another value: checked again
    response = client.post(url("targets/new/"), target_form(acme, value="2000.00", confirmed=confirmed))
    assert response.status_code == 200
    assert not Target.objects.exists()
    # when confirmed as shown: saved
    confirmed = response.context["form"].data["confirmed"]
    response = client.post(url("targets/new/"), target_form(acme, value="2000.00", confirmed=confirmed))
    assert response.status_code == 302
    assert Target.objects.get().value == Decimal("2000.00")


def test_the_form_shows_field_errors(acme, page_client):
    client = page_client(acme.member("admin"), "en")
    response = client.post(url("targets/new/"), target_form(acme, period="2026-13", value="0"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"period", "value"}
    target(acme.own, "sales", "2026-03", "5")
    response = client.post(url("targets/new/"), target_form(acme))
    assert "period" in response.context["form"].errors


def test_editing_a_target_without_changing_it_needs_no_confirmation(acme, page_client):
    sales(sale(acme.own, "2026-02-10", "100.00"))
    march = target(acme.own, "sales", "2026-03", "1000")
    client = page_client(acme.member("admin"), "en")
    assert client.get(url(f"targets/{march.pk}/edit/")).status_code == 200
    response = client.post(url(f"targets/{march.pk}/edit/"), target_form(acme))
    assert response.status_code == 302
    response = client.post(url(f"targets/{march.pk}/edit/"), target_form(acme, value="5000"))
    assert response.status_code == 200  # changed to something even further: asks
    march.refresh_from_db()
    assert march.value == Decimal("1000.00")


@pytest.mark.parametrize("role", ["viewer", "partner_user"])
def test_members_who_may_not_manage_targets_cannot_use_the_form(acme, page_client, role):
    client = page_client(acme.member(role))
    assert client.get(url("targets/new/")).status_code == 403
    assert client.post(url("targets/new/"), target_form(acme)).status_code == 403
    assert not Target.objects.exists()


# --- goals --------------------------------------------------------------------------------


def test_goal_pages_show_coverage_proposals_and_apply_a_split(acme, page_client):
    sales(sale(acme.own, "2025-07-01", "300.00"), sale(acme.other, "2025-08-01", "100.00"))
    goal = services.goal_create(name="三季度", metric="sales", period="2026-Q3", value=Decimal("1000.00"))
    client = page_client(acme.member("channel_manager"), "en")
    response = client.get(url("goals/"))
    assert response.status_code == 200
    assert "三季度" in response.content.decode()

    response = client.get(url(f"goals/{goal.pk}/?method=last_year"))
    assert response.status_code == 200
    proposed = {line.partner.code: line.value for line in response.context["allocation"]}
    assert proposed == {"ACME-OWN": Decimal("750.00"), "ACME-OTHER": Decimal("250.00")}

    response = client.get(
        url(f"goals/{goal.pk}/?method=tier_weights&weight_core=3&weight_strategic=2&weight_ordinary=1")
    )
    assert response.status_code == 200
    assert response.context["proposal_total"] == Decimal("1000.00")

    form = {f"partner_{acme.own.pk}": "750.00", f"partner_{acme.other.pk}": "200"}
    response = client.post(url(f"goals/{goal.pk}/apply/"), form, follow=True)
    assert response.status_code == 200
    assert response.context["coverage"] == Decimal("0.9500")
    assert "95.00%" in response.content.decode()
    assert Target.objects.filter(goal=goal).count() == 2


def test_a_goal_is_created_through_its_form(acme, page_client):
    client = page_client(acme.member("admin"), "en")
    assert client.get(url("goals/new/")).status_code == 200
    data = {"name": "Year", "metric": "sales", "period": "2027", "value": "10000", "notes": ""}
    response = client.post(url("goals/new/"), data)
    goal = CompanyGoal.objects.get()
    assert response["Location"] == url(f"goals/{goal.pk}/")
    response = client.post(url(f"goals/{goal.pk}/edit/"), {**data, "value": "20000"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.value == Decimal("20000.00")


@pytest.mark.parametrize("role", ["partner_user", "partner_admin"])
def test_goal_pages_are_vendor_internal(acme, page_client, role):
    goal = services.goal_create(name="Secret", metric="sales", period="2026", value=Decimal("90"))
    client = page_client(acme.member(role))
    assert client.get(url("goals/")).status_code == 403
    assert client.get(url(f"goals/{goal.pk}/")).status_code == 403


def test_a_viewer_sees_a_goal_but_cannot_apply_a_split(acme, page_client):
    goal = services.goal_create(name="Y", metric="sales", period="2026", value=Decimal("90"))
    client = page_client(acme.member("viewer"), "en")
    response = client.get(url(f"goals/{goal.pk}/?method=tier_weights"))
    assert response.status_code == 200
    assert "Apply the split" not in response.content.decode()
    assert client.post(url(f"goals/{goal.pk}/apply/"), {f"partner_{acme.own.pk}": "90"}).status_code == 403
    assert not Target.objects.exists()
