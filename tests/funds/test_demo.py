"""The demo's funds: in both tenants, requests and claims in every state, and one claim paid by the settlement run."""

from __future__ import annotations

import pytest

from common.dates import tenant_today
from common.periods import Period
from funds.models import Fund, FundClaim, FundRequest
from settlements.models import StatementLine
from tenancy.context import tenant_scope
from tenancy.models import Tenant
from tests.ops.test_commands import run

pytestmark = pytest.mark.django_db


def test_the_demo_has_funds_with_requests_and_claims_in_every_state_and_a_claim_paid_once():
    run("seed_demo", "--partners", "12")

    for tenant in Tenant.objects.filter(slug__in=("huaxin", "northwind")):
        with tenant_scope(tenant):
            last = Period.containing(tenant_today(tenant), "quarter").previous()
            assert Fund.objects.count() == 2
            assert set(FundRequest.objects.values_list("status", flat=True)) == {"submitted", "approved", "rejected"}
            assert set(FundClaim.objects.values_list("status", flat=True)) == {"submitted", "approved", "rejected"}
            paid = StatementLine.objects.filter(kind="mdf").select_related("statement")
            assert paid.count() == FundClaim.objects.filter(status="approved").count() == 2
            assert {line.statement.period for line in paid} == {str(last)}
            assert all(line.explanation for line in paid)
