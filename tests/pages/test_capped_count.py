"""Lists of millions of rows count no further than they must (issue 13): exact up to a cap, estimated past it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from common import pagination
from facts.models import Sale


def _sales(partner, count: int) -> None:
    day = datetime.date(2026, 6, 1)
    Sale.objects.bulk_create(
        [
            Sale(partner=partner, external_id=f"CC-{n}", date=day, customer="C", amount=Decimal("1.00"))
            for n in range(count)
        ]
    )


@pytest.mark.parametrize(("rows", "estimated"), [(5, False), (6, False), (9, True)])
def test_the_count_is_exact_up_to_the_cap_and_an_estimate_past_it(acme, monkeypatch, rows, estimated):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 6)
    _sales(acme.own, rows)
    paginator = pagination.CappedCountPaginator(Sale.objects.order_by("pk"), 2)
    assert paginator.count_is_estimate is False  # nothing counted yet
    count = paginator.count
    assert paginator.count_is_estimate is estimated
    if estimated:
        assert count > 6  # the planner's guess, never below what is known to be there
    else:
        assert count == rows
    assert [sale.external_id for sale in paginator.page(1)] == ["CC-0", "CC-1"]


def test_the_sales_list_says_about_and_offers_no_last_page_past_the_cap(acme, page_client, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 60)
    _sales(acme.own, 120)
    monkeypatch.setattr(pagination, "planner_estimate", lambda queryset: 4_999_617)
    page = page_client(acme.member("viewer"), "en").get("/t/acme/data/sales/").content.decode()
    assert "about 4,999,617 rows" in page and "about 4,999,617 in all" in page and "of 99,993" in page
    assert "Next" in page and ">Last<" not in page
    chinese = page_client(acme.member("viewer"), "zh-hans").get("/t/acme/data/sales/").content.decode()
    assert "4,999,617" in chinese and "4999617" not in chinese


def test_the_api_counts_exactly_below_the_cap(acme, api):
    _sales(acme.own, 7)
    answer = api(acme.member("viewer")).get("/api/v1/t/acme/sales/")
    assert answer.status_code == 200
    assert answer.json()["count"] == Sale.objects.count() == 7


@pytest.mark.parametrize("paginator_class", [pagination.CappedCountPaginator, pagination.CappedPageByIdPaginator])
def test_an_estimate_below_the_truth_hides_no_row(acme, monkeypatch, paginator_class):
    """Past the cap the count is a guess: pages and "next" follow the rows, not the guess."""
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 6)
    monkeypatch.setattr(pagination, "planner_estimate", lambda queryset: 1)  # far below the 23 rows
    _sales(acme.own, 23)
    seen, number = [], 1
    while True:
        page = paginator_class(Sale.objects.order_by("pk"), 5).page(number)
        assert page.paginator.count_is_estimate
        seen += [sale.external_id for sale in page]
        assert page.end_index() == len(seen)
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == [f"CC-{n}" for n in range(23)]
    assert number == 5
    with pytest.raises(pagination.EmptyPage):
        paginator_class(Sale.objects.order_by("pk"), 5).page(6)


def test_an_api_client_following_next_reads_every_row_past_the_cap(acme, api, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 6)
    monkeypatch.setattr(pagination, "planner_estimate", lambda queryset: 1)
    _sales(acme.own, 130)
    client = api(acme.member("viewer"))
    url, ids = "/api/v1/t/acme/sales/", []
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        ids += [row["external_id"] for row in answer.json()["results"]]
        url = answer.json()["next"]
    assert sorted(ids) == sorted(f"CC-{n}" for n in range(130))
