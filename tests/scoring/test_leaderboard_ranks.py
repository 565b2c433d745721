"""The leaderboard ranks a page at a time (issue 13: no window over every score of the day): the ranks a
window over all the scores selected gives, ties sharing a rank, on every page and under any filter."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Q

from partners.models import Partner
from scoring.selectors import rank_page, ranked_window, scores_on
from tests.risk.helpers import partner
from tests.screening.helpers import scores

DAY = datetime.date(2026, 6, 30)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_pages_ranks_are_the_windows_ranks(acme, seed):
    # given a day's scores with many ties (few distinct values), and another day's
    rng = random.Random(seed)
    values = [f"{rng.choice([10, 20, 20, 35, 50, 50, 50, 80])}.{rng.choice(['00', '50'])}" for _n in range(23)]
    for n, value in enumerate(values):
        owner = partner(f"LR{seed}-{n:02d}", region=rng.choice(["North", "South"]))
        scores(owner, [DAY], value)
        scores(owner, [DAY - datetime.timedelta(days=1)], "99.00")

    for filters in (Q(), Q(partner__region="North")):
        selected = scores_on(DAY, Q(partner__code__startswith=f"LR{seed}-") & filters)
        expected = {row.pk: row.rank for row in ranked_window(selected)}
        assert len(expected) == selected.count() > 0
        for size in (1, 4, 7, 50):
            # when the rows are ranked a page at a time
            ranked = {}
            for start in range(0, len(expected), size):
                for row in rank_page(selected, list(selected[start : start + size])):
                    ranked[row.pk] = row.rank
            # then each row has the rank the window gives
            assert ranked == expected, (filters, size)
    assert Decimal(min(values)) < Decimal(max(values))


def test_the_leaderboard_shows_the_ranks(acme, client):
    # given three partners, two of them tied
    for code, value in (("LB-A", "70.00"), ("LB-B", "90.00"), ("LB-C", "70.00")):
        scores(partner(code), [DAY], value)
    client.force_login(acme.member("admin").user)

    # when the leaderboard is asked for
    response = client.get("/t/acme/leaderboard/?date=2026-06-30")

    # then the best is first and the tied two share the second place
    assert response.status_code == 200
    ranks = {row.partner.code: row.rank for row in response.context["object_list"]}
    assert {code: ranks[code] for code in ("LB-A", "LB-B", "LB-C")} == {"LB-B": 1, "LB-A": 2, "LB-C": 2}
    assert Partner.objects.filter(code__startswith="LB-").count() == 3


@pytest.mark.parametrize("seed", [5, 6])
def test_the_leaderboards_pages_are_the_slices_of_the_days_scores(acme, client, seed):
    # given more scored partners than one page holds, with many ties, in two regions
    rng = random.Random(seed)
    for n in range(57):
        owner = partner(f"LP{seed}-{n:02d}", region=rng.choice(["North", "South"]))
        scores(owner, [DAY], f"{rng.choice([10, 35, 50, 50, 80])}.{rng.choice(['00', '50'])}")
    client.force_login(acme.member("admin").user)

    for query, filters in (("", Q()), ("&region=North", Q(partner__region="North"))):
        selected = scores_on(DAY, filters)
        expected = [(row.partner.code, row.rank) for row in ranked_window(selected).order_by("-score", "partner__code")]
        # when every page of the leaderboard is asked for (the page's rows picked by id, then read)
        shown = []
        for number in range(1, len(expected) // 50 + 2):
            response = client.get(f"/t/acme/leaderboard/?date=2026-06-30&page={number}{query}")
            assert response.status_code == 200
            shown += [(row.partner.code, row.rank) for row in response.context["object_list"]]
        # then the pages run through the day's scores in order, each once, with the window's ranks
        assert shown == expected
    assert len(expected) > 0
