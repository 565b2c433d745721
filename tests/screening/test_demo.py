"""The demo shows screening: prospects rated by two colleagues and decided, and a partner under exit review."""

from __future__ import annotations

import pytest

from partners.models import StatusChange
from screening.models import Evaluation, ExitReview, ScreeningDecision
from tenancy.context import tenant_scope
from tenancy.models import Tenant
from tests.ops.test_commands import run

pytestmark = pytest.mark.django_db


def test_the_demo_has_evaluated_prospects_a_decision_each_way_and_a_partner_flagged_for_exit_review():
    run("seed_demo", "--partners", "40")

    for tenant in Tenant.objects.filter(slug__in=("huaxin", "northwind")):
        with tenant_scope(tenant):
            evaluated = Evaluation.objects.values("partner_id").distinct().count()
            evaluators = Evaluation.objects.values("evaluator_id").distinct().count()
            assert evaluated >= 2 and evaluators == 2  # five prospects in the full demo; this small one has fewer
            assert set(ScreeningDecision.objects.values_list("decision", flat=True)) == {"proceed", "decline"}
            declined = ScreeningDecision.objects.get(decision="decline").partner
            assert StatusChange.objects.filter(partner=declined, to_status="terminated").exists()
            review = ExitReview.objects.get(status="open")
            assert review.opened_by is None  # the nightly step flagged it
            assert review.runs >= 60 and review.highest_score < review.exit_threshold
