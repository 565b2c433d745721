"""Law: a paginator that picks a page's ids first and then reads their rows (issue 13: lists that join
much to each row) gives the pages a plain paginator gives: the same rows in the same order, every page."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from common import pagination
from risk import selectors
from risk.models import Alert, AlertRule, AlertStatus, Severity
from tests.conftest import tenant_api
from tests.risk.helpers import DAY, partner


def _alerts(acme, rng: random.Random) -> None:
    """Alerts with many ties in severity and day (the list sorts by them, then by id)."""
    owners = [partner(f"PB-{n}") for n in range(6)]
    rules = AlertRule.values
    Alert.objects.bulk_create(
        [
            Alert(
                tenant=acme.tenant,
                partner=owners[n % 6],
                rule=rules[n // 6],
                severity=rng.choice(Severity.values),
                status=rng.choice([AlertStatus.OPEN, AlertStatus.RESOLVED]),
                raised_on=DAY - datetime.timedelta(days=rng.randint(0, 3)),
                evaluated_on=DAY,
                raised_at=timezone.now(),
            )
            for n in range(6 * len(rules))
            if rng.random() < 0.9
        ]
    )


def _pages(paginator) -> list[list[int]]:
    return [[alert.pk for alert in paginator.page(number)] for number in paginator.page_range]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_pages_picked_by_id_are_the_plain_pages(acme, monkeypatch, seed):
    rng = random.Random(seed)
    _alerts(acme, rng)
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 12)  # the capped one past its cap too
    for alerts in (
        selectors.alert_list(Alert.objects.all()),
        selectors.alert_list(Alert.objects.filter(status=AlertStatus.OPEN, partner__code__in=["PB-1", "PB-4"])),
    ):
        for per_page, orphans in ((1, 0), (4, 0), (7, 2), (50, 0)):
            plain = _pages(Paginator(alerts, per_page, orphans=orphans))
            assert [pk for page in plain for pk in page] == list(alerts.values_list("pk", flat=True))
            assert _pages(pagination.PageByIdPaginator(alerts, per_page, orphans=orphans)) == plain
            # the capped one (the API's) gives the pages the capped count gives, past its cap too
            capped = _pages(pagination.CappedCountPaginator(alerts, per_page, orphans=orphans))
            assert _pages(pagination.CappedPageByIdPaginator(alerts, per_page, orphans=orphans)) == capped
    assert Alert.objects.count() > 12


def test_the_alerts_list_and_api_read_their_page_by_id(acme, api, client):
    # given alerts over more than one page of the API
    _alerts(acme, random.Random(9))
    expected = list(selectors.alert_list(Alert.objects.all()).values_list("pk", flat=True))
    # when the API's pages and the page's list are read
    client = api(acme.member("admin"))
    shown = []
    for number in (1, 2, 3):
        response = client.get(tenant_api("acme", f"alerts/?page_size=10&page={number}"))
        assert response.status_code == 200
        shown += [row["id"] for row in response.json()["results"]]
    client.force_login(acme.member("admin").user)
    page = client.get("/t/acme/risk/alerts/?status=")
    # then they run in the list's order, each alert once
    assert shown == expected[:30] and len(expected) > 10
    assert [row["alert"].pk for row in page.context["rows"]] == expected[:50]
