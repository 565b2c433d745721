"""List endpoints and pages of facts and scores: the query count does not grow with the rows."""

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoring import jobs
from tests.conftest import tenant_api
from tests.facts.helpers import invoice, load, payment


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


def _sales(acme, start: int, count: int) -> None:
    load(
        "sales",
        *[
            {"external_id": f"Q-{n}", "partner": acme.own.code, "date": "2026-05-01", "customer": "C", "amount": "1"}
            for n in range(start, start + count)
        ],
    )


def test_the_sales_list_and_page_take_the_same_queries_for_5_and_40_rows(acme, api):
    client = api(acme.member("viewer"))
    page = Client()
    page.force_login(acme.member("viewer").user)
    counts = []
    for start, size in ((0, 5), (5, 35)):
        _sales(acme, start, size)
        counts.append(
            (
                _count(lambda: client.get(tenant_api("acme", "sales/"))),
                _count(lambda: page.get("/t/acme/data/sales/")),
            )
        )
    assert counts[0] == counts[1]


def test_payments_with_their_invoices_take_the_same_queries_for_2_and_20_rows(acme, api):
    client = api(acme.member("finance"))
    counts = []
    for start, size in ((0, 2), (2, 18)):
        load(
            "invoices",
            *[invoice(acme.own, f"QI-{n}", "2026-01-01", "2026-01-31", "10") for n in range(start, start + size)],
        )
        load("payments", *[payment(acme.own, "2026-02-01", "5", f"QI-{n}") for n in range(start, start + size)])
        counts.append(_count(lambda: client.get(tenant_api("acme", "payments/"))))
    assert counts[0] == counts[1]


def test_the_leaderboard_scores_and_channel_map_do_not_grow_with_partners(acme, api):
    from partners.models import Partner, PartnerKind, Tier

    page = Client()
    page.force_login(acme.member("channel_manager").user)
    client = api(acme.member("channel_manager"))
    day = datetime.date(2026, 6, 30)
    tier = Tier.objects.get(code="ordinary")
    counts = []
    for size in (3, 30):
        Partner.objects.bulk_create(
            [
                Partner(code=f"L{size}-{n}", name=f"L {n}", kind=PartnerKind.AGENT, tier=tier, status="active")
                for n in range(size)
            ]
        )
        jobs.nightly_run(tenant=acme.tenant, day=day)
        counts.append(
            (
                _count(lambda: page.get("/t/acme/leaderboard/")),
                _count(lambda: page.get("/t/acme/channel-map/")),
                _count(lambda: client.get(tenant_api("acme", "scores/"))),
            )
        )
    assert counts[0] == counts[1]
