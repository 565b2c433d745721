"""The nightly job: scores stored with their figures, recommendations, idempotency, isolation."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Partner, PartnerKind, PartnerStatus, TierChange
from scoring import jobs
from scoring.models import JobRun, PartnerScore, TierRecommendation
from scoring.services import recommendation_apply, recommendation_dismiss, scores_compute
from targets.services import target_create
from tenancy.context import crossing_tenants, tenant_scope
from tests.conftest import tenant_api
from tests.facts.helpers import invoice, load, payment

DAY = datetime.date(2026, 6, 30)
d = Decimal


def _facts(world):
    """Own: 800k this year, 640k the year before; other: 1M this year. Invoices and collections for own."""
    load(
        "sales",
        {"partner": world.own.code, "date": "2026-03-01", "customer": "A", "amount": "800000.00"},
        {"partner": world.own.code, "date": "2025-03-01", "customer": "A", "amount": "640000.00"},
        {"partner": world.other.code, "date": "2026-05-01", "customer": "B", "amount": "1000000.00"},
    )
    load(
        "invoices",
        invoice(world.own, "N-1", "2026-01-10", "2026-02-09", "100000.00"),
        invoice(world.own, "N-2", "2026-05-01", "2026-07-31", "300000.00"),
    )
    load("payments", payment(world.own, "2026-02-01", "280000.00"))
    target_create(partner=world.own, metric="sales", period="2026", value=d("1000000"))


def test_the_nightly_run_stores_every_component_and_the_figures_behind_them(acme):
    _facts(acme)
    run = jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    own = PartnerScore.objects.get(partner=acme.own, day=DAY)
    # volume 80; growth 50 + 25 = 75; attainment 800k / 1M = 0.8 → 80;
    # collection 280k / 400k = 70; outstanding 120k, overdue 0 (N-1 paid, N-2 not yet due) → 100
    assert (own.volume, own.growth, own.attainment, own.collection, own.overdue) == (
        d("80.00"), d("75.00"), d("80.00"), d("70.00"), d("100.00"),
    )  # fmt: skip
    # (30×80 + 15×75 + 25×80 + 20×70 + 10×100) / 100 = 79.25
    assert own.score == d("79.25")
    assert own.recommended_tier.code == "strategic"
    assert (own.sales_365, own.max_sales_365, own.outstanding, own.target_count) == (
        d("800000.00"), d("1000000.00"), d("120000.00"), 1,
    )  # fmt: skip
    other = PartnerScore.objects.get(partner=acme.other, day=DAY)
    assert other.volume == d("100.00") and other.attainment == d("50.00") and other.collection == d("100.00")


def test_running_the_same_day_twice_leaves_the_same_rows(acme):
    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)

    def snapshot():
        scores = sorted(PartnerScore.objects.values_list("id", "partner_id", "day", "score", "recommended_tier_id"))
        recs = sorted(TierRecommendation.objects.values_list("id", "partner_id", "to_tier_id", "status"))
        return scores, recs

    first = snapshot()
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert snapshot() == first
    assert JobRun.objects.filter(day=DAY, status=JobRun.Status.SUCCEEDED).count() == 2


def test_only_active_partners_are_scored_and_the_max_is_over_them(acme):
    _facts(acme)
    Partner.objects.filter(pk=acme.other.pk).update(status=PartnerStatus.SUSPENDED)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert list(PartnerScore.objects.values_list("partner_id", flat=True)) == [acme.own.pk]
    assert PartnerScore.objects.get().volume == d("100.00")  # own is now the best active partner


def test_a_recommendation_is_applied_into_the_tier_history_with_its_score(acme):
    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    recommendation = TierRecommendation.objects.get(partner=acme.own)
    assert (recommendation.from_tier.code, recommendation.to_tier.code) == ("ordinary", "strategic")
    manager = acme.member("channel_manager").user
    recommendation_apply(recommendation=recommendation, actor=manager, reason="well earned")
    change = TierChange.objects.get(partner=acme.own)
    assert (change.to_tier.code, change.score, change.changed_by, change.reason) == (
        "strategic", d("79.25"), manager, "well earned",
    )  # fmt: skip
    acme.own.refresh_from_db()
    assert acme.own.tier.code == "strategic"
    # the next night the recommendation is not raised again: the partner is where the score says
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert not TierRecommendation.objects.filter(partner=acme.own, status="open").exists()


def test_a_dismissal_needs_a_reason_and_keeps_the_same_change_quiet(acme):
    from django.core.exceptions import ValidationError

    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    recommendation = TierRecommendation.objects.get(partner=acme.own)
    with pytest.raises(ValidationError):
        recommendation_dismiss(recommendation=recommendation, actor=None, reason=" ")
    recommendation_dismiss(recommendation=recommendation, actor=None, reason="pilot cooperation first")
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert not TierRecommendation.objects.filter(partner=acme.own, status="open").exists()


def test_a_tenant_that_applies_tiers_on_its_own_gets_them_in_the_history(acme):
    _facts(acme)
    acme.tenant.auto_apply_tiers = True
    acme.tenant.save()
    run = jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert run.summary["scores"]["applied"] >= 1
    change = TierChange.objects.get(partner=acme.own)
    assert (change.to_tier.code, change.effective_on, change.score) == ("strategic", DAY, d("79.25"))
    assert Partner.objects.get(pk=acme.own.pk).tier.code == "strategic"
    assert TierRecommendation.objects.get(partner=acme.own).status == "applied"


def test_a_failing_tenant_does_not_stop_the_others(world, monkeypatch):
    real_step = jobs.NIGHTLY_STEPS[0][1]

    def broken_for_acme(day):
        from tenancy.context import require_tenant

        if require_tenant().slug == "acme":
            raise RuntimeError("acme's data is broken")
        return real_step(day)

    monkeypatch.setattr(jobs, "NIGHTLY_STEPS", [("scores", broken_for_acme)])
    with pytest.raises(CommandError, match="acme"):
        call_command("run_nightly", date=DAY.isoformat())
    with crossing_tenants():
        runs = {run.tenant.slug: run for run in JobRun.objects.unscoped().select_related("tenant")}
    assert runs["acme"].status == JobRun.Status.FAILED and "acme's data is broken" in runs["acme"].error
    assert runs["globex"].status == JobRun.Status.SUCCEEDED
    with tenant_scope(world["globex"].tenant):
        assert PartnerScore.objects.filter(day=DAY).count() == 2
    with tenant_scope(world["acme"].tenant):
        assert PartnerScore.objects.count() == 0


def _add_partners(count: int):
    from partners.models import Tier

    tier = Tier.objects.get(code="ordinary")
    partners = Partner.objects.bulk_create(
        [
            Partner(code=f"N{count}-{n}", name=f"N {n}", kind=PartnerKind.AGENT, tier=tier, status="active")
            for n in range(count)
        ]
    )
    load("sales", *[{"partner": p.code, "date": "2026-06-01", "customer": "C", "amount": "10"} for p in partners])
    load("invoices", *[invoice(p, f"NI-{p.code}", "2026-01-01", "2026-01-31", "50") for p in partners])
    return partners


def test_the_nightly_query_count_is_the_same_for_20_and_200_partners(acme):
    counts = []
    for size in (20, 200):
        _add_partners(size)
        with CaptureQueriesContext(connection) as queries:
            run = jobs.nightly_run(tenant=acme.tenant, day=DAY)
        assert run.status == JobRun.Status.SUCCEEDED, run.error
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert PartnerScore.objects.filter(day=DAY).count() == 2 + 20 + 200


def test_the_dispatcher_queues_each_tenant_on_its_own_yesterday(world):
    from django.utils import timezone

    with tenant_scope(world["globex"].tenant):
        world["globex"].tenant.timezone = "America/New_York"
        world["globex"].tenant.save()
    # 18:00 UTC on June 30: 02:00 on July 1 in Shanghai, 14:00 on June 30 in New York
    now = datetime.datetime(2026, 6, 30, 18, 0, tzinfo=datetime.UTC)
    due = {tenant.slug: day for tenant, day in jobs.due_tenants(now)}
    assert due == {"acme": datetime.date(2026, 6, 30), "globex": datetime.date(2026, 6, 29)}
    with tenant_scope(world["acme"].tenant):
        JobRun.objects.create(
            day=datetime.date(2026, 6, 30), status=JobRun.Status.SUCCEEDED, finished_at=timezone.now()
        )
    assert {tenant.slug for tenant, _ in jobs.due_tenants(now)} == {"globex"}
    early = datetime.datetime(2026, 6, 30, 16, 30, tzinfo=datetime.UTC)  # Shanghai 00:30: not yet
    assert "acme" not in {tenant.slug for tenant, _ in jobs.due_tenants(early)}


def test_partner_users_see_only_their_own_score_and_rank(acme, api):
    from django.test import Client

    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    response = api(acme.member("partner_user")).get(tenant_api("acme", "scores/"))
    assert [row["partner"] for row in response.json()["results"]] == [acme.own.code]
    assert response.json()["results"][0]["score"] == "79.25"
    other_score = PartnerScore.objects.get(partner=acme.other)
    assert api(acme.member("partner_user")).get(tenant_api("acme", f"scores/{other_score.pk}/")).status_code == 404
    client = Client()
    client.force_login(acme.member("partner_user").user)
    page = client.get(f"/t/acme/partners/{acme.own.pk}/score/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "79.25" in page and "2 / 2" in page and acme.other.name not in page
    assert client.get(f"/t/acme/partners/{acme.other.pk}/score/").status_code == 404
    assert client.get("/t/acme/leaderboard/").status_code == 403


def test_the_settings_form_validates_the_weights(acme):
    from django.test import Client

    client = Client()
    client.force_login(acme.member("admin").user)
    bad = {"volume": 0, "growth": 0, "attainment": 0, "collection": 0, "overdue": 0}
    response = client.post("/t/acme/settings/scoring/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert "The weights must add up to more than zero." in response.content.decode()
    response = client.post("/t/acme/settings/scoring/", {**bad, "volume": -1, "growth": 3}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    acme.tenant.refresh_from_db()
    assert acme.tenant.score_weights == {"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10}
    good = {"volume": 40, "growth": 10, "attainment": 20, "collection": 20, "overdue": 10, "auto_apply_tiers": "on"}
    assert client.post("/t/acme/settings/scoring/", good).status_code == 302
    acme.tenant.refresh_from_db()
    assert acme.tenant.score_weights["volume"] == 40 and acme.tenant.auto_apply_tiers
    manager = Client()
    manager.force_login(acme.member("channel_manager").user)
    assert manager.post("/t/acme/settings/scoring/", good).status_code == 403


def test_the_channel_map_counts_partners_by_region_kind_and_tier_with_their_sales(acme):
    from scoring.selectors import channel_map

    load("sales", {"partner": acme.own.code, "date": "2026-06-01", "customer": "C", "amount": "150.00"})
    Partner.objects.filter(pk=acme.other.pk).update(region="华东", kind=PartnerKind.DISTRIBUTOR)
    scores_compute(day=DAY)  # the map's sales are the night's figures (sales_365), not a sum per request
    grid = channel_map(Partner.objects.all(), day=DAY)
    cell = grid["华东"][PartnerKind.DISTRIBUTOR]
    assert cell["count"] == 2
    assert cell["tiers"] == [{"code": "ordinary", "rank": 3, "count": 2}]
    assert cell["sales"] == d("150.00")
    assert grid["华东"][PartnerKind.AGENT] == {"count": 0, "tiers": [], "sales": None}


def test_the_api_applies_and_dismisses_recommendations_for_channel_managers_only(acme, api):
    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    recommendation = TierRecommendation.objects.get(partner=acme.own)
    url = tenant_api("acme", f"tier-recommendations/{recommendation.pk}/")
    assert api(acme.member("finance")).post(url + "apply/", {}, format="json").status_code == 403
    assert TierRecommendation.objects.get(pk=recommendation.pk).status == "open"
    response = api(acme.member("channel_manager")).post(url + "dismiss/", {"reason": ""}, format="json")
    assert response.status_code == 400
    response = api(acme.member("channel_manager")).post(url + "apply/", {"reason": "ok"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "applied"
    assert TierChange.objects.filter(partner=acme.own, to_tier__code="strategic").exists()
    again = api(acme.member("channel_manager")).post(url + "apply/", {}, format="json")
    assert again.status_code == 409


def test_a_partner_that_is_no_longer_active_loses_its_open_recommendation(acme):
    _facts(acme)
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    assert TierRecommendation.objects.filter(partner=acme.own, status="open").exists()
    Partner.objects.filter(pk=acme.own.pk).update(status=PartnerStatus.SUSPENDED)
    jobs.nightly_run(tenant=acme.tenant, day=DAY + datetime.timedelta(days=1))
    assert not TierRecommendation.objects.filter(partner=acme.own, status="open").exists()


def test_a_partners_score_page_never_shows_another_partners_sales(acme, client):
    # given: the other partner sells far more, so it is the best partner the volume compares with
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-06-01", "customer": "甲", "amount": "250000"},
        {"partner": "ACME-OTHER", "date": "2026-06-01", "customer": "乙", "amount": "28632033.75"},
    )
    jobs.nightly_run(tenant=acme.tenant, day=DAY)
    page = f"/t/acme/partners/{acme.own.pk}/score/"
    # when the partner reads its own score, then the best partner's figure is nowhere on it
    client.force_login(acme.member("partner_user").user)
    partner_view = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥250,000.00" in partner_view
    assert "28,632,033.75" not in partner_view and "28632033" not in partner_view
    # while the vendor sees the comparison in full, with the currency
    client.force_login(acme.member("channel_manager").user)
    assert "¥28,632,033.75" in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_job_runs_page_says_what_each_run_did_in_the_readers_language(acme, client):
    jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="manual")
    client.force_login(acme.member("admin").user)
    chinese = client.get("/t/acme/jobs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/t/acme/jobs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Scores: 2 partners scored" in english and "Run by hand" in english
    assert "Risk alerts: 2 partners checked, 0 raised" in english
    assert "partners scored" not in chinese and "tier recommendations" not in chinese and ">manual<" not in chinese
    assert "partners checked" not in chinese and "Risk alerts" not in chinese


def test_the_job_runs_page_says_when_a_run_was_taken_over_from_a_silent_worker(acme, client):
    run = jobs.nightly_run(tenant=acme.tenant, day=DAY, triggered_by="manual")
    client.force_login(acme.member("admin").user)
    assert "attempt" not in client.get("/t/acme/jobs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    JobRun.objects.filter(pk=run.pk).update(attempts=2)
    assert "attempt 2" in client.get("/t/acme/jobs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "第 2 次尝试" in client.get("/t/acme/jobs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
