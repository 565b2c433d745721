"""The audit trail (pghistory): who changed what on a partner, through the API as through the pages."""

from partners import selectors
from tenancy.context import tenant_scope
from tests.conftest import tenant_api
from tests.world import email_for


def test_updating_a_partner_through_the_api_records_the_acting_user_and_the_diff(world, api):
    # given
    own = world["acme"].own
    # when
    response = api(world["acme"].member("channel_manager")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"name": "Acme 新名字", "region": "华北"}, format="json"
    )
    assert response.status_code == 200, response.content
    # then
    with tenant_scope(world["acme"].tenant):
        events = selectors.partner_audit_events(own)
    latest = events[0]
    assert latest["label"] == "update"
    assert latest["user"] == email_for("acme", "channel_manager")
    assert latest["changes"]["name"] == ["Acme Own Partner", "Acme 新名字"]
    assert latest["changes"]["region"] == ["华东", "华北"]
    assert "updated_at" not in latest["changes"]


def test_a_tier_change_through_the_api_is_audited_with_its_user(world, api):
    own = world["acme"].own
    response = api(world["acme"].member("admin")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"tier": "core", "reason": "升级"}, format="json"
    )
    assert response.status_code == 200, response.content
    with tenant_scope(world["acme"].tenant):
        events = selectors.partner_audit_events(own)
    tier_events = [event for event in events if "tier_id" in event["changes"]]
    assert tier_events
    assert tier_events[0]["user"] == email_for("acme", "admin")


def test_a_refused_update_records_nothing(world, api):
    own = world["acme"].own
    with tenant_scope(world["acme"].tenant):
        before = selectors.partner_audit_events(own)
    response = api(world["acme"].member("viewer")).patch(
        tenant_api("acme", f"partners/{own.pk}/"), {"name": "nope"}, format="json"
    )
    assert response.status_code == 403
    with tenant_scope(world["acme"].tenant):
        assert selectors.partner_audit_events(own) == before
