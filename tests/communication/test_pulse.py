"""The quarterly pulse and the satisfaction report per tier and quarter, beside ticket ratings."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.errors import Conflict
from communication import selectors, services
from communication.models import Pulse, Ticket
from partners.models import Tier
from tenancy import services as tenancy_services
from tenancy.models import Membership
from tests.conftest import tenant_api
from tests.world import PASSWORD


def test_a_partner_user_answers_once_a_quarter(acme):
    services.pulse_answer(actor=acme.member("partner_user"), score=9)

    with pytest.raises(Conflict):
        services.pulse_answer(actor=acme.member("partner_user"), score=3)
    services.pulse_answer(actor=acme.member("partner_admin"), score=6)  # another reader of the same partner

    assert sorted(Pulse.objects.values_list("score", flat=True)) == [6, 9]


@pytest.mark.parametrize("score", [-1, 11, True, "7"])
def test_a_score_outside_0_to_10_is_refused(acme, score):
    with pytest.raises(ValidationError):
        services.pulse_answer(actor=acme.member("partner_user"), score=score)
    assert not Pulse.objects.exists()


def test_over_the_api_bad_scores_are_a_400_and_vendors_cannot_answer(acme, api):
    partner = api(acme.member("partner_user"))

    assert partner.post(tenant_api("acme", "pulses/"), {"score": 12}, format="json").status_code == 400
    assert partner.post(tenant_api("acme", "pulses/"), {"score": "1e9"}, format="json").status_code == 400
    assert api(acme.member("admin")).post(tenant_api("acme", "pulses/"), {"score": 9}, format="json").status_code == 403
    assert partner.post(tenant_api("acme", "pulses/"), {"score": 10}, format="json").status_code == 201
    assert partner.post(tenant_api("acme", "pulses/"), {"score": 10}, format="json").status_code == 409


def _answer(member, tier, quarter, score):
    Pulse.objects.create(partner=member.partner, member=member, tier=tier, quarter=quarter, score=score)


def test_the_report_gives_the_figure_per_quarter_and_tier_beside_the_ticket_ratings(acme, api):
    core, ordinary = Tier.objects.get(code="core"), Tier.objects.get(code="ordinary")
    members = list(Membership.objects.filter(partner=acme.own))
    extra = [
        tenancy_services.member_add(
            actor=acme.member("admin"),
            email=f"pulse-{n}@acme.test",
            password=PASSWORD,
            role="partner_user",
            partner=acme.other,
        ).membership
        for n in (1, 2)
    ]
    a, b, c, d = members[0], members[1], extra[0], extra[1]
    # 2026-Q1: core 10, 9 (+100); ordinary 6, 8 (−50) → overall 2 of 4 promoters, 1 detractor: +25, mean 8.3
    _answer(a, core, "2026-Q1", 10)
    _answer(b, core, "2026-Q1", 9)
    _answer(c, ordinary, "2026-Q1", 6)
    _answer(d, ordinary, "2026-Q1", 8)
    # 2026-Q2: one answer of 3 → −100, mean 3.0
    _answer(a, ordinary, "2026-Q2", 3)
    closed = datetime.datetime(2026, 2, 10, 4, 0, tzinfo=datetime.UTC)
    for rating in (5, 4):
        Ticket.objects.create(partner=acme.own, category="other", subject="s", opened_at=closed, answer_due_at=closed,
                              closed_at=closed, status="closed", rating=rating)  # fmt: skip

    report = selectors.satisfaction_report(tenant=acme.tenant)

    assert report.quarters == ["2026-Q1", "2026-Q2"]
    q1 = report.overall["2026-Q1"]
    assert (q1.answers, q1.figure, q1.mean) == (4, Decimal("25.0"), Decimal("8.3"))
    by_tier = {tier.code: figures for tier, figures in report.by_tier}
    assert by_tier["core"]["2026-Q1"].figure == Decimal("100.0")
    assert by_tier["ordinary"]["2026-Q1"].figure == Decimal("-50.0")
    assert by_tier["ordinary"]["2026-Q2"].figure == Decimal("-100.0")
    assert by_tier["strategic"]["2026-Q1"].figure is None
    assert report.ratings == {"2026-Q1": Decimal("4.5"), "2026-Q2": None}

    rows = api(acme.member("viewer")).get(tenant_api("acme", "satisfaction/")).json()
    assert rows[0]["overall"] == {"answers": 4, "figure": "25.0", "mean": "8.3"} and rows[0]["ticket_rating"] == "4.5"
    assert api(acme.member("partner_admin")).get(tenant_api("acme", "satisfaction/")).status_code == 403


def test_the_satisfaction_page_draws_its_charts_from_json_script(acme, page_client):
    member = acme.member("partner_user")
    _answer(member, Tier.objects.get(code="ordinary"), "2026-Q1", 9)

    page = page_client(acme.member("viewer")).get("/t/acme/satisfaction/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="satisfaction-data"' in html and "js/satisfaction.js" in html
    assert page.context["chart"]["overall"] == [100.0]


def test_the_portal_home_asks_the_question_until_answered(acme, page_client):
    client = page_client(acme.member("partner_user"))
    assert "satisfaction/answer/" in client.get("/t/acme/").content.decode()

    response = client.post("/t/acme/satisfaction/answer/", {"score": "8"})

    assert response.status_code == 302
    assert "satisfaction/answer/" not in client.get("/t/acme/").content.decode()
    assert Pulse.objects.get().quarter == selectors.quarter_of(timezone.localdate())
