"""Who hears of a statement, and in what words (SPEC §4.11): ready, approved, disputed.

Worded in the tenant's language and handed to ``notifications.services.notify``, which never
raises and never waits: a statement's workflow goes on whatever happens to the e-mail or webhooks.
"""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.money import format_money
from common.periods import Period
from notifications import events
from notifications.selectors import members_with_roles, partner_members
from notifications.services import Message, notify, notify_each
from tenancy.context import require_tenant
from tenancy.roles import Role

from ..models import Statement

PARTNER_ADMINS = (Role.PARTNER_ADMIN,)
SETTLERS = (Role.FINANCE, Role.ADMIN)


def _url(tenant, statement_id: int) -> str:
    return reverse("settlements:statement", kwargs={"tenant_slug": tenant.slug, "pk": statement_id})


def _payload(statement: Statement) -> dict:
    return {
        "statement": statement.pk,
        "partner": statement.partner.code,
        "period": statement.period,
        "status": statement.status,
        "total": str(statement.total),
        "currency": statement.currency,
    }


def statements_ready(*, statement_ids: Collection[int], new_ids: Collection[int]) -> None:
    """A run made (``new_ids``) or changed these statements: each partner's administrators hear of theirs, once.

    A fixed number of queries, whatever the number of statements: a run of 10,000 partners notifies
    as cheaply as a run of 10.
    """
    if not statement_ids:
        return
    tenant = require_tenant()
    statements = list(Statement.objects.filter(pk__in=list(statement_ids)).select_related("partner"))
    admins: dict[int, list] = {}
    for member in members_with_roles(PARTNER_ADMINS).filter(partner_id__in={s.partner_id for s in statements}):
        admins.setdefault(member.partner_id, []).append(member)
    messages = []
    with translation.override(tenant.language):
        for statement in statements:
            period = Period.parse(statement.period).label
            total = format_money(statement.total, statement.currency)
            if statement.pk in new_ids:
                subject = _("Your statement for %(period)s is ready") % {"period": period}
                body = _(
                    "Your settlement statement for %(period)s totals %(total)s. Each line says how it was "
                    "computed; if something is wrong, dispute it before it is approved."
                ) % {"period": period, "total": total}
            else:
                subject = _("Your statement for %(period)s was updated") % {"period": period}
                body = _("Your settlement statement for %(period)s was computed again; it now totals %(total)s.") % {
                    "period": period,
                    "total": total,
                }
            messages.append(
                Message(
                    recipients=admins.get(statement.partner_id, []),
                    subject=subject,
                    body=body,
                    url=_url(tenant, statement.pk),
                    payload=_payload(statement),
                )
            )
    notify_each(event=events.STATEMENT_READY.code, messages=messages)


def statement_approved(statement: Statement) -> None:
    """The partner's administrators hear that their statement is approved (payment follows)."""
    tenant = require_tenant()
    with translation.override(tenant.language):
        period = Period.parse(statement.period).label
        total = format_money(statement.total, statement.currency)
        notify(
            event=events.STATEMENT_APPROVED.code,
            recipients=partner_members(statement.partner, PARTNER_ADMINS),
            subject=_("Your statement for %(period)s is approved") % {"period": period},
            body=_("Your settlement statement for %(period)s, totalling %(total)s, is approved; payment follows.")
            % {"period": period, "total": total},
            url=_url(tenant, statement.pk),
            payload=_payload(statement),
        )


def statement_disputed(statement: Statement, *, reason: str, actor) -> None:
    """Finance and the administrators hear that a partner disputes its statement, and why."""
    tenant = require_tenant()
    with translation.override(tenant.language):
        period = Period.parse(statement.period).label
        partner = statement.partner
        notify(
            event=events.STATEMENT_DISPUTED.code,
            recipients=members_with_roles(SETTLERS),
            subject=_("%(code)s %(name)s disputes its statement for %(period)s")
            % {"code": partner.code, "name": partner.name, "period": period},
            body=_("%(who)s wrote: %(reason)s") % {"who": getattr(actor, "email", ""), "reason": reason},
            url=_url(tenant, statement.pk),
            payload={**_payload(statement), "reason": reason},
        )
