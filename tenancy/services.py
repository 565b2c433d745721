"""Writes for tenants and members."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import PermissionDenied

from .context import tenant_scope
from .models import Membership, Tenant
from .roles import PARTNER_ROLES, Role

User = get_user_model()


@transaction.atomic
def tenant_create(
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None,
    language: str = Tenant.Language.ZH_HANS,
    currency: str = "CNY",
    timezone: str = "Asia/Shanghai",
) -> Tenant:
    """A new vendor: the tenant, its default tiers and its first administrator."""
    from partners.services import tier_create_defaults

    tenant = Tenant(slug=slug, name=name, language=language, currency=currency, timezone=timezone)
    tenant.full_clean()
    tenant.save()
    with tenant_scope(tenant):
        tier_create_defaults(tenant=tenant)
        user = _user_get_or_create(email=admin_email, password=admin_password)
        membership = Membership(tenant=tenant, user=user, role=Role.ADMIN)
        membership.full_clean()
        membership.save()
    return tenant


def _user_get_or_create(*, email: str, password: str | None, full_name: str = "") -> User:
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    if not password:
        raise ValidationError({"password": _("A new user needs a password.")})
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    candidate.set_password(password)
    candidate.full_clean(exclude=["password"])
    candidate.save()
    return candidate


@transaction.atomic
def member_create(
    *,
    actor: Membership,
    email: str,
    role: str,
    password: str | None = None,
    partner=None,
    full_name: str = "",
) -> Membership:
    """Add a user (new or existing) to the actor's tenant.

    Vendor admins add anyone; a partner admin adds users to its own partner only.
    """
    if actor.role == Role.PARTNER_ADMIN:
        if role not in PARTNER_ROLES:
            raise PermissionDenied(_("A partner administrator can add only partner users."))
        if partner is not None and partner.pk != actor.partner_id:
            raise PermissionDenied(_("A partner administrator can add users to its own partner only."))
        partner = actor.partner
    elif actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators add members."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    if role in PARTNER_ROLES and partner is None:
        raise ValidationError({"partner": _("A partner role needs a partner.")})
    if role not in PARTNER_ROLES and partner is not None:
        raise ValidationError({"partner": _("Only partner roles belong to a partner.")})
    user = _user_get_or_create(email=email, password=password, full_name=full_name)
    if Membership.objects.filter(user=user).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this tenant.") % {"email": user.email}})
    membership = Membership(user=user, role=role, partner=partner, tenant=actor.tenant)
    membership.full_clean()
    membership.save()
    return membership
