"""Who hears of a fund request or claim, and in what words (SPEC §4.11).

A new request goes to the partner's channel manager (or, when it has none, every channel manager)
and the administrators; a new claim to finance; a decision, either way, to the partner's members.
Worded in the tenant's language; ``notify`` records them with the caller's transaction and never fails it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.money import format_money
from notifications import events
from notifications.selectors import manager_of, members_with_roles, partner_members
from notifications.services import notify
from tenancy.context import require_tenant
from tenancy.roles import PARTNER_ROLES, Role


def _request_url(tenant, request) -> str:
    return reverse("funds:request", kwargs={"tenant_slug": tenant.slug, "pk": request.pk})


def _claim_url(tenant, claim) -> str:
    return reverse("funds:claim", kwargs={"tenant_slug": tenant.slug, "pk": claim.pk})


def _payload(obj, kind: str) -> dict:
    return {
        kind: obj.pk,
        "partner": obj.partner.code,
        "status": obj.status,
        "amount": str(obj.amount),
        "approved_amount": str(obj.approved_amount) if obj.approved_amount is not None else None,
    }


def request_submitted(request) -> None:
    tenant = require_tenant()
    manager = manager_of(request.partner)
    managers = [manager] if manager is not None else list(members_with_roles([Role.CHANNEL_MANAGER]))
    recipients = managers + list(members_with_roles([Role.ADMIN]))
    with translation.override(tenant.language):
        subject = _("Fund request from %(partner)s: %(activity)s") % {
            "partner": request.partner.name, "activity": request.activity,
        }  # fmt: skip
        body = _("%(partner)s asks for %(amount)s from %(fund)s for “%(activity)s” on %(day)s.") % {
            "partner": request.partner.name, "amount": format_money(request.amount, tenant.currency),
            "fund": request.fund.name, "activity": request.activity, "day": request.planned_on.isoformat(),
        }  # fmt: skip
    notify(event=events.FUND_REQUESTED.code, recipients=recipients, subject=subject, body=body,
           url=_request_url(tenant, request), payload=_payload(request, "request"))  # fmt: skip


def request_decided(request) -> None:
    tenant = require_tenant()
    recipients = list(partner_members(request.partner, PARTNER_ROLES))
    currency = tenant.currency
    with translation.override(tenant.language):
        if request.status == "approved":
            subject = _("Fund request approved: %(activity)s") % {"activity": request.activity}
            body = _("%(amount)s of %(asked)s approved from %(fund)s.") % {
                "amount": format_money(request.approved_amount, currency),
                "asked": format_money(request.amount, currency), "fund": request.fund.name,
            }  # fmt: skip
        else:
            subject = _("Fund request rejected: %(activity)s") % {"activity": request.activity}
            body = _("Your request to %(fund)s was rejected.") % {"fund": request.fund.name}
        if request.decision_reason:
            body += "\n" + _("Reason: %(reason)s") % {"reason": request.decision_reason}
    notify(event=events.FUND_REQUEST_DECIDED.code, recipients=recipients, subject=subject, body=body,
           url=_request_url(tenant, request), payload=_payload(request, "request"))  # fmt: skip


def claim_submitted(claim) -> None:
    tenant = require_tenant()
    recipients = list(members_with_roles([Role.FINANCE]))
    with translation.override(tenant.language):
        subject = _("Fund claim from %(partner)s: %(activity)s") % {
            "partner": claim.partner.name, "activity": claim.request.activity,
        }  # fmt: skip
        body = _("%(partner)s claims %(amount)s for “%(activity)s” (approved: %(approved)s), with proof attached.") % {
            "partner": claim.partner.name, "amount": format_money(claim.amount, tenant.currency),
            "activity": claim.request.activity,
            "approved": format_money(claim.request.approved_amount, tenant.currency),
        }  # fmt: skip
    notify(event=events.FUND_CLAIMED.code, recipients=recipients, subject=subject, body=body,
           url=_claim_url(tenant, claim), payload=_payload(claim, "claim"))  # fmt: skip


def claim_decided(claim) -> None:
    tenant = require_tenant()
    recipients = list(partner_members(claim.partner, PARTNER_ROLES))
    currency = tenant.currency
    with translation.override(tenant.language):
        if claim.status == "approved":
            subject = _("Fund claim approved: %(activity)s") % {"activity": claim.request.activity}
            body = _("%(amount)s of %(asked)s approved; it is paid on your next settlement statement.") % {
                "amount": format_money(claim.approved_amount, currency), "asked": format_money(claim.amount, currency),
            }  # fmt: skip
        else:
            subject = _("Fund claim rejected: %(activity)s") % {"activity": claim.request.activity}
            body = _("Your claim of %(amount)s was rejected.") % {"amount": format_money(claim.amount, currency)}
        if claim.decision_reason:
            body += "\n" + _("Reason: %(reason)s") % {"reason": claim.decision_reason}
    notify(event=events.FUND_CLAIM_DECIDED.code, recipients=recipients, subject=subject, body=body,
           url=_claim_url(tenant, claim), payload=_payload(claim, "claim"))  # fmt: skip
