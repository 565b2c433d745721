"""Bad input to a page is a form error or a plain 400 page in the user's language, never a 500.

The pages read their forms, filters and query parameters through ``common.parsing`` (by way of
``common.forms`` and ``common.filters``); the input guard answers a NUL anywhere in a request.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import translation

from common.forms import TextField
from partners.models import Partner, Tier
from targets.models import Target

NUL = "a\u0000b"


def url(path: str, slug: str = "acme") -> str:
    return f"/t/{slug}/{path}"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_the_account_page_of_a_day_out_of_range_shows_the_form_error_not_a_500(acme, page_client, day):
    # when
    response = page_client(acme.member("finance"), "en").get(url(f"partners/{acme.own.pk}/account/"), {"date": day})
    # then: before, a year-1 day overflowed the statement's “a year earlier”
    assert response.status_code == 200
    errors = response.context["form"].errors["date"]
    assert errors and ("outside the days" in errors[0] or "not a day" in errors[0])


@pytest.mark.parametrize("period", ["0001", "0001-01", "9999-Q4"])
def test_a_target_in_a_period_out_of_range_is_a_form_error_and_nothing_is_saved(acme, page_client, period):
    # when
    response = page_client(acme.member("channel_manager"), "en").post(
        url("targets/new/"), {"partner": acme.own.pk, "metric": "sales", "period": period, "value": "100"}
    )
    # then
    assert response.status_code == 200
    assert "periods run from the year 1900 to 2999" in response.context["form"].errors["period"][0]
    assert not Target.objects.exists()


@pytest.mark.parametrize("value", ["1e30", "NaN", "1e999999999", "12.345"])
def test_a_target_value_no_table_can_hold_is_a_form_error_and_nothing_is_saved(acme, page_client, value):
    response = page_client(acme.member("channel_manager"), "en").post(
        url("targets/new/"), {"partner": acme.own.pk, "metric": "sales", "period": "2026-Q1", "value": value}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert not Target.objects.exists()


def test_a_nul_in_a_form_field_is_a_translated_400_page_and_no_partner_is_written(acme, page_client):
    # given
    ordinary = Tier.objects.get(code="ordinary")
    form = {"code": "NEW-1", "name": NUL, "kind": "agent", "status": "prospect", "tier": ordinary.pk}
    # when
    response = page_client(acme.member("admin"), "zh-hans").post(url("partners/new/"), form)
    # then
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "“name”" in response.content.decode()
    assert not Partner.objects.filter(code="NEW-1").exists()


@pytest.mark.parametrize("path", ["partners/", "data/sales/", "targets/", "leaderboard/", "tier-recommendations/"])
def test_a_nul_in_a_query_parameter_is_a_400_page(acme, page_client, path):
    response = page_client(acme.member("admin"), "en").get(url(path), {"q": NUL, "status": NUL})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_the_session_cookie_of_a_page_is_a_400_not_a_database_error(world):
    client = Client()
    client.cookies["sessionid"] = "\x00" * 32
    assert client.get(url("partners/")).status_code == 400


def test_the_bytes_of_a_lone_surrogate_in_a_form_arrive_as_replacement_characters_never_a_500(acme, page_client):
    # A URL-encoded form cannot carry a lone surrogate: Django decodes its bytes with U+FFFD.
    client = page_client(acme.member("admin"), "en")
    response = client.get(url("partners/") + "?q=%ED%A0%80")
    assert response.status_code == 200


def test_a_form_text_field_refuses_a_lone_surrogate_all_the_same():
    field = TextField()
    with translation.override("en"), pytest.raises(Exception, match="lone surrogate"):
        field.clean("\ud800")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("leaderboard/", {"date": "0001-01-01"}),
        ("targets/", {"period": "0001"}),
        ("targets/", {"goal": "-1e999999", "partner": "x" * 500}),
        ("data/sales/", {"date_from": "0001-01-01", "date_to": "9999-12-31"}),
        ("data/invoices/", {"date_from": "31/12/2026", "export": "csv"}),
        ("goals/", {"page": "1e999"}),
        ("partners/", {"page": "99999999999999999999999"}),
    ],
)
def test_odd_query_parameters_on_the_pages_are_never_a_server_error(acme, page_client, path, query):
    response = page_client(acme.member("admin"), "en").get(url(path), query)
    assert response.status_code in (200, 404)


def test_applying_a_split_with_odd_field_names_is_never_a_server_error(acme, page_client):
    from targets import services

    goal = services.goal_create(name="G", metric="sales", period="2026-Q1", value="1000.00")
    form = urlencode({"partner_²": "5", f"partner_{'9' * 5000}": "5", f"partner_{acme.own.pk}": "1e30"})
    response = page_client(acme.member("admin"), "en").post(
        url(f"goals/{goal.pk}/apply/"), form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert not goal.targets.exists()
