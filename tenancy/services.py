"""Writes for tenants and members."""

from __future__ import annotations

import dataclasses

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.errors import Conflict, NotFound, PermissionDenied

from .context import tenant_scope, user_scope
from .models import Invitation, Membership, Tenant
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
    """A new vendor: the tenant, its default tiers and due diligence checklist, and its first administrator."""
    from diligence.services import checklist_create_defaults
    from partners.services import tier_create_defaults

    tenant = Tenant(slug=slug, name=name, language=language, currency=currency, timezone=timezone)
    tenant.full_clean()
    tenant.save()
    with tenant_scope(tenant):
        tier_create_defaults(tenant=tenant)
        checklist_create_defaults(tenant=tenant)
        user = _user_get_or_create(email=admin_email, password=admin_password)
        membership_create(tenant=tenant, user=user, role=Role.ADMIN)
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


@dataclasses.dataclass(frozen=True)
class MemberAdded:
    """What adding an e-mail did: a new user made a member, or an existing user invited."""

    membership: Membership | None = None
    invitation: Invitation | None = None


def membership_create(*, tenant: Tenant, user: User, role: str, partner=None) -> Membership:
    """Make ``user`` a member of the tenant in scope (trusted callers: a new user, an accepted invitation, the demo)."""
    if Membership.objects.filter(user=user).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this tenant.") % {"email": user.email}})
    membership = Membership(user=user, role=role, partner=partner, tenant=tenant)
    membership.full_clean()
    membership.save()
    return membership


def _check_who_may_add(*, actor: Membership, role: str, partner):
    """Vendor admins add anyone; a partner admin adds users to its own partner only. Returns the partner."""
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
    return partner


@transaction.atomic
def member_add(
    *,
    actor: Membership,
    email: str,
    role: str,
    password: str | None = None,
    partner=None,
    full_name: str = "",
) -> MemberAdded:
    """Add someone to the actor's tenant by e-mail.

    A new e-mail (with a password) makes the user and the membership. An e-mail that already
    has an account — in this tenant's eyes, someone unknown — makes an invitation that the user
    accepts or declines: nobody becomes a member without consenting, and the answer shows
    nothing of them (their name, their other tenants) but the address typed.
    """
    partner = _check_who_may_add(actor=actor, role=role, partner=partner)
    email = (email or "").strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = _user_get_or_create(email=email, password=password, full_name=full_name)
        return MemberAdded(membership=membership_create(tenant=actor.tenant, user=user, role=role, partner=partner))
    if Membership.objects.filter(user=existing).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this tenant.") % {"email": email}})
    if Invitation.objects.filter(user=existing, status=Invitation.Status.PENDING).exists():
        raise ValidationError({"email": _("%(email)s has been invited already.") % {"email": email}})
    invitation = Invitation(
        user=existing, email=email, role=role, partner=partner, invited_by=actor.user, tenant=actor.tenant
    )
    invitation.full_clean()
    invitation.save()
    _announce_invitation(tenant=actor.tenant, email=email)
    return MemberAdded(invitation=invitation)


def _announce_invitation(*, tenant: Tenant, email: str) -> None:
    """An e-mail to the invited address, in the tenant's language, sent once the invitation is committed.

    The invited person is no member yet (no inbox, no choices): the notifications service sends it
    as an e-mail delivery, logged and retried; a mail server that is down never undoes the
    invitation, which waits in the app.
    """
    from notifications import events
    from notifications.services import notify_address

    with translation.override(tenant.language):
        notify_address(
            event=events.INVITATION.code,
            email=email,
            subject=_("You are invited to %(tenant)s on Qudao") % {"tenant": tenant.name},
            body=_("%(tenant)s has invited you to work with them on Qudao. Log in to accept or decline the invitation.")
            % {"tenant": tenant.name},
            url=reverse("home"),
        )


def _pending_invitation_of(*, user: User, invitation_id: int) -> Invitation:
    """The user's own pending invitation (read outside any tenant, under row-level security), or 404."""
    with user_scope(user):
        invitation = (
            Invitation.objects.unscoped()
            .select_related("tenant")
            .filter(pk=invitation_id, user=user, status=Invitation.Status.PENDING)
            .first()
        )
    if invitation is None:
        raise NotFound(_("Not found."))
    return invitation


def invitation_accept(*, user: User, invitation_id: int) -> Membership:
    """The invited user says yes: from now on they are a member, with the role offered."""
    invitation = _pending_invitation_of(user=user, invitation_id=invitation_id)
    with tenant_scope(invitation.tenant):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise Conflict(_("This invitation has been answered or withdrawn already."))
        membership = membership_create(
            tenant=invitation.tenant, user=user, role=invitation.role, partner=invitation.partner
        )
        _answer(invitation, Invitation.Status.ACCEPTED)
    return membership


def invitation_decline(*, user: User, invitation_id: int) -> Invitation:
    invitation = _pending_invitation_of(user=user, invitation_id=invitation_id)
    with tenant_scope(invitation.tenant):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise Conflict(_("This invitation has been answered or withdrawn already."))
        _answer(invitation, Invitation.Status.DECLINED)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    """An administrator withdraws a pending invitation of its tenant (a partner admin, of its partner's users)."""
    _check_who_may_add(actor=actor, role=invitation.role, partner=invitation.partner)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(_("This invitation has been answered or withdrawn already."))
    _answer(invitation, Invitation.Status.REVOKED)
    return invitation


def _answer(invitation: Invitation, status: str) -> None:
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at", "updated_at"])


def pending_invitations_of(user: User) -> list[Invitation]:
    """The signed-in user's invitations waiting for an answer, in every tenant."""
    with user_scope(user):
        return list(
            Invitation.objects.unscoped()
            .select_related("tenant", "partner", "invited_by")
            .filter(user=user, status=Invitation.Status.PENDING)
            .order_by("-created_at")
        )
