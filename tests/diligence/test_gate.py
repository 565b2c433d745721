"""The gate: a partner moves prospect → onboarding → pilot → active only once due diligence allows it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.errors import PermissionDenied
from diligence import services as diligence_services
from partners import services as partner_services
from partners.errors import DiligenceIncomplete, StatusChangeRefused
from partners.models import Partner, StatusChange

from .helpers import DAY, VALID_TAX_ID, add_contract, in_pilot, item, prospect, ready_for_pilot, state, tick, today


def move(partner, status, **kwargs):
    kwargs.setdefault("effective_on", today())
    return partner_services.partner_change_status(partner=partner, status=status, **kwargs)


def test_a_prospect_without_a_valid_tax_id_is_refused_onboarding_with_the_item_named_and_nothing_changes(acme):
    # given
    partner = prospect()
    before = state(partner)
    # when
    with pytest.raises(DiligenceIncomplete) as refused:
        move(partner, "onboarding", actor=acme.member("channel_manager").user)
    # then
    assert item("tax_id").name in refused.value.message
    assert [missing["code"] for missing in refused.value.extra["missing"]] == ["tax_id"]
    assert state(partner) == before


def test_a_prospect_with_a_valid_tax_id_moves_to_onboarding_and_the_move_is_in_its_history(acme):
    partner = prospect(tax_id=VALID_TAX_ID)
    manager = acme.member("channel_manager").user

    partner = move(partner, "onboarding", actor=manager, reason="初筛通过")

    assert Partner.objects.get(pk=partner.pk).status == "onboarding"
    change = StatusChange.objects.get(partner=partner)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        "prospect", "onboarding", manager, "初筛通过",
    )  # fmt: skip


def test_the_pilot_needs_every_required_item_of_onboarding_and_the_pilot_listed_at_once(acme):
    partner = move(prospect(tax_id=VALID_TAX_ID), "onboarding")
    before = state(partner)

    with pytest.raises(DiligenceIncomplete) as refused:
        move(partner, "pilot", pilot_credit_limit=Decimal("1000"), pilot_ends_on=today() + 30 * DAY)

    assert [missing["code"] for missing in refused.value.extra["missing"]] == ["references", "contract"]
    for code in ("references", "contract"):
        assert item(code).name in refused.value.message
    assert state(partner) == before


def test_an_item_of_an_earlier_step_that_no_longer_holds_blocks_the_next_step(acme):
    # given: onboarded with a valid tax id, then the code was cleared
    partner = ready_for_pilot(prospect())
    partner = partner_services.partner_update(partner=partner, actor=None, tax_id="")
    # when / then
    with pytest.raises(DiligenceIncomplete) as refused:
        move(partner, "pilot", pilot_credit_limit=Decimal("1000"), pilot_ends_on=today() + 30 * DAY)
    assert [missing["code"] for missing in refused.value.extra["missing"]] == ["tax_id"]


def test_once_the_items_are_met_the_partner_enters_its_pilot_with_its_terms(acme):
    partner = ready_for_pilot(prospect())
    ends_on = today() + 90 * DAY

    partner = move(partner, "pilot", pilot_credit_limit=Decimal("80000.00"), pilot_ends_on=ends_on, reason="试点两城")

    partner = Partner.objects.get(pk=partner.pk)
    assert (partner.status, partner.pilot_credit_limit) == ("pilot", Decimal("80000.00"))
    assert partner.pilot_ends_on == ends_on


@pytest.mark.parametrize(
    ("terms", "fields"),
    [
        ({}, {"pilot_credit_limit", "pilot_ends_on"}),
        ({"pilot_credit_limit": Decimal("1000")}, {"pilot_ends_on"}),
        ({"pilot_ends_on": datetime.date(2999, 1, 1)}, {"pilot_credit_limit"}),
    ],
)
def test_entering_the_pilot_needs_its_credit_limit_and_end_date(acme, terms, fields):
    partner = ready_for_pilot(prospect())
    before = state(partner)

    with pytest.raises(ValidationError) as refused:
        move(partner, "pilot", **terms)

    assert set(refused.value.message_dict) == fields
    assert state(partner) == before


def test_a_pilot_cannot_end_on_or_before_the_day_it_starts(acme):
    partner = ready_for_pilot(prospect())
    before = state(partner)

    with pytest.raises(ValidationError) as refused:
        move(partner, "pilot", pilot_credit_limit=Decimal("1000"), pilot_ends_on=today())

    assert set(refused.value.message_dict) == {"pilot_ends_on"}
    assert state(partner) == before


def test_pilot_terms_set_on_the_partner_beforehand_are_enough_to_enter_the_pilot(acme):
    partner = ready_for_pilot(prospect())
    ends_on = today() + 30 * DAY
    partner = partner_services.partner_update(
        partner=partner, actor=None, pilot_credit_limit=Decimal("5000"), pilot_ends_on=ends_on
    )

    partner = move(partner, "pilot")

    assert partner.status == "pilot"


def test_a_partner_in_its_pilot_cannot_lose_its_pilot_terms(acme):
    partner = in_pilot(prospect())

    with pytest.raises(ValidationError) as refused:
        partner_services.partner_update(partner=partner, actor=None, pilot_ends_on=None)

    assert "pilot_ends_on" in refused.value.message_dict
    assert Partner.objects.get(pk=partner.pk).pilot_ends_on is not None


def test_leaving_the_pilot_for_active_needs_a_credit_limit_keeps_the_pilot_terms_and_is_recorded(acme):
    # given
    partner = in_pilot(prospect())
    terms = (partner.pilot_credit_limit, partner.pilot_ends_on)
    with pytest.raises(DiligenceIncomplete) as refused:
        move(partner, "active")
    assert [missing["code"] for missing in refused.value.extra["missing"]] == ["credit_limit"]
    # when: the optional site visit is still open
    partner = partner_services.partner_update(partner=partner, actor=None, credit_limit=Decimal("300000"))
    partner = move(partner, "active", reason="试点顺利", actor=acme.member("admin").user)
    # then
    partner = Partner.objects.get(pk=partner.pk)
    assert partner.status == "active"
    assert (partner.pilot_credit_limit, partner.pilot_ends_on) == terms
    last = StatusChange.objects.filter(partner=partner).order_by("-id").first()
    assert (last.from_status, last.to_status, last.reason) == ("pilot", "active", "试点顺利")


def test_an_onboarding_partner_cannot_skip_the_pilot_unless_the_tenant_allows_it(acme):
    # given: everything up to activation is met
    partner = ready_for_pilot(prospect())
    partner = partner_services.partner_update(partner=partner, actor=None, credit_limit=Decimal("300000"))
    before = state(partner)
    # when / then: refused while the tenant asks for a pilot
    with pytest.raises(StatusChangeRefused):
        move(partner, "active")
    assert state(partner) == before
    # and allowed once the tenant lets partners skip it
    diligence_services.tenant_pilot_setting_update(tenant=acme.tenant, partners_may_skip_pilot=True)
    partner = move(partner, "active")
    assert Partner.objects.get(pk=partner.pk).status == "active"


def test_skipping_the_pilot_still_needs_the_pilots_items(acme):
    diligence_services.tenant_pilot_setting_update(tenant=acme.tenant, partners_may_skip_pilot=True)
    partner = move(prospect(tax_id=VALID_TAX_ID, credit_limit=Decimal("1000")), "onboarding")

    with pytest.raises(DiligenceIncomplete) as refused:
        move(partner, "active")

    assert [missing["code"] for missing in refused.value.extra["missing"]] == ["references", "contract"]


def test_a_prospect_cannot_become_active_at_once(acme):
    partner = prospect(tax_id=VALID_TAX_ID, credit_limit=Decimal("1000"))
    before = state(partner)

    with pytest.raises(StatusChangeRefused):
        move(partner, "active")

    assert state(partner) == before


def test_an_item_no_longer_in_use_gates_nothing_and_an_optional_item_never_did(acme):
    partner = move(prospect(tax_id=VALID_TAX_ID), "onboarding")
    add_contract(partner)
    diligence_services.checklist_item_update(item=item("references"), is_active=False)

    partner = move(partner, "pilot", pilot_credit_limit=Decimal("1"), pilot_ends_on=today() + DAY)

    assert partner.status == "pilot"
    assert not item("site_visit").is_required


@pytest.mark.parametrize("status", ["suspended", "terminated"])
def test_suspending_or_terminating_needs_a_reason_and_nothing_changes_without_one(acme, status):
    before = state(acme.own)

    with pytest.raises(ValidationError) as refused:
        move(acme.own, status, reason="   ", actor=acme.member("admin").user)

    assert "reason" in refused.value.message_dict
    assert state(acme.own) == before


@pytest.mark.parametrize("status", ["suspended", "terminated"])
def test_the_reason_to_suspend_or_terminate_is_kept_in_the_history(acme, status):
    move(acme.own, status, reason="逾期回款未解决", actor=acme.member("risk").user)

    change = StatusChange.objects.get(partner=acme.own)
    assert (change.to_status, change.reason, change.changed_by) == (status, "逾期回款未解决", acme.member("risk").user)


def test_a_suspended_partner_goes_back_only_to_the_status_it_was_suspended_from(acme):
    # given: a pilot, suspended
    partner = in_pilot(prospect())
    partner = move(partner, "suspended", reason="试点期间逾期")
    before = state(partner)
    # when / then: not to active (that would skip the pilot's decision)
    with pytest.raises(StatusChangeRefused):
        move(partner, "active")
    assert state(partner) == before
    # back to the pilot, whose end date is still ahead
    assert move(partner, "pilot", reason="逾期已结清").status == "pilot"


def test_a_terminated_partner_stays_terminated(acme):
    partner = move(acme.own, "terminated", reason="合同到期")
    with pytest.raises(StatusChangeRefused):
        move(partner, "active")


def test_a_change_before_the_last_recorded_one_is_a_history_load(acme):
    partner = move(prospect(tax_id=VALID_TAX_ID), "onboarding", effective_on=today() - 10 * DAY)
    before = state(partner)

    with pytest.raises(ValidationError) as refused:
        move(partner, "terminated", reason="放弃", effective_on=today() - 20 * DAY)

    assert "effective_on" in refused.value.message_dict
    assert state(partner) == before


def test_an_administrator_loading_history_goes_around_the_workflow_and_the_checklist(acme):
    partner = prospect()
    admin = acme.member("admin").user

    partner = move(partner, "active", effective_on=today() - 400 * DAY, loading_history=True, actor=admin)
    partner = move(partner, "onboarding", effective_on=today() - 500 * DAY, loading_history=True, actor=admin)

    history = list(StatusChange.objects.filter(partner=partner).order_by("effective_on"))
    assert [(change.from_status, change.to_status) for change in history] == [
        ("prospect", "onboarding"), ("onboarding", "active"),
    ]  # fmt: skip
    assert Partner.objects.get(pk=partner.pk).status == "active"


def test_a_history_load_still_needs_a_reason_to_suspend_and_the_pilots_terms(acme):
    admin = acme.member("admin").user
    with pytest.raises(ValidationError):
        move(acme.own, "suspended", loading_history=True, actor=admin, effective_on=today() - 30 * DAY)
    with pytest.raises(ValidationError):
        move(prospect(), "pilot", loading_history=True, actor=admin, effective_on=today() - 30 * DAY)


def test_only_an_administrator_loads_history(acme):
    partner = prospect()
    before = state(partner)

    with pytest.raises(PermissionDenied):
        move(partner, "active", loading_history=True, actor=acme.member("channel_manager").user)

    assert state(partner) == before


def test_a_ticked_item_that_is_unticked_counts_as_missing_again(acme):
    partner = move(prospect(tax_id=VALID_TAX_ID), "onboarding")
    add_contract(partner)
    tick(partner, "references")
    diligence_services.partner_check_untick(partner=partner, item=item("references"), actor=None, reason="推荐人失联")

    with pytest.raises(DiligenceIncomplete) as refused:
        move(partner, "pilot", pilot_credit_limit=Decimal("1"), pilot_ends_on=today() + DAY)

    assert [missing["code"] for missing in refused.value.extra["missing"]] == ["references"]
