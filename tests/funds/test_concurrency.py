"""Two approvals at once can never overspend a fund: the second waits for the first's lock, then counts it."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from funds import services
from funds.errors import OverBudget
from funds.models import FundRequest
from tenancy.context import tenant_scope

from .helpers import fund, request


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_never_overspend_the_budget(world, monkeypatch):
    acme = world["acme"]
    with tenant_scope(acme.tenant):  # committed: the two approvals run in transactions of their own
        the_fund = fund(budget="5000.00")
        first_request = request(acme, the_fund, amount="3000.00")
        second_request = request(acme, the_fund, amount="3000.00", partner=acme.other)

    inside, release = threading.Event(), threading.Event()
    counted = services.approved_total

    def slow_total(fund):
        total = counted(fund)
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(timeout=10)  # the first approval holds the fund's lock while it decides
        return total

    monkeypatch.setattr(services, "approved_total", slow_total)
    outcomes: dict[str, object] = {}

    def approve(name: str, pending: FundRequest, member: str):
        try:
            with tenant_scope(acme.tenant):
                outcomes[name] = services.fund_request_approve(request=pending, actor=acme.member(member).user)
        except OverBudget as error:
            outcomes[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=approve, args=("first", first_request, "channel_manager"), name="first")
    first.start()
    assert inside.wait(timeout=10)
    second = threading.Thread(target=approve, args=("second", second_request, "admin"), name="second")
    second.start()
    deadline = time.monotonic() + 10
    while _waiting_on_a_lock() < 1 and time.monotonic() < deadline:  # the second waits on the fund's row
        time.sleep(0.05)
    assert _waiting_on_a_lock() == 1
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert isinstance(outcomes["first"], FundRequest) and outcomes["first"].status == "approved"
    assert isinstance(outcomes["second"], OverBudget)
    with tenant_scope(acme.tenant):
        statuses = dict(FundRequest.objects.values_list("pk", "status"))
        assert statuses == {first_request.pk: "approved", second_request.pk: "submitted"}
        assert services.approved_total(the_fund) == Decimal("3000.00") <= the_fund.budget
