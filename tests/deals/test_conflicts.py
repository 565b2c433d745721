"""Registration and its conflicts (SPEC §4.8): by tax id and by name, as the vendor and each partner see them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.dates import tenant_today
from deals import selectors, services
from deals.errors import CustomerProtected, TransitionRefused
from deals.models import Deal, DealStatus
from notifications.models import Notification
from tests.conftest import tenant_api

from .helpers import OTHER_TAX_ID, TAX_ID, approved, other_partner_admin, register, snapshot


def test_a_registration_finds_the_other_partners_deal_of_the_same_customer_by_name(acme):
    # given the own partner registered a customer
    first = register(acme.member("partner_admin"), "上海恒通科技有限公司")
    assert first.conflicts == []
    # when the other partner registers it under another spelling
    second = register(other_partner_admin(acme), "上海 恒通科技股份有限公司")
    # then the conflict is found, by name
    assert [(c.deal.pk, c.by_name, c.by_tax_id) for c in second.conflicts] == [(first.deal.pk, True, False)]
    # and the first deal now conflicts with the second, as the data stands
    today = tenant_today(acme.tenant)
    assert [c.deal.pk for c in selectors.conflicts_of(first.deal, day=today)] == [second.deal.pk]


def test_a_registration_finds_the_same_customer_by_tax_id_whatever_the_names(acme):
    first = register(acme.member("partner_user"), "Hengtong Shanghai", tax_id=TAX_ID)
    second = register(other_partner_admin(acme), "恒通（上海）", tax_id=TAX_ID.lower())
    assert [(c.deal.pk, c.by_tax_id, c.by_name) for c in second.conflicts] == [(first.deal.pk, True, False)]


def test_different_tax_ids_and_names_do_not_conflict(acme):
    register(acme.member("partner_admin"), "Acme Customer", tax_id=TAX_ID)
    second = register(other_partner_admin(acme), "Another Customer", tax_id=OTHER_TAX_ID)
    assert second.conflicts == []


def test_a_partners_own_deals_never_conflict_with_each_other(acme):
    register(acme.member("partner_admin"), "Repeat Customer Ltd")
    again = register(acme.member("partner_user"), "REPEAT CUSTOMER Limited")
    assert again.conflicts == []


def test_rejected_lost_and_expired_deals_claim_nothing(acme):
    manager = acme.member("channel_manager")
    rejected = register(manager, "Gone Customer", partner=acme.own).deal
    services.deal_reject(deal=rejected, actor=manager.user, reason="Not a real opportunity")
    lost = approved(acme, "Gone Customer Co., Ltd.")
    services.deal_lose(deal=lost, actor=acme.member("partner_admin").user, reason="Went with a competitor")
    assert register(other_partner_admin(acme), "gone customer").conflicts == []


def test_the_vendor_and_the_second_partner_hear_of_a_conflict_the_partner_without_the_other_name(acme):
    first = register(acme.member("partner_admin"), "Notify Customer")
    other = other_partner_admin(acme)
    second = register(other, "NOTIFY CUSTOMER LLC")
    conflict_notes = Notification.objects.filter(event="deal_conflict").select_related("recipient")
    notes = {note.recipient.role: note for note in conflict_notes}
    # the vendor: administrators (no partner has a channel manager here: every channel manager too), in full
    assert {"admin", "channel_manager", "partner_admin"} <= set(notes)
    assert acme.own.code in notes["admin"].body or acme.own.code in notes["admin"].subject
    # the second partner: only that the customer was registered before, and when
    partner_note = Notification.objects.get(event="deal_conflict", recipient=other)
    assert acme.own.code not in partner_note.subject + partner_note.body
    assert acme.own.name not in partner_note.subject + partner_note.body
    assert first.deal.created_at.date().isoformat()[:4] in partner_note.body
    # the first partner's members are not told (it registered first)
    assert not Notification.objects.filter(event="deal_conflict", recipient=acme.member("partner_admin")).exists()
    assert second.conflicts


def test_approving_protects_the_deal_for_the_tenants_days_and_tells_the_partner(acme):
    deal = register(acme.member("partner_admin"), "Protected Customer").deal
    services.deal_settings_update(tenant=acme.tenant, actor=acme.member("admin").user, protection_days=30)
    deal = services.deal_approve(deal=deal, actor=acme.member("channel_manager").user, note="First to register")
    today = tenant_today(acme.tenant)
    assert (deal.status, deal.approved_on, deal.protected_until) == ("approved", today, today + datetime.timedelta(30))
    assert deal.days_left(today) == 30
    step = deal.transitions.get(action="approved")
    assert (step.actor, step.note, step.from_status, step.to_status) == (
        acme.member("channel_manager").user, "First to register", "submitted", "approved",
    )  # fmt: skip
    assert Notification.objects.filter(event="deal_decided", recipient=acme.member("partner_admin")).exists()


def test_approving_against_another_partners_approved_protected_deal_is_refused_and_changes_nothing(acme):
    protected = approved(acme, "Contested Customer", tax_id=TAX_ID)
    late = register(other_partner_admin(acme), "Someone Else Entirely", tax_id=TAX_ID).deal
    before = snapshot(late)
    with pytest.raises(CustomerProtected) as refused:
        services.deal_approve(deal=late, actor=acme.member("admin").user)
    assert refused.value.status_code == 409
    assert refused.value.extra == {"conflicts": [protected.pk]}
    assert snapshot(late) == before
    # once the protected deal is rejected, the other may be approved
    services.deal_reject(deal=protected, actor=acme.member("admin").user, reason="Registered by mistake")
    assert services.deal_approve(deal=late, actor=acme.member("admin").user).status == DealStatus.APPROVED


def test_approving_against_a_submitted_deal_is_allowed_the_vendor_chooses(acme):
    first = register(acme.member("partner_admin"), "Choice Customer").deal
    second = register(other_partner_admin(acme), "Choice Customer Inc.").deal
    services.deal_approve(deal=second, actor=acme.member("admin").user)
    # the first now waits behind a protected deal
    with pytest.raises(CustomerProtected):
        services.deal_approve(deal=first, actor=acme.member("admin").user)


def test_the_api_answers_a_409_with_a_message_when_the_customer_is_protected(acme, api):
    approved(acme, "Api Contested", tax_id=TAX_ID)
    late = register(other_partner_admin(acme), "Api Contested Two", tax_id=TAX_ID).deal
    response = api(acme.member("channel_manager")).post(tenant_api("acme", f"deals/{late.pk}/approve/"), {}, "json")
    assert response.status_code == 409
    assert response.json()["code"] == "customer_protected" and response.json()["message"]
    assert Deal.objects.get(pk=late.pk).status == DealStatus.SUBMITTED


def test_moves_outside_the_table_are_refused(acme):
    partner_admin = acme.member("partner_admin")
    deal = register(partner_admin, "Table Customer").deal
    with pytest.raises(TransitionRefused):
        services.deal_win(deal=deal, actor=partner_admin.user, amount=Decimal("10"))
    services.deal_reject(deal=deal, actor=acme.member("admin").user, reason="Duplicate")
    with pytest.raises(TransitionRefused):
        services.deal_approve(deal=deal, actor=acme.member("admin").user)
    with pytest.raises(TransitionRefused):
        services.deal_update(deal=deal, actor=partner_admin.user, customer="New name")


def test_won_and_lost_record_the_amount_and_the_reason_with_who(acme):
    partner_admin = acme.member("partner_admin")
    won = services.deal_win(deal=approved(acme, "Won Customer"), actor=partner_admin.user, amount=Decimal("1234.5"))
    assert (won.status, won.won_amount) == ("won", Decimal("1234.50"))
    assert won.transitions.get(action="won").details == {"amount": "1234.50"}
    lost = services.deal_lose(deal=approved(acme, "Lost Customer"), actor=partner_admin.user, reason="Budget cut")
    assert (lost.status, lost.lost_reason) == ("lost", "Budget cut")
    assert lost.transitions.get(action="lost").actor == partner_admin.user


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": "   "}, "customer"),
        ({"customer": ",.;"}, "customer"),
        ({"customer": "x" * 201}, "customer"),
        ({"customer_tax_id": "91310000MA1FL1234Y"}, "customer_tax_id"),  # a checksum typo
        ({"customer_tax_id": "X" * 40}, "customer_tax_id"),
        ({"value": Decimal("-1")}, "value"),
        ({"products": ["p" * 101]}, "products"),
    ],
)
def test_bad_input_is_a_field_error_and_registers_nothing(acme, changes, field):
    data = {"customer": "Valid Customer", "customer_tax_id": "", "value": Decimal("10"), "products": []} | changes
    count = Deal.objects.count()
    with pytest.raises(ValidationError) as error:
        services.deal_register(
            actor=acme.member("partner_admin").user, partner=acme.own, expected_close=datetime.date(2026, 9, 1), **data
        )
    assert field in error.value.message_dict
    assert Deal.objects.count() == count


def test_a_partner_member_cannot_register_for_another_partner(acme):
    from common.errors import NotFound

    with pytest.raises(NotFound):
        register(acme.member("partner_admin"), "Sneaky", partner=acme.other)


def test_a_change_of_the_customer_finds_new_conflicts_and_tells_them(acme):
    register(acme.member("partner_admin"), "Renamed Target Ltd")
    other = other_partner_admin(acme)
    deal = register(other, "Something Unrelated").deal
    assert not Notification.objects.filter(event="deal_conflict").exists()
    changed = services.deal_update(deal=deal, actor=other.user, customer="RENAMED TARGET")
    assert len(changed.conflicts) == 1
    assert Notification.objects.filter(event="deal_conflict", recipient=other).exists()
    step = changed.deal.transitions.get(action="changed")
    assert step.details["changed"]["customer"] == ["Something Unrelated", "RENAMED TARGET"]
