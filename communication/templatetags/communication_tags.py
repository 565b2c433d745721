"""The communication panel of both home pages: overdue action items, and on the portal the quarterly question."""

from __future__ import annotations

from django import template

from common.dates import tenant_today

register = template.Library()


@register.inclusion_tag("communication/_home_panel.html", takes_context=True)
def communication_home(context):
    from tenancy.access import visible_partners

    from .. import selectors
    from ..forms import PulseForm

    membership, tenant = context["membership"], context["tenant"]
    today = tenant_today(tenant)
    overdue = selectors.overdue_actions(membership, today=today)
    if membership.is_vendor_side:
        overdue = overdue.filter(partner__in=visible_partners(membership))
    asking = selectors.pulse_due(membership, today=today)
    return {
        "tenant": tenant,
        "membership": membership,
        "can": context.get("can", {}),
        "csrf_token": context.get("csrf_token"),
        "overdue": list(overdue[:10]),
        "pulse_form": PulseForm() if asking else None,
        "quarter": selectors.quarter_of(today),
    }
