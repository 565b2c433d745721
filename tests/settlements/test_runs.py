"""Settlement runs (SPEC §4.6): every line as the spec computes it, exactly once, approved statements untouched."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from common.errors import Conflict
from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from settlements.models import SettlementRun, Statement, StatementEvent, StatementLine
from settlements.services.runs import settlement_run_start, write_statements
from tests.facts.helpers import load

from .helpers import agreement, program

D = Decimal


def run(tenant_world, period="2026-Q1", capture=None):
    finance = tenant_world.member("finance").user
    with capture(execute=True):
        started = settlement_run_start(period=period, actor=finance)
    started.refresh_from_db()
    return started


def lines_of(partner_code: str) -> dict:
    return {
        (line.kind, line.source_code): line
        for line in StatementLine.objects.filter(statement__partner__code=partner_code)
    }


@pytest.fixture
def quarter(acme):
    """ACME-OWN sells 600,000 in Q1 (one sale with a cost) and writes off 1,000; ACME-OTHER sells 50,000."""
    load(
        "sales",
        {"partner": "ACME-OWN", "date": "2026-01-15", "customer": "甲", "amount": "400000", "cost": "300000"},
        {"partner": "ACME-OWN", "date": "2026-03-31", "customer": "乙", "amount": "200000"},
        {"partner": "ACME-OWN", "date": "2026-04-01", "customer": "丙", "amount": "999999"},  # Q2: not counted
        {"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "丁", "amount": "50000"},
    )
    load("writeoffs", {"partner": "ACME-OWN", "date": "2026-02-10", "amount": "1000", "reason": "坏账"})
    load("payments", {"partner": "ACME-OWN", "date": "2026-02-11", "amount": "150000"})
    return acme


def test_a_run_pays_the_specs_example_with_profit_and_loss_share(quarter, django_capture_on_commit_callbacks):
    program("RETRO")
    program("INCR", method="incremental")
    program("COLLECT", basis="collections")
    agreement("PS", rates=[{"tier": "ordinary", "rate_percent": "10"}], loss_share_percent="5")

    finished = run(quarter, capture=django_capture_on_commit_callbacks)

    assert finished.status == SettlementRun.Status.SUCCEEDED
    own = lines_of("ACME-OWN")
    assert own[("rebate", "RETRO")].amount == D("18000.00")
    assert own[("rebate", "INCR")].amount == D("12000.00")
    assert own[("rebate", "COLLECT")].amount == D("3000.00")  # 150,000 collected at 2%
    assert own[("profit_share", "PS")].amount == D("10000.00")  # 10% of the 100,000 margin
    assert own[("loss_share", "PS")].amount == D("-50.00")
    assert own[("rebate", "RETRO")].rate_percent == D("3") and own[("rebate", "RETRO")].source_version == 1
    statement = Statement.objects.get(partner__code="ACME-OWN", period="2026-Q1")
    assert statement.total == sum(line.amount for line in own.values()) == D("42950.00")
    assert statement.status == "draft" and statement.currency == "CNY"
    other = lines_of("ACME-OTHER")
    assert other[("rebate", "RETRO")].amount == D("500.00")
    assert ("rebate", "COLLECT") not in other  # 0.00 is not written
    assert other[("rebate", "INCR")].amount == D("500.00")
    assert finished.statements_count == 2 and finished.total == D("43950.00")


def test_every_line_says_in_words_how_it_was_made(quarter, django_capture_on_commit_callbacks):
    program("RETRO")
    program("INCR", method="incremental")
    run(quarter, capture=django_capture_on_commit_callbacks)
    own = lines_of("ACME-OWN")
    retro = own[("rebate", "RETRO")].explanation
    assert "3%" in retro and "¥600,000.00" in retro and "¥500,000.00" in retro  # the tenant's language: 中文
    incremental = own[("rebate", "INCR")].explanation
    assert "1%" in incremental and "2%" in incremental and "3%" in incremental and "¥12,000.00" in incremental


def test_running_the_period_again_changes_nothing_and_duplicates_nothing(quarter, django_capture_on_commit_callbacks):
    program("RETRO")
    agreement("PS")
    run(quarter, capture=django_capture_on_commit_callbacks)
    before = sorted(StatementLine.objects.values_list("id", "statement_id", "kind", "source_code", "amount"))
    statements = sorted(Statement.objects.values_list("id", "total"))

    again = run(quarter, capture=django_capture_on_commit_callbacks)

    assert again.status == SettlementRun.Status.SUCCEEDED
    assert sorted(StatementLine.objects.values_list("id", "statement_id", "kind", "source_code", "amount")) == before
    assert sorted(Statement.objects.values_list("id", "total")) == statements
    assert not StatementEvent.objects.filter(action="recomputed").exists()  # nothing changed: nothing to record
    assert again.statements_count == len(statements)


def test_a_recompute_follows_the_facts_and_keeps_the_adjustments(quarter, django_capture_on_commit_callbacks):
    program("RETRO")
    run(quarter, capture=django_capture_on_commit_callbacks)
    statement = Statement.objects.get(partner__code="ACME-OWN")
    StatementLine.objects.create(statement=statement, kind="adjustment", amount=D("-100.00"), reason="多付")
    load("sales", {"partner": "ACME-OWN", "date": "2026-03-01", "customer": "戊", "amount": "-500000"})  # a return

    run(quarter, capture=django_capture_on_commit_callbacks)

    own = lines_of("ACME-OWN")
    assert StatementEvent.objects.filter(statement=statement, action="recomputed").count() == 1
    assert own[("rebate", "RETRO")].amount == D("2000.00")  # 100,000 at 2%
    assert own[("adjustment", "")].amount == D("-100.00")
    assert Statement.objects.get(pk=statement.pk).total == D("1900.00")


def test_an_approved_statement_is_left_as_it_is_and_the_database_refuses_to_change_it(
    quarter, django_capture_on_commit_callbacks
):
    program("RETRO")
    run(quarter, capture=django_capture_on_commit_callbacks)
    statement = Statement.objects.get(partner__code="ACME-OWN")
    Statement.objects.filter(pk=statement.pk).update(status="approved")
    load("sales", {"partner": "ACME-OWN", "date": "2026-03-01", "customer": "戊", "amount": "100000"})

    again = run(quarter, capture=django_capture_on_commit_callbacks)

    assert again.skipped_count == 1
    assert Statement.objects.get(pk=statement.pk).total == D("18000.00")
    for sql in [
        "UPDATE settlements_statement SET total = 1 WHERE id = %s",
        "DELETE FROM settlements_statement WHERE id = %s",
        "UPDATE settlements_statementline SET amount = 1 WHERE statement_id = %s",
        "DELETE FROM settlements_statementline WHERE statement_id = %s",
        "INSERT INTO settlements_statementline (tenant_id, statement_id, kind, source_code, amount, explanation,"
        " details, reason, created_at, updated_at) SELECT tenant_id, id, 'adjustment', '', 1, '', '{}', '', now(),"
        " now() FROM settlements_statement WHERE id = %s",
    ]:
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [statement.pk])
    assert Statement.objects.get(pk=statement.pk).total == D("18000.00")
    # The one move left: approved → paid, nothing else touched.
    Statement.objects.filter(pk=statement.pk).update(status="paid", payment_reference="TT-1")
    assert Statement.objects.get(pk=statement.pk).status == "paid"


def test_eligibility_is_the_tier_and_status_on_the_periods_last_day(quarter, django_capture_on_commit_callbacks):
    import datetime

    from partners.services import partner_change_status, partner_change_tier

    program("CORE-ONLY", tiers=["core"])
    admin = quarter.member("admin").user
    own = Partner.objects.get(code="ACME-OWN")
    partner_change_tier(partner=own, tier=Tier.objects.get(code="core"), effective_on=datetime.date(2026, 3, 31),
                        reason="升级", actor=admin)  # fmt: skip
    other = Partner.objects.get(code="ACME-OTHER")
    partner_change_tier(partner=other, tier=Tier.objects.get(code="core"), effective_on=datetime.date(2026, 4, 1),
                        reason="升级", actor=admin)  # fmt: skip
    partner_change_status(partner=own, status=PartnerStatus.SUSPENDED, effective_on=datetime.date(2026, 4, 2),
                          reason="暂停", actor=admin)  # fmt: skip

    run(quarter, capture=django_capture_on_commit_callbacks)

    assert lines_of("ACME-OWN")[("rebate", "CORE-ONLY")].amount == D("18000.00")  # core and active on 03-31
    assert lines_of("ACME-OTHER") == {}  # core only from 04-01


def test_two_runs_of_one_period_cannot_be_under_way_together(quarter):
    finance = quarter.member("finance").user
    settlement_run_start(period="2026-Q1", actor=finance)  # queued: its task runs after the commit
    with pytest.raises(Conflict):
        settlement_run_start(period="2026-Q1", actor=finance)
    assert SettlementRun.objects.filter(period="2026-Q1").count() == 1


def test_a_run_whose_worker_died_is_marked_failed_and_the_period_can_run_again(
    quarter, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from settlements.services.runs import settlement_runs_expire

    program("RETRO")
    dead = SettlementRun.objects.create(period="2026-Q1", starts_on=datetime.date(2026, 1, 1),
                                        ends_on=datetime.date(2026, 3, 31), status="running")  # fmt: skip
    SettlementRun.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    finished = run(quarter, capture=django_capture_on_commit_callbacks)  # starting a run sweeps the dead one first
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.error
    assert finished.status == "succeeded"
    assert settlement_runs_expire() == 0


def test_a_task_delivered_twice_computes_once(quarter, django_capture_on_commit_callbacks):
    from settlements.tasks import run_settlement

    program("RETRO")
    finished = run(quarter, capture=django_capture_on_commit_callbacks)
    events = StatementEvent.objects.count()
    run_settlement(quarter.tenant.pk, finished.pk)  # the same task again
    assert StatementEvent.objects.count() == events


def _partners(count: int) -> None:
    tier = Tier.objects.get(code="ordinary")
    partners = Partner.objects.bulk_create(
        [Partner(code=f"N{count}-{n}", name=f"N {n}", kind=PartnerKind.AGENT, tier=tier, status="active")
         for n in range(count)]
    )  # fmt: skip
    load("sales", *[{"partner": p.code, "date": "2026-02-01", "customer": "C", "amount": "1000", "cost": "100"}
                    for p in partners])  # fmt: skip
    load("writeoffs", *[{"partner": p.code, "date": "2026-02-01", "amount": "10"} for p in partners])


def _queries_of_a_run(count: int) -> int:
    from common.periods import Period
    from incentives.engine import period_lines

    _partners(count)
    with CaptureQueriesContext(connection) as queries:
        write_statements(period=Period.parse("2026-Q1"), lines=period_lines(Period.parse("2026-Q1")), run=None,
                         actor=None)  # fmt: skip
    return len(queries)


def test_the_queries_of_a_run_do_not_grow_with_the_partners(acme):
    program("RETRO")
    program("INCR", method="incremental")
    agreement("PS")
    with_20 = _queries_of_a_run(20)
    with_200 = _queries_of_a_run(180)  # 200 partners in all now
    assert with_20 == with_200
    assert Statement.objects.count() == 200


def test_a_program_with_categories_counts_only_those_sales(acme, django_capture_on_commit_callbacks):
    load(
        "sales",
        {
            "partner": "ACME-OWN",
            "date": "2026-01-10",
            "customer": "甲",
            "amount": "150000",
            "product_category": "云服务",
        },
        {
            "partner": "ACME-OWN",
            "date": "2026-01-11",
            "customer": "乙",
            "amount": "90000",
            "product_category": "服务器",
        },
        {
            "partner": "ACME-OWN",
            "date": "2026-01-12",
            "customer": "丙",
            "amount": "-20000",
            "product_category": "云服务",
        },
    )
    program("CLOUD", categories=["云服务", "软件许可"])
    run(acme, capture=django_capture_on_commit_callbacks)
    line = lines_of("ACME-OWN")[("rebate", "CLOUD")]
    assert (line.basis, line.rate_percent, line.amount) == (D("130000.00"), D("2"), D("2600.00"))  # 150,000 − 20,000
    assert "云服务" in line.explanation


# --- laws over real runs ----------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

amounts = st.decimals(min_value=D("-50000"), max_value=D("900000"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(own=st.lists(amounts, min_size=0, max_size=4), other=st.lists(amounts, min_size=0, max_size=4))
def test_statement_totals_are_their_lines_and_a_rerun_changes_nothing(acme, own, other):
    from common.periods import Period
    from incentives.engine import period_lines
    from incentives.models import RebateProgram

    if not RebateProgram.objects.exists():  # the examples share the test's transaction
        program("RETRO")
        program("INCR", method="incremental", cap="5000")
        agreement("PS")
    rows = [{"partner": "ACME-OWN", "date": "2026-02-01", "customer": "甲", "amount": str(a), "cost": "1"} for a in own]
    rows += [{"partner": "ACME-OTHER", "date": "2026-02-01", "customer": "乙", "amount": str(a)} for a in other]
    if rows:
        load("sales", *rows)
    quarter = Period.parse("2026-Q1")
    write_statements(period=quarter, lines=period_lines(quarter), run=None, actor=None)
    snapshot = sorted(StatementLine.objects.values_list("id", "amount", "explanation"))
    for statement in Statement.objects.prefetch_related("lines"):
        assert statement.total == sum((line.amount for line in statement.lines.all()), D("0"))
        assert all(line.amount != 0 for line in statement.lines.all())  # a line of 0.00 is not written
    write_statements(period=quarter, lines=period_lines(quarter), run=None, actor=None)
    assert sorted(StatementLine.objects.values_list("id", "amount", "explanation")) == snapshot
