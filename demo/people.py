"""The demo's people: a login for every role in each tenant, and one user in both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from tenancy.roles import PARTNER_ROLES, Role
from tenancy.services import membership_create

from .catalog import DEMO_PASSWORD, DINGSHENG_OWNER, TENANTS, Person

if TYPE_CHECKING:
    from .seed import DemoTenant

User = get_user_model()


def _people() -> list[tuple[Person, str]]:
    """Every demo person with the language their name is written in."""
    found = [(DINGSHENG_OWNER, "zh-hans")]
    for spec in TENANTS:
        found += [(person, spec.language) for person in spec.people.values()]
        for featured in spec.featured:
            found += [(person, spec.language) for person in featured.people.values() if person != DINGSHENG_OWNER]
    return found


def create_demo_users() -> dict:
    """The demo users, all with the demo password.

    Hashing a password takes most of a second by design, so it is hashed once and shared:
    fine for a demo whose password is printed on the screen anyway. Users who exist keep theirs.
    """
    validate_password(DEMO_PASSWORD)
    hashed = make_password(DEMO_PASSWORD)
    users = {}
    for person, language in _people():
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User(email=person.email, full_name=person.full_name.pick(language), password=hashed)
            user.full_clean()
            user.save()
        users[person.email] = user
    return users


def add_vendor_members(context: DemoTenant) -> None:
    """The vendor's staff: one of each vendor role, several channel managers."""
    from tenancy.models import Membership

    context.admin = Membership.objects.select_related("user", "tenant").get(role=Role.ADMIN)
    for key, person in context.spec.people.items():
        role = key.split("-")[0]
        if role == Role.ADMIN:
            continue
        membership = membership_create(tenant=context.tenant, user=context.users[person.email], role=role)
        if role == Role.CHANNEL_MANAGER:
            context.managers.append(membership)


def add_partner_members(context: DemoTenant) -> None:
    """Partner-side logins at the featured partners (the Dingsheng owner is one in both tenants)."""
    for plan in context.plans:
        if plan.featured is None:
            continue
        partner = context.partners[plan.code]
        for role, person in plan.featured.people.items():
            assert role in PARTNER_ROLES
            membership_create(tenant=context.tenant, user=context.users[person.email], role=role, partner=partner)
