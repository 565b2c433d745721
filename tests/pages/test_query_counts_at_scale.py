"""Queries per request do not grow with partners or rows (issue 13: pages and API at 10,000 partners).

The pages are the ones the navigation links to and the endpoints every list route of the API's
router, found the way ``bench/pages.py`` finds them; each is counted in a small world (3 partners
with facts, scores and alerts) and again after it grew (25 partners, more facts for each), as a
vendor administrator and as a partner administrator. Each count must be the same at both sizes.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench.routes import api_list_paths, nav_links
from facts.models import Invoice, Payment, Sale
from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from scoring.jobs import nightly_run, tenant_yesterday
from tenancy.context import tenant_scope

pytestmark = pytest.mark.django_db


def grow(tenant, *, partners: int, facts_per_partner: int, seed: int) -> None:
    """Partners up to ``partners`` in all, each with ``facts_per_partner`` more sales, invoices and payments
    over the past year; then the night's run (scores, accruals, alerts) for yesterday."""
    rng = random.Random(seed)
    day = tenant_yesterday(tenant)
    with tenant_scope(tenant):
        tier = Tier.objects.get(code="ordinary")
        missing = partners - Partner.objects.count()
        Partner.objects.bulk_create(
            [
                Partner(
                    code=f"G{seed}-{n:03d}",
                    name=f"Grown {seed} {n}",
                    kind=PartnerKind.RESELLER,
                    status=PartnerStatus.ACTIVE,
                    tier=tier,
                    region="华东",
                    credit_limit=Decimal("50000.00"),
                )
                for n in range(missing)
            ]
        )
        sales, invoices = [], []
        for partner in Partner.objects.all():
            for n in range(facts_per_partner):
                when = day - datetime.timedelta(days=rng.randrange(365))
                amount = Decimal(rng.randrange(1000, 900000)) / 100
                sales.append(Sale(partner=partner, external_id=f"S{seed}-{partner.pk}-{n}", date=when,
                                  customer=f"C{n}", product_category="hw", amount=amount))  # fmt: skip
                invoices.append(Invoice(partner=partner, external_id=f"I{seed}-{partner.pk}-{n}",
                                        number=f"INV{seed}-{partner.pk}-{n}", issue_date=when,
                                        due_date=when + datetime.timedelta(days=30), amount=amount))  # fmt: skip
        Sale.objects.bulk_create(sales)
        Invoice.objects.bulk_create(invoices)
        Payment.objects.bulk_create(
            [
                Payment(partner_id=invoice.partner_id, external_id=f"P{invoice.external_id}", invoice=invoice,
                        date=invoice.issue_date + datetime.timedelta(days=10), amount=invoice.amount / 2)
                for invoice in invoices[::2]
            ]
        )  # fmt: skip
    run = nightly_run(tenant=tenant, day=day, triggered_by="test")
    assert run.status == "succeeded", run.error


def count(client, path: str) -> tuple[int, int]:
    client.get(path)  # warm: per-process caches (content types, translations) fill once
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    return answer.status_code, len(queries)


def counts(page_client, api_client, slug: str) -> dict[str, tuple[int, int]]:
    home = page_client.get(f"/t/{slug}/")
    assert home.status_code == 200
    paths = nav_links(home.content.decode())
    assert len(paths) >= 15
    found = {path: count(page_client, path) for path in paths}
    found |= {path: count(api_client, path) for path in api_list_paths(slug)}
    return found


@pytest.mark.parametrize("role", ["admin", "partner_admin"])
def test_no_page_or_endpoint_makes_more_queries_as_partners_and_rows_grow(world, client, role):
    # given a small world
    acme = world["acme"]
    member = acme.member(role)
    client.force_login(member.user)
    client.cookies["django_language"] = "en"
    api = APIClient()
    api.force_authenticate(user=member.user)
    grow(acme.tenant, partners=3, facts_per_partner=4, seed=1)
    small = counts(client, api, "acme")

    # when it grows: eight times the partners, more facts for every one, another night
    grow(acme.tenant, partners=25, facts_per_partner=12, seed=2)
    large = counts(client, api, "acme")

    # then every page and endpoint answers as before, with as many queries
    assert {path: status for path, (status, _n) in large.items()} == {
        path: status for path, (status, _n) in small.items()
    }
    grew = {path: (small[path][1], large[path][1]) for path in small if small[path][1] != large[path][1]}
    assert grew == {}
