"""Bad input to the API is a 400 with a JSON message, never a 500, and nothing is written (SPEC §6).

Each of these was a 500 (Django's HTML page) before ``common.parsing``, the input guard and the
guarded parsers: amounts that overflowed ``quantize``, NUL bytes PostgreSQL refuses, lone
surrogates psycopg cannot encode, a period before year 1, days out of the calendar.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from facts.models import Sale
from partners.models import Contract, Partner, TierChange
from targets import services as target_services
from targets.models import CompanyGoal, Target
from tenancy.context import crossing_tenants
from tests.conftest import tenant_api

PARTNERS_IN_THE_WORLD = 4  # two in acme, two in globex
NUL = "a\u0000b"
SURROGATE = "\ud800"


def post_json(client, path: str, body) -> object:
    """POST a body as JSON text; lone surrogates go out as ``\\ud800`` escapes, as any JSON client sends them."""
    return client.post(path, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def post_raw(client, path: str, text: str) -> object:
    return client.post(path, data=text, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def assert_json_400(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"]
    return body


def sale_row(**overrides) -> dict:
    return {
        "external_id": "S-1",
        "partner": "ACME-OWN",
        "date": "2026-03-31",
        "customer": "上海客户",
        "amount": "1234.50",
        **overrides,
    }


def new_partner(**overrides) -> dict:
    return {"code": "NEW-1", "name": "New partner", "kind": "agent", "tier": "core", **overrides}


@pytest.fixture
def admin(world, api):
    return api(world["acme"].member("admin"))


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    ['"1e30"', "1e30", '"NaN"', "1e999999999", '"1e999999999"', "-1e999999999", '"12.345"'],
    ids=["text 1e30", "number 1e30", "text NaN", "number 1e999999999", "text 1e999999999", "-1e999999999", "places"],
)
def test_an_amount_no_table_can_hold_is_a_row_error_and_no_sale_is_written(world, admin, amount):
    # given a row whose amount is written into the JSON as it stands
    body = json.dumps({"rows": [sale_row(amount="AMOUNT")]}).replace('"AMOUNT"', amount)
    # when
    response = post_raw(admin, tenant_api("acme", "sales/bulk/"), body)
    # then
    body = assert_json_400(response)
    assert [(error["row"], error["field"]) for error in body["errors"]] == [(1, "amount")]
    with crossing_tenants():  # nothing written in any tenant
        assert not Sale.objects.unscoped().exists()


@pytest.mark.parametrize("value", ["1e30", 1e30, "NaN", "1e999999999"])
def test_a_target_value_no_table_can_hold_is_a_400_and_no_target_is_written(world, admin, value):
    response = post_json(
        admin,
        tenant_api("acme", "targets/"),
        {"partner": "ACME-OWN", "metric": "sales", "period": "2026", "value": value},
    )
    body = assert_json_400(response)
    assert "value" in body["errors"]
    with crossing_tenants():  # nothing written in any tenant
        assert not Target.objects.unscoped().exists()


def test_json_has_no_nan_or_infinity_and_the_400_says_so(world, admin):
    for constant in ("NaN", "Infinity", "-Infinity"):
        response = post_raw(admin, tenant_api("acme", "sales/bulk/"), '{"rows": [{"amount": ' + constant + "}]}")
        assert constant.lstrip("-") in assert_json_400(response)["message"]
    with crossing_tenants():  # nothing written in any tenant
        assert not Sale.objects.unscoped().exists()


def test_a_credit_limit_of_1e30_is_a_400_and_no_partner_is_written(world, admin):
    response = post_raw(
        admin, tenant_api("acme", "partners/"), json.dumps(new_partner()).replace("}", ', "credit_limit": 1e30}')
    )
    assert "credit_limit" in assert_json_400(response)["errors"]
    with crossing_tenants():  # nothing written in any tenant
        assert not Partner.objects.unscoped().filter(code="NEW-1").exists()


# --- text: NUL and lone surrogates ---------------------------------------------------------


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
@pytest.mark.parametrize("field", ["name", "code", "tier", "region", "internal_notes", "reason"])
def test_a_nul_or_a_lone_surrogate_in_a_text_or_code_field_is_a_400_naming_it(world, admin, field, bad):
    # when
    response = post_json(admin, tenant_api("acme", "partners/"), new_partner(**{field: bad}))
    # then
    body = assert_json_400(response)
    assert list(body["errors"]) == [field]
    with crossing_tenants():  # nothing written in any tenant
        assert Partner.objects.unscoped().count() == PARTNERS_IN_THE_WORLD


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_a_nul_or_a_lone_surrogate_in_a_field_name_is_a_400_with_the_name_escaped(world, admin, bad):
    response = post_json(admin, tenant_api("acme", "partners/"), {**new_partner(), bad: "x"})
    body = assert_json_400(response)
    assert list(body["errors"]) == [json.dumps(bad)[1:-1]]
    with crossing_tenants():  # nothing written in any tenant
        assert Partner.objects.unscoped().count() == PARTNERS_IN_THE_WORLD


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_a_bulk_row_with_a_nul_or_a_lone_surrogate_in_its_customer_names_the_row_and_field(world, admin, bad):
    # given three good rows and a bad third one
    rows = [sale_row(external_id=f"S-{n}") for n in (1, 2, 3, 4)]
    rows[2]["customer"] = bad
    # when
    response = post_json(admin, tenant_api("acme", "sales/bulk/"), {"rows": rows})
    # then
    body = assert_json_400(response)
    assert "nothing was written" in body["message"]
    assert [(error["row"], error["field"]) for error in body["errors"]] == [(3, "customer")]
    with crossing_tenants():  # nothing written in any tenant
        assert not Sale.objects.unscoped().exists()


def test_an_unstorable_value_deep_in_a_body_is_named_by_its_path(acme, admin):
    goal = target_services.goal_create(name="G", metric="sales", period="2026", value=Decimal("100.00"))
    response = post_json(
        admin,
        tenant_api("acme", f"goals/{goal.pk}/propose/"),
        {"method": "tier_weights", "tier_weights": {"core": 1, "strategic": [1, {"x": NUL}]}},
    )
    assert assert_json_400(response)["errors"] == {
        "tier_weights.strategic[1].x": ["Text cannot contain the NUL character (\\u0000)."]
    }


def test_a_body_nested_absurdly_deep_is_a_400(world, admin):
    response = post_raw(admin, tenant_api("acme", "sales/bulk/"), "[" * 100_000 + "]" * 100_000)
    assert_json_400(response)


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("partners/", "q"),
        ("partners/", "tier"),
        ("partners/", "tag"),
        ("sales/", "customer"),
        ("scores/", "partner"),
        ("targets/", "period"),
        ("receivables/", "date"),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(world, admin, path, parameter):
    response = admin.get(tenant_api("acme", path), {parameter: NUL}, HTTP_ACCEPT_LANGUAGE="en")
    body = assert_json_400(response)
    assert f"“{parameter}”" in body["message"]


def test_a_nul_in_a_multipart_field_is_a_400_and_no_contract_is_written(world, admin):
    own = world["acme"].own
    response = admin.post(
        tenant_api("acme", f"partners/{own.pk}/contracts/"),
        {"number": NUL, "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
        format="multipart",
    )
    assert_json_400(response)
    with crossing_tenants():  # nothing written in any tenant
        assert not Contract.objects.unscoped().exists()


def test_a_nul_in_the_authorization_header_is_a_400_not_a_database_error(world):
    # The token scheme may change; a NUL in any header never reaches a query.
    response = Client().get(tenant_api("acme", "partners/"), HTTP_AUTHORIZATION="Token \x00")
    assert_json_400(response)
    assert "Authorization" in response.json()["message"]


def test_a_nul_in_the_session_cookie_is_a_400_not_a_database_error(world):
    client = Client()
    client.cookies["sessionid"] = "\x00" * 32
    assert_json_400(client.get(tenant_api("acme", "partners/")))


# --- periods and days ----------------------------------------------------------------------


@pytest.mark.parametrize("period", ["0001", "0001-01", "1899-Q4", "3000", "9999-Q4"])
def test_a_target_in_a_period_outside_1900_to_2999_is_a_400_and_nothing_is_saved(world, admin, period):
    # when
    response = post_json(
        admin,
        tenant_api("acme", "targets/"),
        {"partner": "ACME-OWN", "metric": "sales", "period": period, "value": "100"},
    )
    # then: before, the target was saved and the SMART check's “period before year 1” was a 500
    body = assert_json_400(response)
    assert list(body["errors"]) == ["period"]
    with crossing_tenants():  # nothing written in any tenant
        assert not Target.objects.unscoped().exists()


def test_a_goal_in_year_1_is_a_400_and_nothing_is_saved(world, admin):
    response = post_json(
        admin, tenant_api("acme", "goals/"), {"name": "G", "metric": "sales", "period": "0001", "value": "100"}
    )
    assert list(assert_json_400(response)["errors"]) == ["period"]
    with crossing_tenants():  # nothing written in any tenant
        assert not CompanyGoal.objects.unscoped().exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "tomorrow"])
@pytest.mark.parametrize("path", ["receivables/", "scores/"])
def test_a_day_outside_the_calendar_or_1900_to_2999_is_a_400_on_the_api(world, admin, path, day):
    body = assert_json_400(admin.get(tenant_api("acme", path), {"date": day}))
    assert list(body["errors"]) == ["date"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_fact_dated_outside_1900_to_2999_is_a_row_error(world, admin, day):
    body = assert_json_400(post_json(admin, tenant_api("acme", "sales/bulk/"), {"rows": [sale_row(date=day)]}))
    assert [(error["row"], error["field"]) for error in body["errors"]] == [(1, "date")]
    with crossing_tenants():  # nothing written in any tenant
        assert not Sale.objects.unscoped().exists()


def test_a_tier_change_effective_in_year_1_is_a_400_and_no_history_is_written(world, admin):
    own = world["acme"].own
    response = post_json(
        admin, tenant_api("acme", f"partners/{own.pk}/tier/"), {"tier": "core", "effective_on": "0001-01-01"}
    )
    assert list(assert_json_400(response)["errors"]) == ["effective_on"]
    with crossing_tenants():  # nothing written in any tenant
        assert not TierChange.objects.unscoped().exists()


# --- numbers that would take forever -------------------------------------------------------


@pytest.mark.parametrize("goal", ["1e999999999", "-1e999999", "1e30"])
def test_a_huge_number_for_an_id_filter_is_answered_at_once(world, admin, goal):
    started = time.monotonic()
    response = admin.get(tenant_api("acme", "targets/"), {"goal": goal})
    assert response.status_code == 400
    assert time.monotonic() - started < 5


def test_a_huge_number_for_a_goal_id_in_a_body_is_answered_at_once(world, admin):
    started = time.monotonic()
    response = post_raw(
        admin,
        tenant_api("acme", "targets/"),
        '{"partner": "ACME-OWN", "metric": "sales", "period": "2026", "value": "1", "goal": -1e999999}',
    )
    assert "goal" in assert_json_400(response)["errors"]
    assert time.monotonic() - started < 5
    with crossing_tenants():  # nothing written in any tenant
        assert not Target.objects.unscoped().exists()


# --- errors outside DRF are JSON too -------------------------------------------------------


def test_an_unknown_tenant_and_an_unknown_api_route_are_json_404s(world, admin):
    for path in (tenant_api("nope", "partners/"), "/api/v1/nothing/", tenant_api("acme", "partners/0.5/")):
        response = admin.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["message"] == "Not found."


def test_a_server_error_on_the_api_is_json(world, monkeypatch):
    # given a bug behind an endpoint
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("facts.api.receivables_as_of", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(world["acme"].member("admin").user)
    # when
    response = client.get(tenant_api("acme", "receivables/"), HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
    assert "a bug" not in response.content.decode()


@pytest.mark.parametrize(("path", "parameter"), [("sales/", "date_to"), ("targets/", "period"), ("targets/", "goal")])
def test_a_bad_filter_value_with_a_percent_sign_is_a_400_not_a_formatting_error(world, admin, path, parameter):
    # Found by the fuzz: django-filter %-formats each message, and ours quoted the input.
    body = assert_json_400(admin.get(tenant_api("acme", path), {parameter: "50%off %s %(x)s"}))
    assert list(body["errors"]) == [parameter]


@pytest.mark.parametrize(
    ("view", "status"),
    [("bad_request", 400), ("permission_denied", 403), ("page_not_found", 404), ("server_error", 500)],
)
def test_errors_raised_outside_drf_answer_json_under_api_and_a_page_elsewhere(world, rf, view, status):
    # given what a middleware raises before DRF (an unknown tenant's 404, say), or Django past it
    from django.core.exceptions import PermissionDenied

    from qudao_api import errors

    handler = getattr(errors, view)
    arguments = () if view == "server_error" else (PermissionDenied(),)
    # when
    api = handler(rf.get("/api/v1/t/acme/partners/"), *arguments)
    page = handler(rf.get("/t/acme/partners/"), *arguments)
    # then
    assert (api.status_code, page.status_code) == (status, status)
    assert api["Content-Type"].startswith("application/json")
    assert json.loads(api.content)["message"]
    assert page["Content-Type"].startswith("text/html")
