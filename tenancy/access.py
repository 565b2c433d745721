"""Who may enter a tenant, and which partners a member may see."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from .context import user_scope
from .models import Membership, Tenant
from .roles import Role


def membership_for(user, tenant: Tenant) -> Membership:
    """The user's active membership of ``tenant``; 404 (never 403) when there is none."""
    if user is None or not user.is_authenticated:
        raise Http404(_("Not found."))
    # In the tenant's scope (the middleware's), so the manager and row-level security agree with the filter.
    membership = (
        Membership.objects.select_related("partner", "user").filter(tenant=tenant, user=user, is_active=True).first()
    )
    if membership is None:
        raise Http404(_("Not found."))
    return membership


def memberships_of(user) -> list[Membership]:
    """Every tenant a user belongs to, for the tenant chooser.

    Outside any tenant: row-level security lets the user read their own memberships (and the
    partners those name) in ``user_scope``, and nothing else of any tenant.
    """
    with user_scope(user):
        return list(
            Membership.objects.unscoped()
            .select_related("tenant", "partner")
            .filter(user=user, is_active=True)
            .order_by("tenant__name")
        )


def uses_portfolio(membership: Membership) -> bool:
    return membership.role == Role.CHANNEL_MANAGER and membership.tenant.portfolio_scoping


def visible_partners(membership: Membership):
    """The partners a member may see: all, a channel manager's portfolio, or its own partner.

    The portfolio is a join on guardian's direct foreign-key permission table.
    """
    from partners.models import Partner

    partners = Partner.objects.all()
    if membership.is_partner_side:
        return partners.filter(pk=membership.partner_id)
    if uses_portfolio(membership):
        return partners.filter(
            partneruserobjectpermission__user=membership.user,
            partneruserobjectpermission__permission__codename="manage_partner",
        )
    return partners


def restrict_to_visible_partners(queryset, membership: Membership, partner_field: str | None):
    """Narrow any queryset to the rows of partners the member may see.

    ``partner_field`` is the path from the row to its partner ("" for Partner itself,
    None for rows not tied to a partner, which everyone in the tenant may read).
    """
    if partner_field is None:
        return queryset
    if not membership.is_partner_side and not uses_portfolio(membership):
        return queryset
    if membership.is_partner_side:
        lookup = "pk" if partner_field == "" else f"{partner_field}_id"
        return queryset.filter(**{lookup: membership.partner_id})
    lookup = "pk__in" if partner_field == "" else f"{partner_field}__in"
    return queryset.filter(**{lookup: visible_partners(membership).values("pk")})
