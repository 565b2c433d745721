"""Leads made, offered, answered, lapsed, assigned by hand and closed, through the services, on PostgreSQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import services
from leads.errors import AnswerTooLate, LeadMoveRefused
from leads.inputs import settings_of_tenant
from leads.models import Assignment, Lead, LeadEvent, LeadStatus, Outcome
from leads.words import assignment_sentence
from notifications.models import Notification
from partners.models import Partner, PartnerStatus, Tier
from tenancy.roles import Role

from .helpers import REGION, new_lead, partner, score

pytestmark = pytest.mark.django_db


def test_a_new_lead_is_offered_to_the_best_candidate_and_the_assignment_says_why(acme):
    # given
    first, second = partner("SW-0007"), partner("SW-0012")
    score(first, "81.20")
    score(second, "60.00")
    admin = acme.member(Role.ADMIN).user
    # when
    lead = new_lead(admin)
    # then
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED and lead.partner == first
    assignment = Assignment.objects.get(lead=lead)
    assert assignment.rule == "region_industry" and assignment.outcome == Outcome.PENDING
    assert [(c["partner"], c["score"], c["reason"]) for c in assignment.candidates] == [
        ("SW-0007", "81.20", "chosen"),
        ("SW-0012", "60.00", "lower_score"),
    ]
    assert lead.due_at - lead.offered_at == datetime.timedelta(hours=48)
    assert assignment_sentence(assignment) == (
        "Offered to SW-0007: region and industry match, score 81.20, highest of 2."
    )
    assert list(LeadEvent.objects.filter(lead=lead).values_list("action", flat=True)) == ["created", "offered"]


def test_the_trail_names_those_left_out_and_why(acme):
    chosen, full = partner("SW-0007"), partner("SW-0012")
    score(chosen, "81.20")
    score(full, "90.00")
    settings = settings_of_tenant()
    settings.cap = 1
    settings.save()
    new_lead(company="First")  # goes to SW-0012 (the higher score), which is then at the cap
    lead = new_lead(company="Second")
    assignment = Assignment.objects.get(lead=lead)
    assert assignment_sentence(assignment) == (
        "Offered to SW-0007: region and industry match, score 81.20, the only one eligible; "
        "SW-0012 left out: cap reached."
    )


def test_a_lead_nobody_can_take_waits_for_a_person_with_the_reason(acme):
    lead = new_lead(region="西北")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNASSIGNED and lead.partner is None
    assert lead.unassigned_reason == "no_partner_in_region"
    assert assignment_sentence(Assignment.objects.get(lead=lead)) == (
        "Left unassigned: no active partner in the lead's region."
    )


def test_a_decline_moves_the_lead_on_to_the_next_partner_and_tells_the_vendor(acme, django_capture_on_commit_callbacks):
    first, second = partner("SW-0001"), partner("SW-0002")
    score(first, "90")
    score(second, "50")
    lead = new_lead()
    admin_user = acme.member(Role.PARTNER_ADMIN).user
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_decline(lead=lead, actor=admin_user, partner=first, reason="Too far from our office")
    lead.refresh_from_db()
    assert lead.partner == second and lead.status == LeadStatus.OFFERED
    trail = list(Assignment.objects.filter(lead=lead).order_by("id"))
    assert [(a.partner.code, a.outcome) for a in trail] == [("SW-0001", "declined"), ("SW-0002", "pending")]
    assert trail[0].outcome_reason == "Too far from our office"
    assert {c["partner"]: c["reason"] for c in trail[1].candidates} == {"SW-0002": "chosen", "SW-0001": "declined"}
    assert trail[1].trigger == "declined"
    notice = Notification.objects.get(event="lead_declined", recipient=acme.member(Role.CHANNEL_MANAGER))
    assert "SW-0001" in notice.subject and "Too far from our office" in notice.body


def test_a_partner_cannot_answer_a_lead_offered_to_another(acme):
    mine, theirs = partner("SW-0001"), partner("SW-0002")
    score(mine, "90")
    lead = new_lead()
    with pytest.raises(LeadMoveRefused):
        services.lead_accept(lead=lead, actor=None, partner=theirs)
    with pytest.raises(LeadMoveRefused):
        services.lead_decline(lead=lead, actor=None, partner=theirs, reason="not ours")
    lead.refresh_from_db()
    assert lead.partner == mine and lead.status == LeadStatus.OFFERED


def test_a_decline_needs_a_reason(acme):
    only = partner("SW-0001")
    lead = new_lead()
    with pytest.raises(ValidationError):
        services.lead_decline(lead=lead, actor=None, partner=only, reason="  ")
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.OFFERED


def test_the_last_candidate_declining_leaves_the_lead_unassigned_with_the_reason(acme):
    only = partner("SW-0001")
    lead = new_lead()
    services.lead_decline(lead=lead, actor=None, partner=only, reason="No capacity")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNASSIGNED and lead.unassigned_reason == "all_left_out"


def test_an_offer_not_answered_in_time_lapses_and_moves_on_and_a_second_run_does_nothing(
    acme, django_capture_on_commit_callbacks
):
    first, second = partner("SW-0001"), partner("SW-0002")
    score(first, "90")
    lead = new_lead()
    later = timezone.now() + datetime.timedelta(hours=49)
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.leads_lapse(now=later)
    assert summary == {"lapsed": 1, "offered": 1, "unassigned": 0}
    lead.refresh_from_db()
    assert lead.partner == second
    assert list(Assignment.objects.filter(lead=lead).order_by("id").values_list("outcome", flat=True)) == [
        "lapsed",
        "pending",
    ]
    assert Notification.objects.filter(event="lead_lapsed", recipient=acme.member(Role.ADMIN)).exists()
    assert services.leads_lapse(now=later) == {"lapsed": 0, "offered": 0, "unassigned": 0}


def test_an_answer_after_the_time_is_refused(acme):
    only = partner("SW-0001")
    lead = new_lead()
    Lead.objects.filter(pk=lead.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(AnswerTooLate):
        services.lead_accept(lead=lead, actor=None, partner=only)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.OFFERED


def test_accept_then_won_or_lost_and_nothing_after(acme):
    only = partner("SW-0001")
    won, lost = new_lead(company="A"), new_lead(company="B")
    for lead in (won, lost):
        services.lead_accept(lead=lead, actor=None, partner=only)
    services.lead_close(lead=won, actor=None, won=True, partner=only)
    services.lead_close(lead=lost, actor=None, won=False, reason="Budget cut")
    assert Lead.objects.get(pk=won.pk).status == LeadStatus.WON
    assert Lead.objects.get(pk=lost.pk).status == LeadStatus.LOST
    assert LeadEvent.objects.get(lead=lost, action="lost").note == "Budget cut"
    with pytest.raises(LeadMoveRefused):
        services.lead_close(lead=won, actor=None, won=False)
    with pytest.raises(LeadMoveRefused):
        services.lead_assign(lead=won, actor=None, partner=only)


def test_an_offered_lead_cannot_be_closed_before_it_is_accepted(acme):
    partner("SW-0001")
    lead = new_lead()
    with pytest.raises(LeadMoveRefused):
        services.lead_close(lead=lead, actor=None, won=True)


def test_assigning_by_hand_withdraws_the_waiting_offer_and_records_the_person(acme):
    first, second = partner("SW-0001"), partner("SW-0002")
    score(first, "90")
    lead = new_lead()
    manager = acme.member(Role.CHANNEL_MANAGER).user
    services.lead_assign(lead=lead, actor=manager, partner=second, note="Knows the customer")
    lead.refresh_from_db()
    assert lead.partner == second
    trail = list(Assignment.objects.filter(lead=lead).order_by("id"))
    assert [(a.rule, a.outcome) for a in trail] == [("region_industry", "withdrawn"), ("manual", "pending")]
    assert trail[1].actor == manager
    assert LeadEvent.objects.get(lead=lead, action="assigned").note == "Knows the customer"


def test_only_an_active_partner_is_assigned_by_hand(acme):
    partner("SW-0001")
    gone = partner("SW-0009", status=PartnerStatus.SUSPENDED)
    lead = new_lead()
    with pytest.raises(ValidationError):
        services.lead_assign(lead=lead, actor=None, partner=gone)


def test_assigning_without_a_partner_distributes_again_by_the_rules(acme):
    lead = new_lead()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.UNASSIGNED
    newcomer = partner("SW-0001")
    services.lead_assign(lead=lead, actor=None)
    assert Lead.objects.get(pk=lead.pk).partner == newcomer


def test_a_partner_that_let_the_lead_lapse_is_not_offered_it_again(acme):
    first = partner("SW-0001")
    score(first, "90")
    lead = new_lead()
    services.leads_lapse(now=timezone.now() + datetime.timedelta(hours=49))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNASSIGNED
    assert Assignment.objects.filter(lead=lead).order_by("-id").first().candidates[0]["reason"] == "lapsed"


def test_a_batch_counts_its_own_offers_against_the_cap_and_the_rotation(acme):
    a, b = partner("SW-A"), partner("SW-B")
    settings = settings_of_tenant()
    settings.cap = 2
    settings.save()
    rows = [{"company": f"C{i}", "region": REGION, "industry": "制造", "value": Decimal("1")} for i in range(5)]
    done = services.leads_create_batch(actor=None, rows=rows)
    assert (done.offered, done.unassigned) == (4, 1)
    holders = list(Lead.objects.filter(company__startswith="C").order_by("id").values_list("partner__code", flat=True))
    assert holders == ["SW-A", "SW-B", "SW-A", "SW-B", None]
    assert {p.code: Lead.objects.filter(partner=p).count() for p in (a, b)} == {"SW-A": 2, "SW-B": 2}


def _bulk_partners(count: int, prefix: str) -> None:
    tier = Tier.objects.get(code="ordinary")
    Partner.objects.bulk_create(
        [
            Partner(code=f"{prefix}-{i:04d}", name=f"Bulk {prefix} {i}", kind="reseller", tier=tier, status="active",
                    region=REGION, industries=["制造", "零售"][: 1 + i % 2])
            for i in range(count)
        ]
    )  # fmt: skip


def _queries_for_batch(tag: str) -> int:
    rows = [{"company": f"{tag}{i}", "region": REGION, "industry": "制造", "value": Decimal("1")} for i in range(10)]
    with CaptureQueriesContext(connection) as queries:
        services.leads_create_batch(actor=None, rows=rows)
    return len(queries)


@pytest.mark.parametrize("sizes", [(20, 200)])
def test_a_batch_takes_the_same_number_of_queries_for_20_and_200_partners(acme, sizes):
    settings_of_tenant()
    small, large = sizes
    _bulk_partners(small, "Q1")
    few = _queries_for_batch("few")
    _bulk_partners(large - small, "Q2")
    many = _queries_for_batch("many")
    assert few == many
    assert few <= 25  # the inputs, the writes and the notices, whatever the size


def test_the_lapse_takes_the_same_number_of_queries_for_2_and_20_lapsed_offers(acme):
    settings_of_tenant()
    _bulk_partners(30, "LP")
    later = timezone.now() + datetime.timedelta(hours=49)
    counts = []
    for size in (2, 20):
        services.leads_create_batch(
            actor=None, rows=[{"company": f"L{size}-{i}", "region": REGION, "industry": "制造"} for i in range(size)]
        )
        with CaptureQueriesContext(connection) as queries:
            summary = services.leads_lapse(now=later)
        assert summary["lapsed"] == size
        counts.append(len(queries))
        later += datetime.timedelta(hours=49)
        Lead.objects.filter(status="offered").update(status="accepted")  # out of the next lapse
    assert counts[0] == counts[1]


def test_settings_are_checked(acme):
    with pytest.raises(ValidationError):
        services.lead_settings_update(actor=None, cap=0, sla_hours=48)
    with pytest.raises(ValidationError):
        services.lead_settings_update(actor=None, cap=5, sla_hours=10**6)
    changed = services.lead_settings_update(actor=None, cap=3, sla_hours=24)
    assert (changed.cap, changed.sla_hours) == (3, 24)


def test_the_partners_members_hear_of_a_lead_offered_to_them_in_the_tenants_language(acme):
    acme.own.region, acme.own.industries = REGION, ["制造"]
    acme.own.save(update_fields=["region", "industries"])
    lead = new_lead(company="华夏制造有限公司")
    notices = Notification.objects.filter(event="lead_offered")
    assert {notice.recipient.role for notice in notices} == {Role.PARTNER_ADMIN, Role.PARTNER_USER}
    notice = notices.first()
    assert (
        notice.subject == "新线索分配给您：华夏制造有限公司" or "华夏制造有限公司" in notice.subject
    )  # zh once merged
    assert notice.url == f"/t/acme/leads/{lead.pk}/"
    assert not Notification.objects.filter(event="lead_offered", recipient=acme.member(Role.ADMIN)).exists()
