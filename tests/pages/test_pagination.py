"""One page control on every paginated list (issue 12: the leaderboard showed 50 rows and no way on)."""

import datetime
from decimal import Decimal

from django.template.loader import get_template
from django.urls import get_resolver

from partners.models import Partner, PartnerKind, Tier
from scoring.models import PartnerScore
from tests.test_authorization_matrix import _walk


def _paginated_page_views():
    for route in _walk(get_resolver()):
        view = getattr(route.callback, "view_class", None)
        if view is not None and getattr(view, "paginate_by", None) and getattr(view, "template_name", None):
            yield route, view


def test_every_paginated_page_shows_the_one_page_control():
    views = list(_paginated_page_views())
    assert len(views) >= 10
    missing = [
        f"{route.name}: {view.template_name}"
        for route, view in views
        if "includes/pagination.html" not in get_template(view.template_name).template.source
    ]
    assert missing == []


def test_the_leaderboard_pages_past_fifty_rows_and_keeps_its_filters(acme, client):
    tier = Tier.objects.get(code="ordinary")
    partners = Partner.objects.bulk_create(
        [
            Partner(code=f"L-{n:02d}", name=f"L {n}", kind=PartnerKind.AGENT, tier=tier, status="active")
            for n in range(60)
        ]
    )
    day = datetime.date(2026, 6, 30)
    zero = Decimal("0")
    PartnerScore.objects.bulk_create(
        [
            PartnerScore(partner=partner, day=day, **dict.fromkeys(
                ("volume", "growth", "attainment", "collection", "overdue", "score", "sales_365", "sales_prior_365",
                 "max_sales_365", "payments_365", "invoices_365", "outstanding", "overdue_amount"), zero),
                weights={"volume": 30, "growth": 15, "attainment": 25, "collection": 20, "overdue": 10},
                recommended_tier=tier)
            for partner in partners
        ]
    )  # fmt: skip
    client.force_login(acme.member("viewer").user)
    first = client.get("/t/acme/leaderboard/?kind=agent", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page 1 of 2" in first and "60 in all" in first
    assert "?kind=agent&amp;page=2" in first
    second = client.get("/t/acme/leaderboard/?kind=agent&page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page 2 of 2" in second and "Previous" in second


def test_no_template_draws_its_own_page_control():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    own = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'class="pagination"' in path.read_text() and path.name != "pagination.html"
    ]
    assert own == []


def test_a_second_list_on_a_page_pages_by_its_own_parameter():
    from django.core.paginator import Paginator
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/x", {"status": "active", "page": "3"})
    with translation.override("en"):
        html = Template(
            '{% include "includes/pagination.html" with page_obj=versions pager_param="versions_page" %}'
        ).render(Context({"versions": Paginator(range(30), 10).get_page(2), "request": request}))
    assert "Page 2 of 3" in html
    assert "status=active&amp;page=3&amp;versions_page=3" in html
    assert "versions_page=1" in html
