"""The settlement pages through Django's test client, in both languages."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Partner, PartnerKind, Tier
from settlements.models import SettlementRun, Statement, StatementEvent, StatementLine
from settlements.services.statements import statement_approve, statement_dispute
from tests.facts.helpers import load

from .helpers import compute, program

D = Decimal
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def page_client(client):
    def client_for(membership, language: str = "zh-hans"):
        client.force_login(membership.user)
        client.cookies["django_language"] = language
        return client

    return client_for


def url(path: str) -> str:
    return f"/t/acme/settlements/{path}"


def unchanged(statement: Statement) -> tuple:
    row = Statement.objects.filter(pk=statement.pk).values().get()
    return row, StatementLine.objects.filter(statement=statement).count(), StatementEvent.objects.count()


# --- runs ---------------------------------------------------------------------------------------


def test_finance_starts_a_run_from_the_page_and_follows_it_to_its_outcome(
    acme, page_client, django_capture_on_commit_callbacks
):
    program("RETRO")
    load("sales", {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "600000"})
    client = page_client(acme.member("finance"), "en")
    assert 'action="/t/acme/settlements/runs/start/"' in client.get(url("runs/")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("runs/start/"), {"period": "2026-q1"})

    run = SettlementRun.objects.get()
    assert response.status_code == 302 and response["Location"] == url(f"runs/{run.pk}/")
    page = client.get(url(f"runs/{run.pk}/")).content.decode()
    assert "Finished" in page and "¥18,000.00" in page and "hx-get" not in page
    assert "Settlement run of Q1 2026" in page


def test_a_run_under_way_is_polled_and_a_failed_one_says_why(acme, page_client):
    running = SettlementRun.objects.create(period="2026-Q1", starts_on="2026-01-01", ends_on="2026-03-31",
                                           status="running")  # fmt: skip
    client = page_client(acme.member("viewer"), "en")
    partial = client.get(url(f"runs/{running.pk}/"), HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "settlements/_run_progress.html"
    assert 'hx-trigger="every 1s"' in partial.content.decode()

    failed = SettlementRun.objects.create(
        period="2026-Q2", starts_on="2026-04-01", ends_on="2026-06-30", status="failed",
        error="ValueError: no brackets\n\nTraceback (most recent…",
    )  # fmt: skip
    page = client.get(url(f"runs/{failed.pk}/")).content.decode()
    assert "ValueError: no brackets" in page and "Traceback" not in page
    listing = client.get(url("runs/")).content.decode()
    assert "Failed" in listing and "ValueError: no brackets" in listing


def test_a_bad_period_or_a_run_under_way_is_said_on_the_form(acme, page_client):
    client = page_client(acme.member("finance"), "en")
    bad = client.post(url("runs/start/"), {"period": "2026-13"})
    assert bad.status_code == 200 and "no month 13" in bad.content.decode()
    client.post(url("runs/start/"), {"period": "2026-Q1"})  # queued: its task waits for a commit
    again = client.post(url("runs/start/"), {"period": "2026-Q1"})
    assert again.status_code == 200 and "already under way" in again.content.decode()
    assert SettlementRun.objects.count() == 1


def test_viewers_read_runs_without_the_form_and_partners_may_not(acme, page_client):
    assert 'name="period"' not in page_client(acme.member("viewer"), "en").get(url("runs/")).content.decode()
    assert page_client(acme.member("partner_admin")).get(url("runs/")).status_code == 403


# --- statements ---------------------------------------------------------------------------------


def test_finance_lists_statements_with_partner_code_and_name_status_and_totals(drafts, page_client):
    statement_approve(statement=drafts.other_statement, actor=drafts.member("finance").user)
    page = page_client(drafts.member("finance"), "en").get(url("statements/")).content.decode()
    assert "ACME-OWN" in page and "Acme Own Partner" in page and "ACME-OTHER" in page and "Acme Other Partner" in page
    assert "¥18,500.00" in page  # the total of both
    assert "Approved" in page and "Draft" in page and "Q1 2026" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [("?status=approved", "ACME-OTHER", "ACME-OWN"), ("?search=own partner", "ACME-OWN", "ACME-OTHER"),
     ("?search=acme-oth", "ACME-OTHER", "ACME-OWN"), ("?period=2026-q2", None, "ACME-")],
)  # fmt: skip
def test_the_statement_list_filters_by_status_partner_and_period(drafts, page_client, query, shown, hidden):
    statement_approve(statement=drafts.other_statement, actor=drafts.member("finance").user)
    response = page_client(drafts.member("viewer"), "en").get(url(f"statements/{query}"))
    rows = [statement.partner.code for statement in response.context["object_list"]]
    assert (shown in rows) if shown else rows == []
    assert hidden not in " ".join(rows)


def test_a_bad_period_filter_says_what_is_wrong(drafts, page_client):
    response = page_client(drafts.member("viewer"), "en").get(url("statements/?period=2026-13"))
    assert response.status_code == 200 and "no month 13" in response.content.decode()
    assert list(response.context["object_list"]) == []


def test_a_statement_shows_each_line_explained_its_total_and_history(drafts, page_client):
    page = page_client(drafts.member("finance"), "en").get(url(f"statements/{drafts.statement.pk}/")).content.decode()
    assert "Acme Own Partner" in page and "ACME-OWN" in page and "Q1 2026" in page
    assert "Rebate" in page and "Program RETRO (RETRO) v1" in page
    assert "¥600,000.00" in page and "3%" in page and "¥18,000.00" in page
    assert "3% of ¥600,000.00 sales in Q1 2026" in page
    assert "Computed" in page and "Settlement run" in page
    assert f'action="/t/acme/settlements/statements/{drafts.statement.pk}/approve/"' in page
    assert "Add adjustment" in page and "Dispute" not in page


def test_the_statement_page_speaks_chinese_too(drafts, page_client):
    chinese = page_client(drafts.member("finance"), "zh-hans").get(url(f"statements/{drafts.statement.pk}/"))
    assert "2026 年第 1 季度" in chinese.content.decode()
    assert CHINESE.search(chinese.context["rows"][0]["explanation"])


def test_the_list_takes_the_same_queries_for_3_and_30_statements(acme, page_client):
    program("RETRO")
    client = page_client(acme.member("finance"), "en")

    def with_statements(count):
        tier = Tier.objects.get(code="ordinary")
        partners = Partner.objects.bulk_create(
            [Partner(code=f"P{count}-{n}", name=f"P {n}", kind=PartnerKind.AGENT, tier=tier, status="active")
             for n in range(count)]
        )  # fmt: skip
        load("sales", *[{"partner": p.code, "date": "2026-02-01", "customer": "C", "amount": "1000"} for p in partners])
        compute()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("statements/"))
        assert response.status_code == 200
        return len(queries), len(response.context["object_list"])

    small, shown_small = with_statements(3)
    large, shown_large = with_statements(27)
    assert (shown_small, shown_large) == (3, 30)
    assert small == large


# --- actions ------------------------------------------------------------------------------------


def test_finance_approves_from_the_statement_page(drafts, page_client):
    client = page_client(drafts.member("finance"), "en")
    response = client.post(url(f"statements/{drafts.statement.pk}/approve/"))
    assert response.status_code == 302 and response["Location"] == url(f"statements/{drafts.statement.pk}/")
    assert Statement.objects.get(pk=drafts.statement.pk).status == "approved"
    page = client.get(response["Location"]).content.decode()
    assert "Statement approved." in page and "Mark paid" in page and "Add adjustment" not in page


def test_a_refused_move_on_a_page_is_said_on_the_form_and_nothing_changes(drafts, page_client):
    before = unchanged(drafts.statement)
    response = page_client(drafts.member("finance"), "en").post(url(f"statements/{drafts.statement.pk}/mark-paid/"),
                                                                {"payment_reference": "TT-1"})  # fmt: skip
    assert response.status_code == 200 and "approve it first" in response.content.decode()
    assert unchanged(drafts.statement) == before


def test_finance_adds_an_adjustment_and_a_bad_amount_is_refused_on_the_form(drafts, page_client):
    client = page_client(drafts.member("finance"), "en")
    before = unchanged(drafts.statement)
    bad = client.post(url(f"statements/{drafts.statement.pk}/adjust/"), {"amount": "0", "reason": "零"})
    assert bad.status_code == 200 and "changes nothing" in bad.content.decode()
    assert unchanged(drafts.statement) == before

    good = client.post(url(f"statements/{drafts.statement.pk}/adjust/"), {"amount": "-500.00", "reason": "退货冲减"})

    assert good.status_code == 302
    assert Statement.objects.get(pk=drafts.statement.pk).total == D("17500.00")
    page = client.get(good["Location"]).content.decode()
    assert "退货冲减" in page and "-¥500.00" in page


def test_a_partner_admin_disputes_its_statement_about_one_line_and_finance_resolves_it(drafts, page_client):
    line = StatementLine.objects.get(statement=drafts.statement)
    partner = page_client(drafts.member("partner_admin"), "en")
    form = partner.get(url(f"statements/{drafts.statement.pk}/dispute/")).content.decode()
    assert f'value="{line.pk}"' in form

    response = partner.post(url(f"statements/{drafts.statement.pk}/dispute/"), {"reason": "三月漏算", "line": line.pk})

    assert response.status_code == 302
    assert Statement.objects.get(pk=drafts.statement.pk).status == "disputed"
    page = page_client(drafts.member("finance"), "en").get(url(f"statements/{drafts.statement.pk}/")).content.decode()
    assert "三月漏算" in page and "About the line Rebate · RETRO v1 · ¥18,000.00" in page
    assert "Resolve the dispute" in page
    resolved = page_client(drafts.member("finance"), "en").post(url(f"statements/{drafts.statement.pk}/resolve/"),
                                                                {"note": "已补算"})  # fmt: skip
    assert resolved.status_code == 302 and Statement.objects.get(pk=drafts.statement.pk).status == "draft"


def test_finance_marks_an_approved_statement_paid_from_its_page(drafts, page_client):
    statement_approve(statement=drafts.statement, actor=drafts.member("admin").user)
    response = page_client(drafts.member("finance"), "en").post(url(f"statements/{drafts.statement.pk}/mark-paid/"),
                                                                {"payment_reference": "TT-2026-9"})  # fmt: skip
    assert response.status_code == 302
    stored = Statement.objects.get(pk=drafts.statement.pk)
    assert (stored.status, stored.payment_reference) == ("paid", "TT-2026-9")


# --- the partner's side -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_our_statements_shows_the_partner_only_its_own(drafts, page_client, role):
    client = page_client(drafts.member(role), "en")
    page = client.get(url("statements/")).content.decode()
    assert "Our statements" in page and "¥18,000.00" in page
    assert "ACME-OTHER" not in page and "Acme Other Partner" not in page and "¥500.00" not in page
    assert client.get(url(f"statements/{drafts.other_statement.pk}/")).status_code == 404
    detail = client.get(url(f"statements/{drafts.statement.pk}/")).content.decode()
    assert "3% of ¥600,000.00 sales in Q1 2026" in detail
    assert drafts.member("finance").user.email not in detail  # the vendor's people stay the vendor's


def test_only_the_partner_admin_sees_the_dispute_action_and_a_partner_user_may_not_dispute(drafts, page_client):
    assert "Dispute" in page_client(drafts.member("partner_admin"), "en").get(
        url(f"statements/{drafts.statement.pk}/")).content.decode()  # fmt: skip
    user = page_client(drafts.member("partner_user"), "en")
    assert "Dispute" not in user.get(url(f"statements/{drafts.statement.pk}/")).content.decode()
    before = unchanged(drafts.statement)
    assert user.post(url(f"statements/{drafts.statement.pk}/dispute/"), {"reason": "x"}).status_code == 403
    assert unchanged(drafts.statement) == before


def test_another_partners_admin_cannot_dispute_its_statement(drafts, page_client):
    before = unchanged(drafts.other_statement)
    response = page_client(drafts.member("partner_admin")).post(url(f"statements/{drafts.other_statement.pk}/dispute/"),
                                                                 {"reason": "x"})  # fmt: skip
    assert response.status_code == 404
    assert unchanged(drafts.other_statement) == before


def test_a_partner_sees_its_own_dispute_in_the_history_but_not_the_vendors_people(drafts, page_client):
    statement_dispute(statement=drafts.statement, reason="不对", actor=drafts.member("partner_admin").user)
    page = page_client(drafts.member("partner_user"), "en").get(url(f"statements/{drafts.statement.pk}/")).content
    page = page.decode()
    assert drafts.member("partner_admin").user.email in page  # its own dispute
    assert "The vendor" in page and drafts.member("finance").user.email not in page  # who computed it


def test_the_navigation_leads_to_the_settlement_pages(drafts, page_client):
    vendor = page_client(drafts.member("viewer"), "en").get(url("statements/")).content.decode()
    assert "Settlements" in vendor and 'href="/t/acme/settlements/runs/"' in vendor
    partner = page_client(drafts.member("partner_user"), "en").get("/t/acme/").content.decode()
    assert 'href="/t/acme/settlements/statements/"' in partner and "Our statements" in partner
