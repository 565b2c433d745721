"""One shared world for every test (after healthchecks' Alice/Bob and Zulip's fixture realms).

Two tenants, ``acme`` and ``globex``; in each a member of every role and two partners,
``own`` (the one the partner-side members belong to) and ``other``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from partners import services as partner_services
from partners.models import Partner, PartnerKind, PartnerStatus, Tier
from tenancy import services as tenancy_services
from tenancy.context import tenant_scope
from tenancy.models import Membership, Tenant
from tenancy.roles import PARTNER_ROLES, Role

PASSWORD = "Qudao-test-pass-1"
TENANTS = ("acme", "globex")


@dataclasses.dataclass
class TenantWorld:
    tenant: Tenant
    members: dict[str, Membership]
    own: Partner
    other: Partner

    def member(self, role: str) -> Membership:
        return self.members[role]


@dataclasses.dataclass
class World:
    tenants: dict[str, TenantWorld]

    def __getitem__(self, slug: str) -> TenantWorld:
        return self.tenants[slug]


def email_for(slug: str, role: str) -> str:
    return f"{role.replace('_', '-')}@{slug}.test"


def build_world() -> World:
    tenants = {}
    for index, slug in enumerate(TENANTS):
        tenant = tenancy_services.tenant_create(
            slug=slug,
            name=slug.title(),
            admin_email=email_for(slug, Role.ADMIN),
            admin_password=PASSWORD,
            language=Tenant.Language.ZH_HANS if index == 0 else Tenant.Language.EN,
        )
        with tenant_scope(tenant):
            admin = Membership.objects.select_related("user").get(role=Role.ADMIN)
            ordinary = Tier.objects.get(code="ordinary")
            own = partner_services.partner_create(
                actor=admin.user,
                code=f"{slug.upper()}-OWN",
                name=f"{slug.title()} Own Partner",
                kind=PartnerKind.DISTRIBUTOR,
                region="华东",
                tier=ordinary,
                status=PartnerStatus.ACTIVE,
                credit_limit=Decimal("100000.00"),
                internal_notes="secret vendor note",
            )
            other = partner_services.partner_create(
                actor=admin.user,
                code=f"{slug.upper()}-OTHER",
                name=f"{slug.title()} Other Partner",
                kind=PartnerKind.RESELLER,
                region="华南",
                tier=ordinary,
                status=PartnerStatus.ACTIVE,
                internal_notes="other secret note",
            )
            members = {Role.ADMIN.value: admin}
            for role in Role:
                if role == Role.ADMIN:
                    continue
                members[role.value] = tenancy_services.member_add(
                    actor=admin,
                    email=email_for(slug, role),
                    password=PASSWORD,
                    role=role,
                    partner=own if role in PARTNER_ROLES else None,
                ).membership
        tenants[slug] = TenantWorld(tenant=tenant, members=members, own=own, other=other)
    return World(tenants=tenants)


def load_world() -> World:
    """The world as built in the session's database (rows are re-read, not rebuilt)."""
    tenants = {}
    for slug in TENANTS:
        tenant = Tenant.objects.get(slug=slug)
        with tenant_scope(tenant):
            members = {m.role: m for m in Membership.objects.select_related("user", "partner", "tenant")}
            own = Partner.objects.get(code=f"{slug.upper()}-OWN")
            other = Partner.objects.get(code=f"{slug.upper()}-OTHER")
        tenants[slug] = TenantWorld(tenant=tenant, members=members, own=own, other=other)
    return World(tenants=tenants)
