"""Who hears of a deal's conflicts and decisions, and in what words (SPEC §4.8, §4.11).

A conflict found when a deal is registered or changed is told to the vendor — the administrators
and the channel managers of the partners involved (every channel manager when none of them has
one) — in full, and to the partner whose registration came second, in the partner's words: the
customer was registered before, on that day, never by whom. A decision (approved, rejected) is
told to the deal's partner. Each in the tenant's language; a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications import events
from notifications.selectors import members_with_roles, partner_members
from notifications.services import Message, notify_each
from tenancy.context import require_tenant
from tenancy.models import Membership
from tenancy.roles import PARTNER_ROLES, Role

from .models import Deal, DealStatus
from .selectors import Conflict


def deal_url(tenant, deal: Deal) -> str:
    return reverse("deals:detail", kwargs={"tenant_slug": tenant.slug, "pk": deal.pk})


def _vendor_recipients(partners) -> list[Membership]:
    admins = list(members_with_roles([Role.ADMIN]))
    manager_ids = {partner.manager_id for partner in partners} - {None}
    managers = members_with_roles([Role.CHANNEL_MANAGER, Role.ADMIN])
    managers = managers.filter(user_id__in=manager_ids) if manager_ids else managers.filter(role=Role.CHANNEL_MANAGER)
    seen: dict[int, Membership] = {member.pk: member for member in admins}
    for member in managers:
        seen.setdefault(member.pk, member)
    return list(seen.values())


def conflicts_announced(deal: Deal, conflicts: Sequence[Conflict]) -> None:
    """Tell the vendor and the partner of ``deal`` that it claims a customer others claim (``conflicts``)."""
    if not conflicts:
        return
    tenant = require_tenant()
    others = [conflict.deal for conflict in conflicts]
    with translation.override(tenant.language):
        lines = [
            _("%(code)s %(name)s registered “%(customer)s” on %(day)s (%(status)s, matched by %(how)s).")
            % {
                "code": conflict.deal.partner.code,
                "name": conflict.deal.partner.name,
                "customer": conflict.deal.customer,
                "day": conflict.registered_on(tenant).isoformat(),
                "status": conflict.deal.get_status_display(),
                "how": match_words(conflict),
            }
            for conflict in conflicts
        ]
        vendor = Message(
            recipients=_vendor_recipients([deal.partner, *(other.partner for other in others)]),
            subject=_("Deal conflict: %(customer)s, registered by %(code)s and %(count)d other partner(s)")
            % {"customer": deal.customer, "code": deal.partner.code, "count": len({o.partner_id for o in others})},
            body="\n".join(lines),
            url=deal_url(tenant, deal),
            payload={
                "deal": deal.pk,
                "partner": deal.partner.code,
                "customer": deal.customer,
                "conflicts": [
                    {
                        "deal": other.pk,
                        "partner": other.partner.code,
                        "customer": other.customer,
                        "status": other.status,
                    }
                    for other in others
                ],
            },
        )
        first = min(conflict.registered_on(tenant) for conflict in conflicts)
        partner = Message(
            recipients=list(partner_members(deal.partner, PARTNER_ROLES)),
            subject=_("“%(customer)s” was registered before") % {"customer": deal.customer},
            body=_(
                "This customer was registered before, on %(day)s. The vendor decides which registration it "
                "protects; you will hear of its decision."
            )
            % {"day": first.isoformat()},
            url=deal_url(tenant, deal),
            payload={"deal": deal.pk, "registered_before_on": first.isoformat()},
            to_webhooks=False,
        )
    notify_each(event=events.DEAL_CONFLICT.code, messages=[vendor, partner])


def match_words(conflict: Conflict) -> str:
    if conflict.by_tax_id and conflict.by_name:
        return _("tax id and name")
    return _("tax id") if conflict.by_tax_id else _("name")


def decision_announced(deal: Deal) -> None:
    """Tell the deal's partner that the vendor approved it (protected until…) or rejected it (why)."""
    tenant = require_tenant()
    with translation.override(tenant.language):
        if deal.status == DealStatus.APPROVED:
            subject = _("Deal approved: %(customer)s") % {"customer": deal.customer}
            body = _("Your registration of %(customer)s is approved and protected until %(day)s.") % {
                "customer": deal.customer,
                "day": deal.protected_until.isoformat(),
            }
        else:
            subject = _("Deal rejected: %(customer)s") % {"customer": deal.customer}
            body = _("Your registration of %(customer)s was rejected: %(reason)s") % {
                "customer": deal.customer,
                "reason": deal.rejection_reason,
            }
        message = Message(
            recipients=list(partner_members(deal.partner, PARTNER_ROLES)),
            subject=subject,
            body=body,
            url=deal_url(tenant, deal),
            payload={
                "deal": deal.pk,
                "partner": deal.partner.code,
                "customer": deal.customer,
                "status": deal.status,
                "protected_until": deal.protected_until.isoformat() if deal.protected_until else None,
            },
        )
    notify_each(event=events.DEAL_DECIDED.code, messages=[message])
