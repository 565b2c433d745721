"""Who hears of leads, and in what words (SPEC §4.11): offers to the partner, declines and lapses to the vendor.

A partner's members hear of each lead offered to them; a batch that offers one partner many leads is
one message for it. Declines and lapses go to the channel managers and administrators. A fixed number
of queries, however many leads moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import format_money
from notifications import events
from notifications.selectors import members_with_roles
from notifications.services import Message, notify_each
from partners.models import Partner
from tenancy.context import require_tenant
from tenancy.models import Membership
from tenancy.roles import PARTNER_ROLES, Role

from .models import Assignment, Lead

VENDOR_WATCHERS = (Role.CHANNEL_MANAGER, Role.ADMIN)
DIGEST_AFTER = 3  # more leads than this for one partner at once: one message listing them


def _local(moment, tenant) -> str:
    return date_format(moment.astimezone(tenant.zone), "Y-m-d H:i")


def leads_offered(assignment_ids: Sequence[int]) -> None:
    """Tell each partner's members of the leads just offered to it."""
    if not assignment_ids:
        return
    tenant = require_tenant()
    assignments = list(
        Assignment.objects.filter(pk__in=list(assignment_ids), partner__isnull=False)
        .select_related("lead")
        .only("partner_id", "due_at", "lead__company", "lead__region", "lead__industry", "lead__value")
        .order_by("id")
    )
    by_partner: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_partner[assignment.partner_id].append(assignment)
    members: dict[int, list[Membership]] = defaultdict(list)
    for member in Membership.objects.filter(
        partner_id__in=list(by_partner), role__in=sorted(PARTNER_ROLES), is_active=True
    ).select_related("user"):
        members[member.partner_id].append(member)
    portal = reverse("leads:mine", kwargs={"tenant_slug": tenant.slug})
    messages = []
    with translation.override(tenant.language):
        for partner_id, offers in by_partner.items():
            recipients = members.get(partner_id, [])
            if len(offers) <= DIGEST_AFTER:
                for offer in offers:
                    lead = offer.lead
                    values = {
                        "company": lead.company,
                        "region": lead.region,
                        "industry": lead.industry,
                        "value": format_money(lead.value, tenant.currency),
                        "due": _local(offer.due_at, tenant) if offer.due_at else "—",
                    }
                    messages.append(
                        Message(
                            recipients=recipients,
                            subject=_("New lead offered: %(company)s") % values,
                            body=_(
                                "%(company)s (%(region)s, %(industry)s, %(value)s) is offered to you. "
                                "Accept or decline it by %(due)s."
                            )
                            % values,
                            url=reverse("leads:detail", kwargs={"tenant_slug": tenant.slug, "pk": lead.pk}),
                            payload={
                                "lead": lead.pk,
                                "company": lead.company,
                                "due_at": offer.due_at.isoformat() if offer.due_at else None,
                            },
                        )
                    )
            else:
                count = len(offers)
                lines = [f"{offer.lead.company} ({offer.lead.region}, {offer.lead.industry})" for offer in offers[:10]]
                messages.append(
                    Message(
                        recipients=recipients,
                        subject=ngettext("%(count)d new lead offered", "%(count)d new leads offered", count)
                        % {"count": count},
                        body="\n".join(lines),
                        url=portal,
                        payload={"leads": [offer.lead_id for offer in offers], "count": count},
                    )
                )
    notify_each(event=events.LEAD_OFFERED.code, messages=messages)


def lead_declined(lead_id: int, partner_id: int, reason: str) -> None:
    """Tell the vendor's managers that a partner declined a lead, why, and where it went next."""
    tenant = require_tenant()
    lead = Lead.objects.select_related("partner").get(pk=lead_id)
    partner = Partner.objects.get(pk=partner_id)
    with translation.override(tenant.language):
        values = {"company": lead.company, "code": partner.code, "name": partner.name, "reason": reason}
        if lead.partner is not None:
            values["next"] = lead.partner.code
            after = _("It was offered to %(next)s next.") % values
        else:
            after = _("Nobody else could take it: it waits for a person to assign it.")
        message = Message(
            recipients=list(members_with_roles(VENDOR_WATCHERS)),
            subject=_("Lead declined: %(company)s by %(code)s %(name)s") % values,
            body=_("Reason: %(reason)s") % values + "\n" + after,
            url=reverse("leads:detail", kwargs={"tenant_slug": tenant.slug, "pk": lead.pk}),
            payload={"lead": lead.pk, "partner": partner.code, "reason": reason},
        )
    notify_each(event=events.LEAD_DECLINED.code, messages=[message])


def leads_lapsed(pairs: Sequence[tuple[int, int]]) -> None:
    """Tell the vendor's managers of the offers that lapsed unanswered: one message for the lot."""
    if not pairs:
        return
    tenant = require_tenant()
    leads = {
        lead.pk: lead
        for lead in Lead.objects.filter(pk__in=[lead_id for lead_id, _p in pairs]).select_related("partner")
    }
    codes = dict(Partner.objects.filter(pk__in={partner_id for _l, partner_id in pairs}).values_list("pk", "code"))
    with translation.override(tenant.language):
        lines = []
        for lead_id, partner_id in pairs[:20]:
            lead = leads[lead_id]
            nxt = lead.partner.code if lead.partner is not None else _("unassigned")
            lines.append(
                _("%(company)s: not answered by %(code)s; now %(next)s")
                % {"company": lead.company, "code": codes.get(partner_id, "?"), "next": nxt}
            )
        count = len(pairs)
        if count > 20:
            lines.append(ngettext("… and %(count)d more.", "… and %(count)d more.", count - 20) % {"count": count - 20})
        message = Message(
            recipients=list(members_with_roles(VENDOR_WATCHERS)),
            subject=ngettext("%(count)d lead offer lapsed unanswered", "%(count)d lead offers lapsed unanswered", count)
            % {"count": count},
            body="\n".join(lines),
            url=reverse("leads:list", kwargs={"tenant_slug": tenant.slug}),
            payload={"leads": [lead_id for lead_id, _p in pairs[:100]], "count": count},
        )
    notify_each(event=events.LEAD_LAPSED.code, messages=[message])
