"""``settlement-runs/`` and ``statements/`` over the API (SPEC §6)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.progress import progress_publish
from partners.models import Partner, PartnerKind, Tier
from settlements.models import SettlementRun, Statement, StatementEvent, StatementLine
from settlements.services.statements import statement_approve
from tests.conftest import tenant_api
from tests.facts.helpers import load

from .helpers import compute, program

D = Decimal
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def statements_url(path: str = "") -> str:
    return tenant_api("acme", f"statements/{path}")


def unchanged(statement: Statement) -> tuple:
    row = Statement.objects.filter(pk=statement.pk).values().get()
    return row, StatementLine.objects.filter(statement=statement).count(), StatementEvent.objects.count()


# --- runs ---------------------------------------------------------------------------------------


def test_finance_starts_a_run_and_gets_it_back_as_accepted(acme, api, django_capture_on_commit_callbacks):
    program("RETRO")
    load("sales", {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"})

    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme.member("finance")).post(tenant_api("acme", "settlement-runs/"), {"period": "2026-q1"},
                                                     format="json")  # fmt: skip

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["period"] == "2026-Q1" and body["status"] == "pending"
    assert response["Location"].endswith(f"/settlement-runs/{body['id']}/")
    finished = api(acme.member("viewer")).get(tenant_api("acme", f"settlement-runs/{body['id']}/")).json()
    assert finished["status"] == "succeeded" and finished["progress"] == 100
    assert (finished["statements_count"], finished["lines_count"], finished["total"]) == (1, 1, "18000.00")
    assert finished["started_by"] == acme.member("finance").user.email


def test_a_second_run_of_the_period_while_one_is_under_way_is_a_409(acme, api):
    finance = api(acme.member("finance"))
    first = finance.post(tenant_api("acme", "settlement-runs/"), {"period": "2026-Q1"}, format="json")
    assert first.status_code == 202  # its task waits for the commit that never comes in a test

    second = finance.post(tenant_api("acme", "settlement-runs/"), {"period": "2026-Q1"}, format="json")

    assert second.status_code == 409 and second.json()["code"] == "conflict"
    assert SettlementRun.objects.count() == 1


def test_a_running_run_shows_its_live_progress(acme, api):
    run = SettlementRun.objects.create(period="2026-Q1", starts_on="2026-01-01", ends_on="2026-03-31",
                                       status="running")  # fmt: skip
    progress_publish(tenant_id=acme.tenant.pk, kind="settlement", pk=run.pk, done=50, total=100)

    body = api(acme.member("viewer")).get(tenant_api("acme", f"settlement-runs/{run.pk}/")).json()

    assert (body["status"], body["progress"]) == ("running", 50)


def test_a_failed_run_says_why_without_the_traceback(acme, api):
    run = SettlementRun.objects.create(period="2026-Q1", starts_on="2026-01-01", ends_on="2026-03-31",
                                       status="failed", error="ValueError: bad brackets\n\nTraceback …")  # fmt: skip
    body = api(acme.member("finance")).get(tenant_api("acme", f"settlement-runs/{run.pk}/")).json()
    assert body["error"] == "ValueError: bad brackets"


@pytest.mark.parametrize(("payload", "field"), [({}, "period"), ({"period": "2026-13"}, "period"),
                                                ({"period": "Q1"}, "period")])  # fmt: skip
def test_a_run_of_a_bad_period_is_a_400_naming_the_field(acme, api, payload, field):
    response = api(acme.member("admin")).post(tenant_api("acme", "settlement-runs/"), payload, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not SettlementRun.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "risk", "channel_manager"])
def test_vendor_members_read_runs_but_only_finance_and_admins_start_them(acme, api, role):
    client = api(acme.member(role))
    assert client.get(tenant_api("acme", "settlement-runs/")).status_code == 200
    assert client.post(tenant_api("acme", "settlement-runs/"), {"period": "2026-Q1"}, format="json").status_code == 403
    assert not SettlementRun.objects.exists()


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_runs_are_not_for_partners(acme, api, role):
    assert api(acme.member(role)).get(tenant_api("acme", "settlement-runs/")).status_code == 403


# --- statements ---------------------------------------------------------------------------------


def test_a_statement_comes_with_its_lines_explained_and_its_history(drafts, api):
    response = api(drafts.member("finance")).get(statements_url(f"{drafts.statement.pk}/"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert (body["partner"], body["period"], body["status"], body["total"], body["currency"]) == (
        "ACME-OWN", "2026-Q1", "draft", "18000.00", "CNY")  # fmt: skip
    (line,) = body["lines"]
    assert (line["kind"], line["source_code"], line["source_version"], line["basis"], line["rate_percent"],
            line["amount"]) == ("rebate", "RETRO", 1, "600000.00", "3.0000", "18000.00")  # fmt: skip
    assert line["source"] == "Program RETRO (RETRO) v1"
    assert "3% of ¥600,000.00 sales in Q1 2026" in line["explanation"]
    assert [event["action"] for event in body["events"]] == ["computed"]
    assert body["last_changed_by"] == drafts.member("finance").user.email


def test_the_explanations_follow_the_language_asked_for(drafts, api):
    url = statements_url(f"{drafts.statement.pk}/")
    chinese = api(drafts.member("viewer")).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = api(drafts.member("viewer")).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert CHINESE.search(chinese["lines"][0]["explanation"]) and CHINESE.search(chinese["period_label"])
    assert not CHINESE.search(english["lines"][0]["explanation"]) and english["period_label"] == "Q1 2026"


def test_statements_filter_by_period_partner_and_status(drafts, api):
    load("sales", {"partner": "ACME-OWN", "date": "2026-04-15", "customer": "甲", "amount": "1000"})
    compute("2026-Q2")
    statement_approve(statement=drafts.other_statement, actor=drafts.member("finance").user)
    client = api(drafts.member("viewer"))

    def ids(query):
        response = client.get(statements_url(query))
        assert response.status_code == 200, response.content
        return sorted((row["partner"], row["period"]) for row in response.json()["results"])

    assert ids("") == [("ACME-OTHER", "2026-Q1"), ("ACME-OWN", "2026-Q1"), ("ACME-OWN", "2026-Q2")]
    assert ids("?period=2026-q1") == [("ACME-OTHER", "2026-Q1"), ("ACME-OWN", "2026-Q1")]
    assert ids("?partner=acme-own") == [("ACME-OWN", "2026-Q1"), ("ACME-OWN", "2026-Q2")]
    assert ids("?status=approved") == [("ACME-OTHER", "2026-Q1")]
    assert ids("?search=other partner") == [("ACME-OTHER", "2026-Q1")]
    assert client.get(statements_url("?period=2026-13")).status_code == 400
    assert client.get(statements_url("?status=sideways")).status_code == 400


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partners_see_only_their_own_statements_and_another_partners_is_a_404(drafts, api, role):
    client = api(drafts.member(role))
    listed = client.get(statements_url())
    assert [row["partner"] for row in listed.json()["results"]] == ["ACME-OWN"]
    assert "ACME-OTHER" not in listed.content.decode()
    assert client.get(statements_url(f"{drafts.other_statement.pk}/")).status_code == 404
    own = client.get(statements_url(f"{drafts.statement.pk}/")).json()
    assert own["last_changed_by"] is None and own["events"][0]["actor"] is None  # the vendor's people stay its own


def test_another_tenants_statement_is_a_404(drafts, api, world):
    assert api(world["globex"].member("admin")).get(
        tenant_api("globex", f"statements/{drafts.statement.pk}/")).status_code == 404  # fmt: skip


def _partners_with_statements(count: int) -> None:
    tier = Tier.objects.get(code="ordinary")
    partners = Partner.objects.bulk_create(
        [Partner(code=f"Q{count}-{n}", name=f"Q {n}", kind=PartnerKind.AGENT, tier=tier, status="active")
         for n in range(count)]
    )  # fmt: skip
    load("sales", *[{"partner": p.code, "date": "2026-02-01", "customer": "C", "amount": "1000"} for p in partners])
    compute()


def _queries_of_the_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(statements_url("?page_size=100"))
    assert response.status_code == 200
    return len(queries)


def test_the_statement_list_takes_the_same_queries_for_3_and_30_statements(acme, api):
    program("RETRO")
    client = api(acme.member("finance"))
    _partners_with_statements(3)
    small = _queries_of_the_list(client)
    _partners_with_statements(27)
    assert Statement.objects.count() == 30
    assert _queries_of_the_list(client) == small


# --- transitions --------------------------------------------------------------------------------


def test_finance_approves_then_marks_paid_over_the_api(drafts, api):
    client = api(drafts.member("finance"))
    approved = client.post(statements_url(f"{drafts.statement.pk}/approve/"), {}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == drafts.member("finance").user.email

    paid = client.post(statements_url(f"{drafts.statement.pk}/mark-paid/"), {"payment_reference": "TT-7"},
                       format="json")  # fmt: skip

    assert paid.status_code == 200 and paid.json()["status"] == "paid" and paid.json()["payment_reference"] == "TT-7"
    assert [event["action"] for event in paid.json()["events"]] == ["computed", "approved", "paid"]


def test_a_partner_admin_disputes_and_finance_resolves_over_the_api(drafts, api):
    line = StatementLine.objects.get(statement=drafts.statement)
    disputed = api(drafts.member("partner_admin")).post(
        statements_url(f"{drafts.statement.pk}/dispute/"), {"reason": "漏了三月", "line": line.pk}, format="json"
    )
    assert disputed.status_code == 200, disputed.content
    assert disputed.json()["status"] == "disputed" and disputed.json()["dispute_reason"] == "漏了三月"
    assert disputed.json()["events"][-1]["actor"] == drafts.member("partner_admin").user.email  # its own dispute

    resolved = api(drafts.member("finance")).post(statements_url(f"{drafts.statement.pk}/resolve/"),
                                                  {"note": "已补"}, format="json")  # fmt: skip
    assert resolved.status_code == 200 and resolved.json()["status"] == "draft"


def test_an_adjustment_over_the_api_is_a_201_with_the_new_total(drafts, api):
    response = api(drafts.member("finance")).post(
        statements_url(f"{drafts.statement.pk}/adjustments/"), {"amount": "-250.50", "reason": "退货"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == "17749.50"
    adjustment = next(line for line in body["lines"] if line["kind"] == "adjustment")
    assert (adjustment["amount"], adjustment["explanation"]) == ("-250.50", "退货")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"amount": "0", "reason": "零"}, "amount"), ({"amount": "1.234", "reason": "x"}, "amount"),
     ({"amount": "1e20", "reason": "x"}, "amount"), ({"amount": "10"}, "reason"), ({"reason": "x"}, "amount")],
)  # fmt: skip
def test_a_bad_adjustment_is_a_400_naming_the_field_and_nothing_changes(drafts, api, payload, field):
    before = unchanged(drafts.statement)
    response = api(drafts.member("finance")).post(statements_url(f"{drafts.statement.pk}/adjustments/"), payload,
                                                  format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert unchanged(drafts.statement) == before


def test_a_refused_move_is_a_409_with_a_reason_and_nothing_changes(drafts, api):
    client = api(drafts.member("finance"))
    client.post(statements_url(f"{drafts.statement.pk}/approve/"), {}, format="json")
    before = unchanged(drafts.statement)
    moves = [("approve/", {}), ("resolve/", {"note": "x"}), ("adjustments/", {"amount": "5", "reason": "x"})]
    for path, payload in moves:
        response = client.post(statements_url(f"{drafts.statement.pk}/{path}"), payload, format="json")
        assert response.status_code == 409, (path, response.content)
        assert response.json()["code"] == "transition_refused" and response.json()["message"]
    assert unchanged(drafts.statement) == before


def test_a_partner_user_may_not_dispute_403_and_another_partners_admin_gets_a_404(drafts, api):
    before = unchanged(drafts.statement), unchanged(drafts.other_statement)
    refused = api(drafts.member("partner_user")).post(statements_url(f"{drafts.statement.pk}/dispute/"),
                                                      {"reason": "不对"}, format="json")  # fmt: skip
    assert refused.status_code == 403
    hidden = api(drafts.member("partner_admin")).post(statements_url(f"{drafts.other_statement.pk}/dispute/"),
                                                      {"reason": "不对"}, format="json")  # fmt: skip
    assert hidden.status_code == 404 and "ACME-OTHER" not in hidden.content.decode()
    assert (unchanged(drafts.statement), unchanged(drafts.other_statement)) == before


@pytest.mark.parametrize("path", ["approve/", "resolve/", "mark-paid/", "adjustments/"])
@pytest.mark.parametrize("role", ["viewer", "partner_admin", "channel_manager"])
def test_readers_may_not_move_money_403(drafts, api, path, role):
    before = unchanged(drafts.statement)
    response = api(drafts.member(role)).post(statements_url(f"{drafts.statement.pk}/{path}"),
                                             {"note": "x", "payment_reference": "x", "amount": "1", "reason": "x"},
                                             format="json")  # fmt: skip
    assert response.status_code == 403
    assert unchanged(drafts.statement) == before


def test_maker_checker_over_the_api(drafts, api):
    drafts.tenant.two_approvals = True
    drafts.tenant.save(update_fields=["two_approvals"])
    url = statements_url(f"{drafts.statement.pk}/approve/")
    before = unchanged(drafts.statement)

    refused = api(drafts.member("finance")).post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 403 and refused.json()["code"] == "maker_checker"
    assert "another finance member" in refused.json()["message"]
    assert unchanged(drafts.statement) == before
    assert api(drafts.member("admin")).post(url, {}, format="json").status_code == 200


def test_the_schema_documents_the_idempotency_key_on_the_money_posts(world, client):
    client.force_login(world["acme"].member("admin").user)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]

    def headers(path):
        return [p["name"] for p in paths[path]["post"].get("parameters", []) if p["in"] == "header"]

    assert "Idempotency-Key" in headers("/api/v1/t/{tenant_slug}/settlement-runs/")
    assert "Idempotency-Key" in headers("/api/v1/t/{tenant_slug}/statements/{id}/approve/")
    assert "Idempotency-Key" in headers("/api/v1/t/{tenant_slug}/sales/bulk/")
    assert "Idempotency-Key" not in headers("/api/v1/t/{tenant_slug}/partners/")
